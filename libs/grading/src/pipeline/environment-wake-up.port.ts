import type { EnvironmentStateName } from '@kubecohort/contracts';

/** The student's environment as the submission's context read it. */
export interface SubmitterEnvironment {
  id: string;
  state: EnvironmentStateName;
  cohortId: string | null;
}

/**
 * Port: a submission of a task graded in the student's environment starts waking that environment
 * (when asleep) before it is queued, so its grading finds it waking (retried until ready) instead
 * of asleep. Never throws: a failed wake is logged and the grading says the environment is asleep.
 * The api binds it (EnvironmentLifecycle); the worker, which never submits, binds nothing.
 */
export abstract class EnvironmentWakeUp {
  abstract wake(userId: string, environment: SubmitterEnvironment | null): Promise<void>;
}
