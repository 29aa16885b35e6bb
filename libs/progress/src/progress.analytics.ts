import type { FunnelView, StuckStudentView, TaskStatus } from '@kubecohort/contracts';
import { isStepDone, isStuckOnTask, STUCK_AFTER_FAILURES, WHOLE_TASK_CHECK } from './progress.rules.js';

/** Students needed to have finished a step before time on it can flag anyone. */
export const MIN_FINISHERS_FOR_TIME_RULE = 5;
export const TIME_RULE_PERCENTILE = 0.75;

export interface AnalyticsStep {
  number: number;
  title: string;
  /** Gradeable task ids of the step, in plan order. */
  gradeableTaskIds: string[];
  /** Every task id of the step (gradeable or not), in plan order. */
  taskIds: string[];
  /** Effective lock state now. */
  unlocked: boolean;
  unlocksAt: Date | null;
}

export interface AnalyticsProgress {
  status: TaskStatus;
  failStreak: number;
  failStreakCheck: string | null;
  completedAt: Date | null;
}

export interface AnalyticsStudent {
  userId: string;
  displayName: string;
  /** Active students can be stuck; completed enrolments count for the funnel and as finishers. */
  active: boolean;
  enrolledAt: Date;
  currentStep: number;
  stepStartedAt: Date;
  progress: Map<string, AnalyticsProgress>;
}

/** Linear interpolation between closest ranks (PostgreSQL percentile_cont, Excel PERCENTILE.INC). */
export function percentile(values: readonly number[], fraction: number): number {
  if (values.length === 0) throw new RangeError('percentile of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (sorted.length - 1) * fraction;
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

export function formatDuration(ms: number): string {
  const minutes = ms / 60_000;
  if (minutes < 90) return `${Math.max(1, Math.round(minutes))} min`;
  const hours = minutes / 60;
  if (hours < 48) return `${hours.toFixed(1)} h`;
  return `${(hours / 24).toFixed(1)} days`;
}

/**
 * How long each student took on each step they finished. A student finished step k when they moved
 * past it (currentStep > k) or, on the last step, when it is done. They started step k when they
 * finished step k-1 (step 1: when they enrolled), or when step k unlocked on schedule if that was
 * later, and finished it when its last gradeable task passed (or when they started it, if its tasks
 * were already passed). A student whose passed state was later overridden away has no known finish
 * time and is left out from that step on.
 */
export function stepDurations(
  steps: readonly AnalyticsStep[],
  student: AnalyticsStudent,
): Map<number, number> {
  const durations = new Map<number, number>();
  const last = steps.at(-1)?.number;
  let previousFinish = student.enrolledAt.getTime();
  for (const step of steps) {
    const finished =
      student.currentStep > step.number ||
      (step.number === last && isStepDone(step.gradeableTaskIds, (id) => student.progress.get(id)?.status));
    if (!finished) break;
    const start = Math.max(previousFinish, step.unlocksAt?.getTime() ?? -Infinity);
    let finish = start;
    for (const taskId of step.gradeableTaskIds) {
      const completedAt = student.progress.get(taskId)?.completedAt;
      if (!completedAt) return durations;
      finish = Math.max(finish, completedAt.getTime());
    }
    durations.set(step.number, finish - start);
    previousFinish = finish;
  }
  return durations;
}

/**
 * Who is stuck, and why:
 * - the same check of a task failed STUCK_AFTER_FAILURES (3) times in a row (task not passed since);
 * - or their time on their current step is beyond the 75th percentile of the time this cohort's
 *   students who finished that step took — only once at least 5 have finished it. Time on a step
 *   counts from when the student reached it (or its scheduled unlock, if later). Students whose
 *   current step is locked, done, or only waiting for reviews are waiting, not stuck.
 */
export function findStuck(
  steps: readonly AnalyticsStep[],
  students: readonly AnalyticsStudent[],
  now: Date,
): StuckStudentView[] {
  const byStep = new Map<number, number[]>();
  for (const student of students) {
    for (const [step, duration] of stepDurations(steps, student)) {
      const list = byStep.get(step) ?? [];
      list.push(duration);
      byStep.set(step, list);
    }
  }
  const stepByNumber = new Map(steps.map((step) => [step.number, step]));
  const taskOrder = steps.flatMap((step) => step.taskIds);
  const stuck: StuckStudentView[] = [];
  for (const student of students) {
    if (!student.active) continue;
    const reasons: string[] = [];
    let taskId: string | null = null;
    for (const id of taskOrder) {
      const row = student.progress.get(id);
      if (!row || !isStuckOnTask(row)) continue;
      taskId ??= id;
      const check =
        row.failStreakCheck === WHOLE_TASK_CHECK || !row.failStreakCheck
          ? 'the task'
          : `check "${row.failStreakCheck}"`;
      reasons.push(
        `${check} of task ${id} failed ${row.failStreak} times in a row (stuck after ${STUCK_AFTER_FAILURES})`,
      );
    }
    const step = stepByNumber.get(student.currentStep);
    const finishers = byStep.get(student.currentStep) ?? [];
    if (
      step &&
      step.unlocked &&
      finishers.length >= MIN_FINISHERS_FOR_TIME_RULE &&
      isWorkingOn(step, student)
    ) {
      const threshold = percentile(finishers, TIME_RULE_PERCENTILE);
      const since = Math.max(student.stepStartedAt.getTime(), step.unlocksAt?.getTime() ?? -Infinity);
      const spent = now.getTime() - since;
      if (spent > threshold) {
        reasons.push(
          `on step ${step.number} (${step.title}) for ${formatDuration(spent)}; 75% of the ${finishers.length} students ` +
            `who finished it took ${formatDuration(threshold)} or less`,
        );
      }
    }
    if (reasons.length > 0) {
      stuck.push({
        userId: student.userId,
        displayName: student.displayName,
        step: student.currentStep,
        taskId,
        reasons,
      });
    }
  }
  return stuck;
}

/** The student still has gradeable work on the step that is neither passed nor awaiting review. */
function isWorkingOn(step: AnalyticsStep, student: AnalyticsStudent): boolean {
  return step.gradeableTaskIds.some((id) => {
    const status = student.progress.get(id)?.status;
    return status !== 'passed' && status !== 'pending_review';
  });
}

/**
 * Per step of the plan: started = students with any progress row on the step's tasks or whose
 * current step is at or past it; completed = students with every gradeable task of the step passed
 * (for a step without gradeable tasks: every student who started it). Unenrolled students are not
 * counted; the caller passes active and completed enrolments.
 */
export function funnel(steps: readonly AnalyticsStep[], students: readonly AnalyticsStudent[]): FunnelView {
  return {
    steps: steps.map((step) => {
      let started = 0;
      let completed = 0;
      for (const student of students) {
        const touched =
          student.currentStep >= step.number || step.taskIds.some((id) => student.progress.has(id));
        if (!touched) continue;
        started += 1;
        if (isStepDone(step.gradeableTaskIds, (id) => student.progress.get(id)?.status)) completed += 1;
      }
      return { step: step.number, title: step.title, started, completed };
    }),
  };
}
