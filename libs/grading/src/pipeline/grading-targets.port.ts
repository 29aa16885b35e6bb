import type { GradingEnvironment } from '../runtime/grader.runtime.js';

/** Whose environment a grading runs against. */
export interface GradingSubject {
  submissionId: string;
  userId: string;
  cohortId: string;
  /** The task's slug. */
  taskId: string;
}

/**
 * The ports into one student's environment, and where it runs. A port this deployment cannot
 * provide is absent: graders that need it end in `error` at once, saying so (no retries).
 */
export interface GradingTargetSet extends GradingEnvironment {
  /** The host cluster the student's environment lives on: gradings are limited per host cluster. */
  hostClusterId?: string | null;
}

/**
 * Port: reaches a student's environment for grading (exec into their workbench, probes in their
 * vcluster). The class is its own DI token; the worker binds it (see apps/worker/src/grading).
 *
 * Contract: resolves with the ports; rejects with InfrastructureError when the machinery fails
 * (retried), or with GradingTargetUnavailable when the student's environment cannot be graded
 * now (not retried: the submission ends in `error` with that message).
 */
export abstract class GradingTargets {
  abstract forSubmission(subject: GradingSubject): Promise<GradingTargetSet>;
}

/**
 * The student's environment cannot be graded now, and retrying will not change that (none
 * exists, it was deleted or failed, or this deployment cannot reach environments). The message is
 * shown to the student.
 */
export class GradingTargetUnavailable extends Error {
  override readonly name = 'GradingTargetUnavailable';
}
