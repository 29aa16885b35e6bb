import type { EnvironmentStateName } from '@kubecohort/contracts';
import type { Environment, HostCluster } from '@kubecohort/database';

/** What a student (or the bot acting for them) sees of their environment. Never the kubeconfig. */
export interface EnvironmentView {
  id: string;
  cohortId: string | null;
  state: EnvironmentStateName;
  /** Why it failed (or was deleted), in words. */
  stateReason: string | null;
  /** The current provisioning or teardown step, for progress bars. */
  progressStep: string | null;
  progressPercent: number;
  /** The vcluster API server address (the kubeconfig's server), once known. */
  serverUrl: string | null;
  kubeconfigAvailable: boolean;
  requestedAt: string;
  readyAt: string | null;
  stateChangedAt: string;
  /** When it is exported and torn down (its cohort's end applies too); null: no expiry of its own. */
  expiresAt: string | null;
}

/** What the cohort's staff see in lists: who, where, how far. */
export interface StaffEnvironmentView extends EnvironmentView {
  userId: string | null;
  hostClusterId: string | null;
  namespace: string | null;
  workbenchNamespace: string | null;
}

export interface HostClusterView {
  id: string;
  name: string;
  region: string;
  apiServerUrl: string;
  status: 'active' | 'draining' | 'unreachable';
  capacity: { environments: number; cpuMillis: number; memoryMib: number };
  /** What environments not yet deleted hold on it. */
  allocated: { environments: number; cpuMillis: number; memoryMib: number };
  lastCheckedAt: string | null;
  lastCheckError: string | null;
  createdAt: string;
}

export function toEnvironmentView(env: Environment): EnvironmentView {
  return {
    id: env.id,
    cohortId: env.cohortId,
    state: env.state,
    stateReason: env.stateReason,
    progressStep: env.progressStep,
    progressPercent: env.progressPercent,
    serverUrl: env.serverUrl,
    kubeconfigAvailable: env.state === 'ready' && env.kubeconfigEncrypted !== null,
    requestedAt: env.requestedAt.toISOString(),
    readyAt: env.readyAt?.toISOString() ?? null,
    stateChangedAt: env.stateChangedAt.toISOString(),
    expiresAt: env.expiresAt?.toISOString() ?? null,
  };
}

export function toStaffEnvironmentView(env: Environment): StaffEnvironmentView {
  return {
    ...toEnvironmentView(env),
    userId: env.userId,
    hostClusterId: env.hostClusterId,
    namespace: env.namespace,
    workbenchNamespace: env.workbenchNamespace,
  };
}

export function toHostClusterView(
  host: HostCluster,
  allocated: { environments: number; cpuMillis: number; memoryMib: number },
): HostClusterView {
  return {
    id: host.id,
    name: host.name,
    region: host.region,
    apiServerUrl: host.apiServerUrl,
    status: host.status,
    capacity: {
      environments: host.capacityEnvironments,
      cpuMillis: host.capacityCpuMillis,
      memoryMib: host.capacityMemoryMib,
    },
    allocated,
    lastCheckedAt: host.lastCheckedAt?.toISOString() ?? null,
    lastCheckError: host.lastCheckError,
    createdAt: host.createdAt.toISOString(),
  };
}

/** An export a student can download (the bundle itself only through its own route). */
export interface EnvironmentExportView {
  id: string;
  environmentId: string;
  /** Why it was made: `reset`. */
  reason: string;
  sizeBytes: number;
  createdAt: string;
  /** After this it is deleted and no longer downloadable. */
  expiresAt: string;
}
