import type { CohortStaffView, DiscordJoinResult, DiscordMemberView, MeView } from '@kubecohort/cohorts';
import type {
  EnvironmentView as ApiEnvironmentView,
  EventType,
  FunnelView,
  Page,
  PlanView,
  PublishedEvent,
  StuckStudentView,
  TaskProgressView,
} from '@kubecohort/contracts';
import type { SubmissionAccepted, SubmissionSummaryView, SubmissionView } from '@kubecohort/grading';
import type { StudentTaskView } from '@kubecohort/progress';
import type {
  AnswerView,
  AskedQuestionView,
  FaqView,
  QuestionDetailView,
  QuestionView,
} from '@kubecohort/qa';

/**
 * The wire formats the bot reads. Type-only imports of the libs that produce them, so a change of
 * the API's shapes breaks the bot's type check instead of the bot at run time.
 */
export type {
  AnswerView,
  AskedQuestionView,
  CohortStaffView,
  DiscordJoinResult,
  DiscordMemberView,
  FaqView,
  FunnelView,
  MeView,
  Page,
  PlanView,
  PublishedEvent,
  QuestionDetailView,
  QuestionView,
  StuckStudentView,
  StudentTaskView,
  SubmissionAccepted,
  SubmissionSummaryView,
  SubmissionView,
  TaskProgressView,
};

/** GET /me/progress */
export interface MyProgressView {
  cohortId: string;
  version: number;
  currentStep: number;
  stepStartedAt: string;
  points: number;
  maxPoints: number;
  tasks: TaskProgressView[];
}

/** GET /me/environment: the fields the bot shows. */
export type EnvironmentView = Pick<
  ApiEnvironmentView,
  | 'id'
  | 'state'
  | 'stateReason'
  | 'progressStep'
  | 'progressPercent'
  | 'serverUrl'
  | 'kubeconfigAvailable'
  | 'requestedAt'
  | 'readyAt'
>;

/** One event of a cohort's log, as published on Redis and served by GET /cohorts/:id/events. */
export type BotEvent<T extends EventType = EventType> = PublishedEvent<T>;

export interface EventPage {
  items: BotEvent[];
  head: string;
  gapBefore: string | null;
}

/** The first page of GET /cohorts is enough for the bot: a guild maps to a handful of cohorts. */
export interface CohortSummaryView {
  id: string;
  name: string;
  status: string;
}
