/**
 * Every queue and job of the platform, with its payload type. Producers and processors use these
 * names only, so a renamed job fails to compile instead of silently never running.
 */
export const QUEUE_NAMES = ['maintenance', 'grading', 'provisioning', 'lifecycle', 'notifications'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export interface JobPayloads {
  /** Deletes expired refresh tokens, link codes and reset codes. Repeats hourly. */
  'maintenance.purge-expired-credentials': { olderThanHours: number };
  /** Prunes live events older than the retention window (the api schedules it hourly). */
  'maintenance.prune-events': { retentionHours: number };
  /** Provisions one student environment, step by step (job id `provision-<environmentId>`). */
  'environments.provision': { environmentId: string };
  /** Tears one environment down (job id `teardown-<environmentId>`). */
  'environments.teardown': { environmentId: string };
  /** Re-enqueues provisioning and teardown work that has no live job (a lost enqueue, a job that died). */
  'environments.reconcile': { staleAfterSeconds: number };
  /** Scales a sleeping environment's vcluster to zero and removes its synced pods (job id `sleep-<environmentId>`). */
  'environments.sleep': { environmentId: string };
  /** Scales a waking environment's vcluster back up until its API answers (job id `wake-<environmentId>`). */
  'environments.wake': { environmentId: string };
  /** Exports the student's objects, then replaces the environment with a fresh one (job id `reset-<environmentId>`). */
  'environments.reset': { environmentId: string; requestedBy: string };
  /** Provisions every enrolled student of a cohort, a bounded number at a time (job id `provision-cohort-<operationId>`). */
  'environments.provision-cohort': { operationId: string };
  /** Exports, then tears down, an environment past its expiry or its cohort's end (job id `expire-<environmentId>`). */
  'environments.expire': { environmentId: string };
  /** Keeps the warm pool at its target size (repeats). */
  'environments.pool-refill': Record<string, never>;
  /** Gives a claimed pool environment's namespaces its cohort and student labels (job id `relabel-<environmentId>`). */
  'environments.relabel': { environmentId: string };
  /** Puts environments to sleep whose student and vcluster API were both idle long enough. Repeats. */
  'environments.idle-check': { idleAfterSeconds: number };
  /**
   * Grades one submission. Added by the outbox relay only (job id = the submission id), so a
   * submission is queued exactly when its row committed. `environment`: the task is graded against
   * the student's environment (grader tasks), so the per-host-cluster limit applies.
   * `hostClusterId`: where that environment ran when the student submitted (null: it had none), so
   * the worker takes that cluster's slot before it claims; absent (a redriven job) means "look it
   * up". The claim reads the environment again and follows it if it moved.
   */
  'grading.grade-submission': {
    submissionId: string;
    userId: string;
    cohortId: string;
    taskId: string;
    environment: boolean;
    hostClusterId?: string | null;
  };
  /**
   * Deploys the troubleshoot app with the student's fault for troubleshooting incident `incident`
   * into their vcluster, replacing namespace troubleshoot. Added each time the student starts (or
   * restarts) the incident; the fault follows from the student id, so a restart brings it back.
   */
  'grading.prepare-incident': { userId: string; taskId: string; incident: number };
}
export type JobName = keyof JobPayloads;

export const JOB_QUEUES: { [J in JobName]: QueueName } = {
  'maintenance.purge-expired-credentials': 'maintenance',
  'maintenance.prune-events': 'maintenance',
  'environments.provision': 'provisioning',
  'environments.teardown': 'provisioning',
  'environments.reconcile': 'provisioning',
  'environments.sleep': 'provisioning',
  'environments.wake': 'provisioning',
  'environments.reset': 'provisioning',
  'environments.idle-check': 'provisioning',
  'environments.provision-cohort': 'provisioning',
  'environments.expire': 'provisioning',
  'environments.pool-refill': 'provisioning',
  'environments.relabel': 'provisioning',
  'grading.grade-submission': 'grading',
  'grading.prepare-incident': 'grading',
};

export function queueOf(job: JobName): QueueName {
  return JOB_QUEUES[job];
}
