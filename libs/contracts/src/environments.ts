import type { EnvironmentStateName } from './task-status.js';

// The environments API's response shapes, shared by libs/environments (which builds them) and the
// dashboard (which reads them).

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

export interface ResourceHours {
  cpuHours: number;
  memoryGibHours: number;
}

export interface EnvironmentOperationView {
  id: string;
  cohortId: string;
  kind: string;
  state: 'running' | 'succeeded' | 'stopped';
  /** Students covered (active enrollments). */
  total: number;
  /** Students who already had a live environment. */
  skipped: number;
  /** Environments this operation created, and how many of them are ready (or asleep since) or failed. */
  created: number;
  ready: number;
  failed: number;
  /** (skipped + ready + failed) / total, 0-100: the progress bar. */
  percent: number;
  stopReason: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface CostForecastView {
  cohortId: string;
  students: number;
  footprint: { cpuMillis: number; memoryMib: number };
  schedule: {
    startsAt: string | null;
    endsAt: string | null;
    days: number | null;
    awakeHoursPerDay: number;
    hoursPerEnvironment: number | null;
  };
  /** students x footprint x schedule; null without both start and end dates. */
  forecast: ResourceHours | null;
  spent: ResourceHours;
  budget: { cpuHours: number | null; memoryGibHours: number | null };
  /** null when there is no budget or no forecast. */
  withinBudget: boolean | null;
}
