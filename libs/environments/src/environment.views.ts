import type {
  EnvironmentExportView,
  EnvironmentView,
  HostClusterView,
  StaffEnvironmentView,
} from '@kubecohort/contracts';
import type { Environment, HostCluster } from '@kubecohort/database';

export type { EnvironmentExportView, EnvironmentView, HostClusterView, StaffEnvironmentView };

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
