import { DomainError, type FieldProblem } from '@kubecohort/contracts';
import type { QuizItem, RubricItem } from '@kubecohort/curriculum';
import { MAX_MESSAGE_LENGTH } from '../runtime/check-spec.types.js';
import type { CheckResult } from '../runtime/grading-result.types.js';

/**
 * The pure rules of submissions: what answer each kind of task takes, how quizzes and self-checks
 * are graded (no environment needed), and what an instructor's review must contain.
 */

/** Outbox topic and BullMQ job of a grading (the job id is the submission id). */
export const GRADE_SUBMISSION_JOB = 'grading.grade-submission' as const;

/** A review passes when its score reaches this share of the task's points (rounded up). */
export const REVIEW_PASS_RATIO = 0.6;

export const MAX_WRITTEN_ANSWER_LENGTH = 10_000;
export const MAX_REVIEW_TEXT_LENGTH = 50_000;
export const MAX_REVIEW_URL_LENGTH = 2_000;
export const MAX_REVIEW_COMMENT_LENGTH = 10_000;

export type CompletionKind = 'grader' | 'quiz' | 'review' | 'self_check';

/** A curriculum task as the pipeline needs it (immutable within a curriculum version). */
export interface TaskDefinition {
  slug: string;
  title: string;
  step: number;
  completion: CompletionKind;
  graderId: string | null;
  maxPoints: number;
  quiz: QuizItem[] | null;
  rubric: RubricItem[] | null;
}

/** `{answers: {<item id>: <option index> | <written text>}}` */
export interface QuizAnswer {
  answers: Record<string, number | string>;
}

/** A write-up pasted in, a link to it, or both. */
export interface ReviewAnswer {
  text?: string;
  url?: string;
}

export type SubmissionAnswer = QuizAnswer | ReviewAnswer;

/** Grader tasks run against the student's environment; the other kinds need none. */
export function needsEnvironment(task: Pick<TaskDefinition, 'completion'>): boolean {
  return task.completion === 'grader';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks a submission's `answer` against its task and returns what to store (null when the task
 * takes none). Throws a 400 DomainError naming every problem by field.
 */
export function validateAnswer(task: TaskDefinition, answer: unknown): SubmissionAnswer | null {
  const problems: FieldProblem[] = [];
  switch (task.completion) {
    case 'grader':
    case 'self_check':
      if (answer !== undefined && answer !== null) {
        problems.push({
          field: 'answer',
          problem: `must be omitted: ${task.completion === 'grader' ? 'the grader checks your environment' : 'a self-check task is marked done'}`,
        });
      }
      break;
    case 'quiz':
      return validateQuizAnswer(task, answer);
    case 'review':
      return validateReviewAnswer(answer);
  }
  if (problems.length > 0) throw DomainError.invalid('invalid answer', problems);
  return null;
}

function validateQuizAnswer(task: TaskDefinition, answer: unknown): QuizAnswer {
  const items = new Map((task.quiz ?? []).map((item) => [item.id, item]));
  if (!isPlainObject(answer) || !isPlainObject(answer.answers)) {
    throw DomainError.invalid('invalid answer', [
      {
        field: 'answer',
        problem: 'must be {"answers": {"<item id>": <option index> or "<written answer>"}} for a quiz',
      },
    ]);
  }
  const problems: FieldProblem[] = [];
  for (const key of Object.keys(answer)) {
    if (key !== 'answers') problems.push({ field: `answer.${key}`, problem: 'is not a known field' });
  }
  const answers: Record<string, number | string> = {};
  for (const [id, value] of Object.entries(answer.answers)) {
    const field = `answer.answers.${id}`;
    const item = items.get(id);
    if (!item) {
      problems.push({ field, problem: 'is not an item of this quiz' });
      continue;
    }
    if (item.kind === 'multiple_choice') {
      if (
        typeof value !== 'number' ||
        !Number.isInteger(value) ||
        value < 0 ||
        value >= item.options.length
      ) {
        problems.push({ field, problem: `must be an option index from 0 to ${item.options.length - 1}` });
        continue;
      }
    } else if (
      typeof value !== 'string' ||
      value.trim().length === 0 ||
      value.length > MAX_WRITTEN_ANSWER_LENGTH
    ) {
      problems.push({
        field,
        problem: `must be your written answer (1 to ${MAX_WRITTEN_ANSWER_LENGTH} characters)`,
      });
      continue;
    }
    answers[id] = value;
  }
  if (problems.length === 0 && Object.keys(answers).length === 0) {
    problems.push({ field: 'answer.answers', problem: 'must answer at least one item' });
  }
  if (problems.length > 0) throw DomainError.invalid('invalid answer', problems);
  return { answers };
}

function validateReviewAnswer(answer: unknown): ReviewAnswer {
  if (!isPlainObject(answer)) {
    throw DomainError.invalid('invalid answer', [
      { field: 'answer', problem: 'must be {"text": "<your write-up>"} and/or {"url": "<link to it>"}' },
    ]);
  }
  const problems: FieldProblem[] = [];
  for (const key of Object.keys(answer)) {
    if (key !== 'text' && key !== 'url')
      problems.push({ field: `answer.${key}`, problem: 'is not a known field' });
  }
  const { text, url } = answer;
  if (
    text !== undefined &&
    (typeof text !== 'string' || text.trim().length === 0 || text.length > MAX_REVIEW_TEXT_LENGTH)
  ) {
    problems.push({
      field: 'answer.text',
      problem: `must be text of 1 to ${MAX_REVIEW_TEXT_LENGTH} characters`,
    });
  }
  if (
    url !== undefined &&
    (typeof url !== 'string' || url.length > MAX_REVIEW_URL_LENGTH || !isHttpUrl(url))
  ) {
    problems.push({ field: 'answer.url', problem: 'must be an http(s) URL' });
  }
  if (text === undefined && url === undefined) {
    problems.push({ field: 'answer', problem: 'must have a text, a url, or both' });
  }
  if (problems.length > 0) throw DomainError.invalid('invalid answer', problems);
  return {
    ...(text !== undefined ? { text: text as string } : {}),
    ...(url !== undefined ? { url: url as string } : {}),
  };
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** What grading a task without an environment (quiz, self-check, review) gives. */
export interface LocalGrading {
  status: 'passed' | 'failed' | 'pending_review';
  /** null while a review task waits for its reviewer. */
  score: number | null;
  maxScore: number;
  checks: CheckResult[];
}

function clamp(text: string): string {
  return text.length <= MAX_MESSAGE_LENGTH ? text : `${text.slice(0, MAX_MESSAGE_LENGTH - 1)}…`;
}

/**
 * Grades a quiz: each multiple-choice item is a check (the explanation is the hint of a wrong
 * one; the correct option is never revealed). Written items wait for an instructor: when the quiz
 * has any, the submission goes to pending_review with the automatic points so far.
 */
export function gradeQuiz(task: TaskDefinition, answer: QuizAnswer): LocalGrading {
  const checks: CheckResult[] = [];
  let written = 0;
  for (const item of task.quiz ?? []) {
    const given = answer.answers[item.id];
    const base = { id: item.id, title: clamp(item.prompt), maxPoints: item.points, durationMs: 0 };
    if (item.kind === 'written') {
      written += 1;
      checks.push({
        ...base,
        passed: false,
        skipped: true,
        points: 0,
        message:
          given === undefined
            ? 'Not answered: an instructor scores the written items'
            : 'Awaiting review by an instructor',
        hint: null,
        evidence: { answered: given !== undefined },
      });
      continue;
    }
    const passed = given === item.answerIndex;
    checks.push({
      ...base,
      passed,
      skipped: false,
      points: passed ? item.points : 0,
      message: passed ? null : given === undefined ? 'Not answered' : 'Not the right answer',
      hint: passed ? null : clamp(item.explanation),
      evidence: { answer: typeof given === 'number' ? given : null },
    });
  }
  const score = checks.reduce((sum, check) => sum + check.points, 0);
  const allChoicesRight = checks.every((check) => check.skipped || check.passed);
  return {
    status: written > 0 ? 'pending_review' : allChoicesRight ? 'passed' : 'failed',
    score,
    maxScore: task.maxPoints,
    checks,
  };
}

/** A self-check task passes when the student submits it. */
export function gradeSelfCheck(task: TaskDefinition): LocalGrading {
  return {
    status: 'passed',
    score: task.maxPoints,
    maxScore: task.maxPoints,
    checks: [
      {
        id: 'self-check',
        title: 'Marked as done by the student',
        passed: true,
        skipped: false,
        points: task.maxPoints,
        maxPoints: task.maxPoints,
        message: null,
        hint: null,
        evidence: {},
        durationMs: 0,
      },
    ],
  };
}

/** A review task waits for an instructor; nothing is scored until then. */
export function awaitReview(task: TaskDefinition): LocalGrading {
  return { status: 'pending_review', score: null, maxScore: task.maxPoints, checks: [] };
}

/** One rubric line of a review. */
export interface RubricScore {
  id: string;
  points: number;
  comment?: string;
}

export interface ReviewInput {
  score: number;
  comment?: string;
  rubric: RubricScore[];
}

export interface ReviewDecision {
  status: 'passed' | 'failed';
  /** The submission's final score: the review's, plus a quiz's automatic points. */
  score: number;
  maxScore: number;
  rubric: RubricScore[];
}

/**
 * What an instructor reviews: a review task's rubric, or a quiz's written items (each scored up to
 * its points). Null when the task is not reviewable.
 */
export function reviewItems(task: TaskDefinition): RubricItem[] | null {
  if (task.completion === 'review') return task.rubric ?? [];
  if (task.completion === 'quiz') {
    const written = (task.quiz ?? []).filter((item) => item.kind === 'written');
    return written.length > 0
      ? written.map((item) => ({ id: item.id, criterion: item.prompt, points: item.points }))
      : null;
  }
  return null;
}

/**
 * Validates a review against the task: every rubric item scored exactly once, each within its
 * points, and `score` equal to their sum (so the two never disagree). A quiz's review scores its
 * written items; the automatic points of its multiple-choice items are added. Passed when the
 * final score reaches REVIEW_PASS_RATIO of the task's points.
 */
export function decideReview(
  task: TaskDefinition,
  input: ReviewInput,
  automaticScore: number,
): ReviewDecision {
  const items = reviewItems(task);
  if (!items)
    throw DomainError.conflict('not_reviewable', `task ${task.slug} is not reviewed by an instructor`);
  const problems: FieldProblem[] = [];
  const byId = new Map(items.map((item) => [item.id, item]));
  const seen = new Set<string>();
  input.rubric.forEach((line, index) => {
    const item = byId.get(line.id);
    if (!item) {
      problems.push({
        field: `rubric[${index}].id`,
        problem: `is not an item of the rubric (${items.map((known) => known.id).join(', ')})`,
      });
      return;
    }
    if (seen.has(line.id)) problems.push({ field: `rubric[${index}].id`, problem: 'is scored twice' });
    seen.add(line.id);
    if (!Number.isInteger(line.points) || line.points < 0 || line.points > item.points) {
      problems.push({
        field: `rubric[${index}].points`,
        problem: `must be an integer from 0 to ${item.points}`,
      });
    }
  });
  const missing = items.filter((item) => !seen.has(item.id)).map((item) => item.id);
  if (missing.length > 0)
    problems.push({ field: 'rubric', problem: `must score every item; missing: ${missing.join(', ')}` });
  const reviewMax = items.reduce((sum, item) => sum + item.points, 0);
  if (!Number.isInteger(input.score) || input.score < 0 || input.score > reviewMax) {
    problems.push({ field: 'score', problem: `must be an integer from 0 to ${reviewMax}` });
  } else if (problems.length === 0) {
    const sum = input.rubric.reduce((total, line) => total + line.points, 0);
    if (sum !== input.score)
      problems.push({ field: 'score', problem: `must equal the sum of the rubric points (${sum})` });
  }
  if (problems.length > 0) throw DomainError.invalid('invalid review', problems);
  const score = Math.min(task.maxPoints, automaticScore + input.score);
  return {
    status: score >= Math.ceil(task.maxPoints * REVIEW_PASS_RATIO) ? 'passed' : 'failed',
    score,
    maxScore: task.maxPoints,
    rubric: input.rubric.map((line) => ({
      id: line.id,
      points: line.points,
      ...(line.comment ? { comment: line.comment } : {}),
    })),
  };
}
