import type { SubmissionStatusName } from '@kubecohort/contracts';
import type { RubricScore } from './submission.rules.js';

/** One check of a grading, as the student and their instructors see it. */
export interface SubmissionCheckView {
  id: string;
  title: string;
  passed: boolean;
  /** Not run (a dependency failed, time ran out), or a quiz's written item awaiting review. */
  skipped: boolean;
  points: number;
  maxPoints: number;
  /** Why it failed, in one line (at most 200 characters); null when passed. */
  message: string | null;
  hint: string | null;
  evidence: unknown;
}

export interface SubmissionReviewView {
  reviewerId: string | null;
  comment: string | null;
  rubric: RubricScore[];
}

/** GET /submissions/:id */
export interface SubmissionView {
  id: string;
  cohortId: string;
  userId: string;
  taskId: string;
  status: SubmissionStatusName;
  score: number | null;
  maxScore: number | null;
  /** What the student submitted (quiz answers, a write-up); null for grader and self-check tasks. */
  answer: unknown;
  /** Why the grading could not be carried out (status `error`); never a failed check. */
  error: string | null;
  checks: SubmissionCheckView[];
  review: SubmissionReviewView | null;
  /**
   * What a review scores (review tasks: the rubric; quizzes: their written items), so a reviewer's
   * form can be built from the submission alone; null for tasks nobody reviews (always set by the api).
   */
  reviewItems?: { id: string; criterion: string; points: number }[] | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** A row of the submission lists. */
export interface SubmissionSummaryView {
  id: string;
  cohortId: string;
  userId: string;
  taskId: string;
  status: SubmissionStatusName;
  score: number | null;
  maxScore: number | null;
  createdAt: string;
  finishedAt: string | null;
}

/** POST /submissions */
export interface SubmissionAccepted {
  id: string;
  status: 'queued';
}
