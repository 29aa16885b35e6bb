/** Response shapes of the api (see /api/docs); progress and live-event types come from libs/contracts. */
import type { EnvironmentStateName, SubmissionStatusName } from '@kubecohort/contracts';

export type {
  EventPayloads,
  EventType,
  FunnelView,
  LiveEvent,
  Page,
  PlanStepView,
  PlanView,
  ProgressMatrixPage,
  StuckStudentView,
  TaskProgressView,
  TaskStatus,
} from '@kubecohort/contracts';

export type Role = 'admin' | 'instructor' | 'student';

export interface Me {
  id: string;
  email: string | null;
  displayName: string;
  role: Role;
  discord: { userId: string; username: string } | null;
  enrollment: {
    id: string;
    cohortId: string;
    cohortName: string;
    status: 'active' | 'unenrolled' | 'completed';
    currentStep: number;
  } | null;
}

export interface CohortSummary {
  id: string;
  name: string;
  status: 'draft' | 'active' | 'completed' | 'archived';
  timeZone: string;
  startsAt: string | null;
  endsAt: string | null;
  createdAt: string;
}

export interface Cohort extends CohortSummary {
  view: 'staff' | 'student';
  curriculumVersion: { id: string; version: number; title: string };
  steps: { step: number; locked: boolean; unlocksAt: string | null; deadline: string | null }[];
  instructors: { userId: string; displayName: string }[];
  activeStudents?: number;
}

export interface StudentRow {
  userId: string;
  displayName: string;
  email: string | null;
  discordUsername: string | null;
  status: 'active' | 'unenrolled' | 'completed';
  enrolledAt: string;
  currentStep: number;
}

export interface RosterImportResult {
  created: number;
  updated: number;
  unchanged: number;
  errors: { line: number; message: string }[];
}

export type SubmissionStatus = SubmissionStatusName;

export interface SubmissionSummary {
  id: string;
  cohortId: string;
  userId: string;
  taskId: string;
  status: SubmissionStatus;
  score: number | null;
  maxScore: number | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface SubmissionCheck {
  id: string;
  title: string;
  passed: boolean;
  skipped: boolean;
  points: number;
  maxPoints: number;
  message: string | null;
  hint: string | null;
  evidence: Record<string, unknown> | null;
}

export interface Submission extends SubmissionSummary {
  answer: Record<string, unknown> | null;
  error: string | null;
  checks: SubmissionCheck[];
  review: {
    reviewerId: string | null;
    comment: string | null;
    rubric: { id: string; points: number; comment?: string }[];
  } | null;
  /** What a review scores (rubric items, a quiz's written items); null for tasks nobody reviews. */
  reviewItems?: { id: string; criterion: string; points: number }[] | null;
  startedAt: string | null;
}

export interface UserRef {
  id: string;
  displayName: string;
}

export interface Question {
  id: string;
  cohortId: string;
  author: UserRef;
  title: string;
  body: string;
  taskId: string | null;
  step: number | null;
  tags: string[];
  status: 'open' | 'answered' | 'solved';
  answerCount: number;
  acceptedAnswerId?: string | null;
  solvedBy?: 'accepted' | 'grading' | null;
  locked: boolean;
  context: {
    step: number | null;
    task: { id: string; title: string } | null;
    lastGrading: {
      status: string;
      failedChecks?: { id: string; title: string; message: string | null }[];
    } | null;
  } | null;
  createdAt: string;
}

export interface Answer {
  id: string;
  author: UserRef;
  body: string;
  score: number;
  /** The caller's vote: 1, -1, or 0 for none. */
  myVote: number;
  accepted: boolean;
  endorsement: { by: UserRef; at: string } | null;
  createdAt: string;
}

export interface QuestionDetail extends Question {
  answers: Answer[];
}

export interface QuizItem {
  id: string;
  kind: string;
  prompt: string;
  options?: string[];
  points?: number;
}

export interface StudentTask {
  id: string;
  title: string;
  summary: string;
  step: number;
  completion: 'grader' | 'quiz' | 'review' | 'self_check';
  maxPoints: number;
  gradeable: boolean;
  instructions: string;
  hints: string[];
  rubric: { id: string; criterion: string; points: number }[] | null;
  quiz: QuizItem[] | null;
  locked: boolean;
  progress: import('@kubecohort/contracts').TaskProgressView;
}

export interface UserRow {
  id: string;
  email: string | null;
  displayName: string;
  role: Role;
  discordUsername: string | null;
  createdAt: string;
  disabledAt: string | null;
}

export interface ServiceToken {
  id: string;
  name: string;
  scopes: string[];
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

export interface AuditLogEntry {
  id: string;
  at: string;
  actor: { id: string; displayName: string; role: string } | null;
  actAs: { id: string; displayName: string } | null;
  action: string;
  targetType: string;
  targetId: string | null;
  cohortId: string | null;
  metadata: Record<string, unknown> | null;
  requestId: string | null;
  ip: string | null;
}

export type EnvironmentState = EnvironmentStateName;

/** Environments (GET /me/environment, GET /cohorts/:id/environments, host clusters, forecasts, operations, exports). */
export type {
  CostForecastView as CostForecast,
  EnvironmentExportView as EnvironmentExport,
  EnvironmentOperationView as EnvironmentOperation,
  EnvironmentView,
  HostClusterView as HostCluster,
  StaffEnvironmentView as StaffEnvironment,
} from '@kubecohort/contracts';
