import type { TaskProgressView, TaskStatus } from '@kubecohort/contracts';
import type { CatalogTask } from './curriculum.catalog.js';

export interface ProgressRowLike {
  status: TaskStatus;
  attempts: number;
  points: number;
  maxPoints: number;
  updatedAt: Date;
}

/** A student's progress on a task: the stored row, or derived (available/locked) without one. */
export function progressView(
  task: CatalogTask,
  row: ProgressRowLike | null | undefined,
  stepUnlocked: boolean,
): TaskProgressView {
  if (!row) {
    return {
      taskId: task.id,
      step: task.step,
      status: stepUnlocked ? 'available' : 'locked',
      attempts: 0,
      points: 0,
      maxPoints: task.maxPoints,
      updatedAt: null,
    };
  }
  return {
    taskId: task.id,
    step: task.step,
    status: row.status,
    attempts: row.attempts,
    points: row.points,
    maxPoints: row.maxPoints,
    updatedAt: row.updatedAt.toISOString(),
  };
}
