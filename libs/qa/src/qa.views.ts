import type { SubmissionStatusName } from '@kubecohort/contracts';

/** Wire formats of the Q&A routes (the bot reads these too). Times are ISO 8601 strings. */

export interface UserRef {
  id: string;
  displayName: string;
}

/** The asker's last finished grading of the question's task, when they asked. */
export interface GradingSummary {
  submissionId: string;
  status: SubmissionStatusName;
  score: number | null;
  maxScore: number | null;
  /** When the grading finished (its creation time if the row has no finish time). */
  at: string;
  /** Checks that failed (skipped checks are not failures), in the grader's order. */
  failedChecks: { id: string; title: string; message: string | null }[];
}

/** Captured automatically at asking time; never supplied by the client. */
export interface AskerContext {
  /** The asker's current step (their enrolment's), null for staff asking. */
  step: number | null;
  task: { id: string; title: string; step: number } | null;
  lastGrading: GradingSummary | null;
}

export type QuestionStatusName = 'open' | 'answered' | 'solved';
export type SolvedBy = 'accepted' | 'grading';

export interface QuestionView {
  id: string;
  cohortId: string;
  author: UserRef;
  title: string;
  body: string;
  taskId: string | null;
  step: number | null;
  tags: string[];
  /** open: no answer yet; answered: has answers; solved: an answer was accepted or grading passed. */
  status: QuestionStatusName;
  answerCount: number;
  acceptedAnswerId: string | null;
  solvedAt: string | null;
  solvedBy: SolvedBy | null;
  locked: boolean;
  lockedAt: string | null;
  discordThreadId: string | null;
  context: AskerContext | null;
  createdAt: string;
  updatedAt: string;
}

export interface AnswerView {
  id: string;
  questionId: string;
  author: UserRef;
  body: string;
  /** Sum of votes. */
  score: number;
  /** The caller's own vote: 1, -1, or 0 for none. */
  myVote: -1 | 0 | 1;
  accepted: boolean;
  endorsement: { by: UserRef; at: string } | null;
  discordMessageId: string | null;
  createdAt: string;
  updatedAt: string;
}

/** GET /questions/:id: answers accepted first, then endorsed, then by score, then oldest first. */
export interface QuestionDetailView extends QuestionView {
  answers: AnswerView[];
}

export interface SimilarQuestionView {
  id: string;
  title: string;
  status: QuestionStatusName;
  taskId: string | null;
  answerCount: number;
  acceptedAnswerId: string | null;
  createdAt: string;
}

/** POST /cohorts/:id/questions: the new question and up to three similar earlier ones. */
export interface AskedQuestionView extends QuestionView {
  similar: SimilarQuestionView[];
}

export interface VoteView {
  answerId: string;
  /** The caller's vote after the request (0: none). */
  value: -1 | 0 | 1;
  score: number;
}

export interface FaqEntry {
  questionId: string;
  title: string;
  body: string;
  tags: string[];
  solvedAt: string | null;
  answer: { id: string; body: string; author: UserRef; score: number; endorsed: boolean };
}

/** One task (or a step's general questions when taskId is null, or the cohort's when step is null too). */
export interface FaqGroup {
  step: number | null;
  stepTitle: string | null;
  taskId: string | null;
  taskTitle: string | null;
  entries: FaqEntry[];
}

export interface FaqView {
  cohortId: string;
  groups: FaqGroup[];
}
