export type GradingStatus = 'passed' | 'failed' | 'error';

/** JSON-serialisable details of what a check saw, for the student and the dashboard. */
export type Evidence = Record<string, unknown>;

export interface CheckResult {
  id: string;
  title: string;
  passed: boolean;
  /** Not run: a dependency did not pass, the time limit was reached, or the grading stopped. */
  skipped: boolean;
  /** Points earned: `maxPoints` when passed, else 0. */
  points: number;
  maxPoints: number;
  /** Why it failed or was skipped (at most 200 characters); null when passed. */
  message: string | null;
  /** Null when passed. */
  hint: string | null;
  evidence: Evidence;
  durationMs: number;
}

export interface GradingError {
  /** `infrastructure`: retry the grading; `internal`: a bug in a grader, retrying will not help. */
  kind: 'infrastructure' | 'internal';
  code: string;
  message: string;
  /** The check that was running, if any. */
  checkId?: string;
}

export interface GradingResult {
  taskId: string;
  graderId: string;
  /** `error` only when the grading could not be carried out; a failed check makes it `failed`. */
  status: GradingStatus;
  score: number;
  maxScore: number;
  checks: CheckResult[];
  error?: GradingError;
  durationMs: number;
}
