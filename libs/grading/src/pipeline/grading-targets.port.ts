import type { EnvironmentStateName } from '@kubecohort/contracts';
import type { GradingEnvironment } from '../runtime/grader.runtime.js';

/**
 * A student's environment as the grading claim reads it (the environments row for the student),
 * for the port to open transports into. `kubeconfigEncrypted` is ciphertext; never logged.
 */
export interface EnvironmentRecord {
  id: string;
  cohortId: string | null;
  userId: string | null;
  hostClusterId: string | null;
  state: EnvironmentStateName;
  namespace: string | null;
  workbenchNamespace: string | null;
  vclusterName: string | null;
  serverUrl: string | null;
  kubeconfigEncrypted: string | null;
}

/** Whose environment a grading runs against. */
export interface GradingSubject {
  submissionId: string;
  userId: string;
  cohortId: string;
  /** The task's slug. */
  taskId: string;
}

/**
 * The ports into one student's environment. A port this deployment cannot provide is absent:
 * graders that need it end in `error` at once, saying so (no retries).
 */
export type GradingTargetSet = GradingEnvironment;

/**
 * Port: reaches a student's environment for grading (exec into their workbench, probes in their
 * vcluster). The class is its own DI token; the worker binds it (see apps/worker/src/grading).
 *
 * Contract: `open` gets the environment the claim read (null: the student has none) and returns
 * the ports; it throws InfrastructureError when the machinery fails or the environment is on its
 * way up (retried), or GradingTargetUnavailable when it cannot be graded now (not retried: the
 * submission ends in `error` with that message).
 */
export abstract class GradingTargets {
  abstract open(subject: GradingSubject, environment: EnvironmentRecord | null): GradingTargetSet;
}

/**
 * The student's environment cannot be graded now, and retrying will not change that (none
 * exists, it was deleted or failed, or this deployment cannot reach environments). The message is
 * shown to the student.
 */
export class GradingTargetUnavailable extends Error {
  override readonly name = 'GradingTargetUnavailable';
}
