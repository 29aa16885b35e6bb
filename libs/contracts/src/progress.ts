import type { TaskCompletionKind, TaskStatus } from './task-status.js';

/**
 * Wire formats of curriculum plans and progress, shared by the api and the dashboard.
 *
 * # The progress matrix (`GET /api/v1/cohorts/:id/progress`)
 *
 * Students × tasks of one cohort, paginated by student. Every label is sent once: the task ids as
 * the column header, the students as the row header; the body is one small value per cell, laid
 * out in rows that line up with those headers. For row `s` and column `t`:
 *
 *   student  = page.students[s]          task     = page.tasks[t]
 *   status   = statusOfCode(page.cells[s][t])   (one character, see PROGRESS_STATUS_CODES)
 *   attempts = page.attempts[s][t]       points   = page.points[s][t]
 *   updated  = page.updatedAt[s][t]      (epoch seconds, null when the student never touched it)
 *
 * `cells[s]` is a string of exactly `tasks.length` characters. A cell without a stored row is
 * derived: `available` when the task's step is unlocked for the cohort, else `locked` (attempts 0,
 * points 0, updatedAt null). A page of 100 students × 38 tasks is ~70 kB (most of it the timestamps)
 * instead of ~900 kB as one JSON object per cell.
 *
 * Live updates: `revision` is the cohort's event id the page was built at or after. Apply
 * `progress.updated` live events with a greater id on top of the page; events carry absolute
 * values (status, attempts, points), so applying one the page already reflects is harmless. A
 * `passed` one may also move the student's `currentStep` on (the next read of the page shows it);
 * `plan.updated` and `enrollment.changed` events mean: read the page again.
 * Responses carry an ETag; send it back as If-None-Match to get a 304 when nothing changed.
 */
export interface ProgressMatrixPage {
  cohortId: string;
  /** The curriculum version number the cohort is pinned to. */
  version: number;
  /** Event id (decimal string) of the cohort's event log the page reflects at least. */
  revision: string;
  /** When the page was built (epoch seconds). */
  generatedAt: number;
  /** Column header: every task of the version in plan order. */
  tasks: ProgressMatrixTask[];
  /** Row header: this page's students, ordered by enrolment. */
  students: ProgressMatrixStudent[];
  /** One string per student; character t is the status code of task t. */
  cells: string[];
  attempts: number[][];
  /** Best attempt's points (or the instructor's override). */
  points: number[][];
  /** Last change of the cell, epoch seconds; null when there is no progress row. */
  updatedAt: (number | null)[][];
  /** Pass as `?cursor=` for the next page of students; null on the last page. */
  nextCursor: string | null;
}

export interface ProgressMatrixTask {
  /** The task's slug, stable across curriculum versions. */
  id: string;
  step: number;
  maxPoints: number;
}

export interface ProgressMatrixStudent {
  userId: string;
  displayName: string;
  /** The step the student is working on (1-based). */
  currentStep: number;
}

/** One character per status in matrix cells. */
export const PROGRESS_STATUS_CODES = {
  locked: 'L',
  available: 'A',
  in_progress: 'I',
  pending_review: 'R',
  passed: 'P',
  failed: 'F',
} as const satisfies Record<TaskStatus, string>;

export type ProgressStatusCode = (typeof PROGRESS_STATUS_CODES)[TaskStatus];

const STATUS_BY_CODE = new Map<string, TaskStatus>(
  Object.entries(PROGRESS_STATUS_CODES).map(([status, code]) => [code, status as TaskStatus]),
);

export function statusCode(status: TaskStatus): ProgressStatusCode {
  return PROGRESS_STATUS_CODES[status];
}

/** The status a matrix cell's character stands for; throws on an unknown character. */
export function statusOfCode(code: string): TaskStatus {
  const status = STATUS_BY_CODE.get(code);
  if (!status) throw new Error(`unknown progress status code ${JSON.stringify(code)}`);
  return status;
}

/** One decoded cell of a matrix page (for clients that prefer objects, e.g. tooltips). */
export interface ProgressMatrixCell {
  userId: string;
  taskId: string;
  status: TaskStatus;
  attempts: number;
  points: number;
  maxPoints: number;
  updatedAt: number | null;
}

export function matrixCell(page: ProgressMatrixPage, row: number, column: number): ProgressMatrixCell {
  const student = page.students[row];
  const task = page.tasks[column];
  if (!student || !task) throw new RangeError(`no cell at ${row},${column}`);
  return {
    userId: student.userId,
    taskId: task.id,
    status: statusOfCode(page.cells[row]!.charAt(column)),
    attempts: page.attempts[row]![column]!,
    points: page.points[row]![column]!,
    maxPoints: task.maxPoints,
    updatedAt: page.updatedAt[row]![column] ?? null,
  };
}

// ───────────────────────────── curriculum ─────────────────────────────

export interface CurriculumTaskSummary {
  /** The task's slug. */
  id: string;
  title: string;
  summary: string;
  completion: TaskCompletionKind;
  maxPoints: number;
  /** Counts toward finishing its step (grader, quiz and review tasks; self-checks do not). */
  gradeable: boolean;
  phase: number | null;
  lab: number | null;
}

export interface CurriculumStepView {
  number: number;
  slug: string;
  title: string;
  summary: string;
  sections: { title: string; items: string[] }[];
  tasks: CurriculumTaskSummary[];
}

export interface CurriculumView {
  version: number;
  title: string;
  publishedAt: string;
  steps: CurriculumStepView[];
  phases: {
    number: number;
    slug: string;
    title: string;
    objective: string;
    topics: { title: string; description: string }[];
    projects: string[];
  }[];
  labs: { number: number; slug: string; title: string; step: number; goals: string[] }[];
}

// ───────────────────────────── plan ─────────────────────────────

/** A student's progress on one task (stored, or derived locked/available). */
export interface TaskProgressView {
  taskId: string;
  step: number;
  status: TaskStatus;
  attempts: number;
  points: number;
  maxPoints: number;
  /** ISO time of the last change; null when derived. */
  updatedAt: string | null;
}

export interface PlanStepView {
  number: number;
  slug: string;
  title: string;
  /** Effective now: locked unless unlocked by hand or its `unlocksAt` has passed. */
  locked: boolean;
  unlocksAt: string | null;
  /** The cohort's deadline for the step. */
  deadline: string | null;
  /** Students only: their own extension of this step's deadline, if granted. */
  extension?: { deadline: string; reason: string } | null;
  /** Students only: the deadline that applies to them (their extension, else the cohort's). */
  effectiveDeadline?: string | null;
  tasks: (CurriculumTaskSummary & { progress?: TaskProgressView })[];
}

export interface PlanView {
  cohortId: string;
  version: number;
  steps: PlanStepView[];
  /** Students only: the step they are working on. */
  currentStep?: number;
}

// ───────────────────────────── analytics ─────────────────────────────

export interface FunnelView {
  steps: { step: number; title: string; started: number; completed: number }[];
}

export interface StuckStudentView {
  userId: string;
  displayName: string;
  /** The student's current step. */
  step: number;
  /** The task a repeated check failure is on, when that is (one of) the reason(s). */
  taskId: string | null;
  reasons: string[];
}
