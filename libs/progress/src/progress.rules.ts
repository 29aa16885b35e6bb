import type { TaskStatus } from '@kubecohort/contracts';

/** Consecutive failures of the same check after which a student counts as stuck. */
export const STUCK_AFTER_FAILURES = 3;

/** Stands for "the task as a whole" when a failed attempt names no failing check (e.g. a quiz). */
export const WHOLE_TASK_CHECK = '*';

export type AttemptOutcome = 'passed' | 'failed' | 'pending_review';
export const ATTEMPT_OUTCOMES: readonly AttemptOutcome[] = ['passed', 'failed', 'pending_review'];

/** The stored fields of a task_progress row the rules read. */
export interface StoredProgress {
  status: TaskStatus;
  attempts: number;
  points: number;
  failStreak: number;
  failStreakCheck: string | null;
  startedAt: Date | null;
  completedAt: Date | null;
}

export interface AttemptFacts {
  outcome: AttemptOutcome;
  points: number;
  maxPoints: number;
  failedCheckIds: readonly string[];
}

export interface ProgressAfterAttempt {
  status: TaskStatus;
  attempts: number;
  points: number;
  maxPoints: number;
  failStreak: number;
  failStreakCheck: string | null;
  startedAt: Date;
  completedAt: Date | null;
  /** This attempt made the student stuck: the same check has now failed STUCK_AFTER_FAILURES times in a row. */
  becameStuck: boolean;
}

/**
 * What one graded attempt does to a student's progress on a task:
 * - attempts + 1; points = the best attempt's (never lowered by a worse attempt);
 * - status = the outcome, except that a passed task stays passed;
 * - fail streak: a failure continues the streak when the check being tracked failed again, else
 *   starts a new streak on the first failing check; a pass or a submission for review ends it.
 *   Only one check is tracked (the schema keeps one), so the streak follows the earliest failing
 *   check until it passes.
 */
export function applyAttempt(
  current: StoredProgress | null,
  attempt: AttemptFacts,
  now: Date,
): ProgressAfterAttempt {
  const wasPassed = current?.status === 'passed';
  const status: TaskStatus = wasPassed ? 'passed' : attempt.outcome;
  let failStreak = 0;
  let failStreakCheck: string | null = null;
  if (attempt.outcome === 'failed') {
    const failing = attempt.failedCheckIds.length > 0 ? attempt.failedCheckIds : [WHOLE_TASK_CHECK];
    if (current?.failStreakCheck && failing.includes(current.failStreakCheck)) {
      failStreak = current.failStreak + 1;
      failStreakCheck = current.failStreakCheck;
    } else {
      failStreak = 1;
      failStreakCheck = failing[0]!;
    }
  }
  return {
    status,
    attempts: (current?.attempts ?? 0) + 1,
    points: Math.max(current?.points ?? 0, attempt.points),
    maxPoints: attempt.maxPoints,
    failStreak,
    failStreakCheck,
    startedAt: current?.startedAt ?? now,
    completedAt: current?.completedAt ?? (status === 'passed' ? now : null),
    becameStuck: !wasPassed && failStreak === STUCK_AFTER_FAILURES,
  };
}

/** A stored row whose fail streak means the student is stuck on the task. */
export function isStuckOnTask(row: { status: TaskStatus; failStreak: number }): boolean {
  return row.status !== 'passed' && row.failStreak >= STUCK_AFTER_FAILURES;
}

/**
 * A task counts toward finishing its step when something verifies it: grader, quiz and review
 * tasks. Self-check tasks (reading, practice) never block a student.
 */
export function isGradeable(completion: string): boolean {
  return completion !== 'self_check';
}

/**
 * A step is done for a student when every gradeable task of it is passed (a step without
 * gradeable tasks is done at once). pending_review is not done: the work still may fail review.
 */
export function isStepDone(
  gradeableTaskIds: readonly string[],
  statusOf: (taskId: string) => TaskStatus | undefined,
): boolean {
  return gradeableTaskIds.every((taskId) => statusOf(taskId) === 'passed');
}

/**
 * Where a student on `currentStep` moves after a change: forward over every step that is done,
 * stopping at the first one that is not (or at the last step). Never moves back.
 */
export function advanceStep(
  currentStep: number,
  steps: readonly { number: number; gradeableTaskIds: readonly string[] }[],
  statusOf: (taskId: string) => TaskStatus | undefined,
): number {
  const ordered = [...steps].sort((a, b) => a.number - b.number);
  let index = ordered.findIndex((step) => step.number === currentStep);
  if (index < 0) return currentStep;
  while (index < ordered.length - 1 && isStepDone(ordered[index]!.gradeableTaskIds, statusOf)) index += 1;
  return ordered[index]!.number;
}

/** A cohort's schedule row for a step (absent rows mean locked). */
export interface StepSchedule {
  locked: boolean;
  unlocksAt: Date | null;
}

/** Unlocked by hand, or its unlock time has passed. A step without a schedule row is locked. */
export function isStepUnlocked(schedule: StepSchedule | undefined, now: Date): boolean {
  if (!schedule) return false;
  return !schedule.locked || (schedule.unlocksAt !== null && schedule.unlocksAt.getTime() <= now.getTime());
}
