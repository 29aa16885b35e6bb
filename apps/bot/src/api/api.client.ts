import { Injectable } from '@nestjs/common';
import { BotConfig } from '../bot.config.js';
import { ApiError } from './api.error.js';
import type {
  AnswerView,
  AskedQuestionView,
  CohortStaffView,
  CohortSummaryView,
  DiscordJoinResult,
  DiscordMemberView,
  EnvironmentView,
  EventPage,
  FaqView,
  FunnelView,
  MeView,
  MyProgressView,
  Page,
  PlanView,
  QuestionDetailView,
  QuestionView,
  StuckStudentView,
  StudentTaskView,
  SubmissionAccepted,
  SubmissionSummaryView,
  SubmissionView,
  TaskProgressView,
} from './api.types.js';

/** The Discord user the bot acts for: the API applies exactly that student's permissions. */
export interface ActAs {
  discordUserId: string;
}

interface CallOptions {
  as?: ActAs;
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined>;
  /** Read the body as text instead of JSON. */
  text?: boolean;
}

const TIMEOUT_MS = 10_000;

/**
 * The bot's only way to the kubecohort API: typed methods over fetch with the bot's service token.
 * Student calls carry X-Act-As-Discord so every permission check is the student's own; the rest
 * use the token's own scopes (join-students, read-cohorts).
 */
@Injectable()
export class ApiClient {
  constructor(private readonly config: BotConfig) {}

  // ── identity (service scope join-students) ──

  joinWithInvite(input: {
    inviteCode: string;
    discordUserId: string;
    discordUsername: string;
  }): Promise<DiscordJoinResult> {
    return this.call('POST', '/cohorts/join/discord', { body: input });
  }

  redeemLinkCode(input: {
    code: string;
    discordUserId: string;
    discordUsername: string;
  }): Promise<{ userId: string }> {
    return this.call('POST', '/discord/link', { body: input });
  }

  // ── the student's own (act-as) ──

  me(as: ActAs): Promise<MeView> {
    return this.call('GET', '/me', { as });
  }

  myProgress(as: ActAs): Promise<MyProgressView> {
    return this.call('GET', '/me/progress', { as });
  }

  task(as: ActAs, taskId: string): Promise<StudentTaskView> {
    return this.call('GET', `/me/tasks/${encodeURIComponent(taskId)}`, { as });
  }

  startTask(as: ActAs, taskId: string): Promise<TaskProgressView> {
    return this.call('POST', `/me/tasks/${encodeURIComponent(taskId)}/start`, { as });
  }

  plan(as: ActAs, cohortId: string): Promise<PlanView> {
    return this.call('GET', `/cohorts/${cohortId}/plan`, { as });
  }

  submit(
    as: ActAs,
    input: { taskId: string; answer?: Record<string, unknown> },
  ): Promise<SubmissionAccepted> {
    return this.call('POST', '/submissions', { as, body: input });
  }

  /** A submission: the student's own when `as` is given, else through read-cohorts. */
  submission(id: string, as?: ActAs): Promise<SubmissionView> {
    return this.call('GET', `/submissions/${id}`, { as });
  }

  environment(as: ActAs): Promise<EnvironmentView> {
    return this.call('GET', '/me/environment', { as });
  }

  createEnvironment(as: ActAs): Promise<EnvironmentView> {
    return this.call('POST', '/me/environment', { as, body: {} });
  }

  resetEnvironment(as: ActAs): Promise<EnvironmentView> {
    return this.call('POST', '/me/environment/reset', { as, body: {} });
  }

  /** The kubeconfig as YAML text (the API serves it as a file; JSON `{kubeconfig}` is accepted too). */
  async kubeconfig(as: ActAs): Promise<string> {
    const text = await this.call<string>('GET', '/me/environment/kubeconfig', { as, text: true });
    if (text.trimStart().startsWith('{')) {
      const parsed = JSON.parse(text) as { kubeconfig?: unknown };
      if (typeof parsed.kubeconfig === 'string') return parsed.kubeconfig;
    }
    return text;
  }

  ask(
    as: ActAs,
    cohortId: string,
    input: { title: string; body: string; taskId?: string; tags?: string[]; discordThreadId?: string },
  ): Promise<AskedQuestionView> {
    return this.call('POST', `/cohorts/${cohortId}/questions`, { as, body: input });
  }

  answer(
    as: ActAs,
    questionId: string,
    input: { body: string; discordMessageId?: string },
  ): Promise<AnswerView> {
    return this.call('POST', `/questions/${questionId}/answers`, { as, body: input });
  }

  accept(as: ActAs, questionId: string, answerId: string): Promise<QuestionDetailView> {
    return this.call('POST', `/questions/${questionId}/accept`, { as, body: { answerId } });
  }

  question(questionId: string, as?: ActAs): Promise<QuestionDetailView> {
    return this.call('GET', `/questions/${questionId}`, { as });
  }

  searchQuestions(as: ActAs, cohortId: string, q: string, limit = 5): Promise<Page<QuestionView>> {
    return this.call('GET', `/cohorts/${cohortId}/questions`, { as, query: { q, limit } });
  }

  /** The question mirroring a Discord thread, if any (read-cohorts). */
  async questionByThread(cohortId: string, discordThreadId: string): Promise<QuestionView | null> {
    const page = await this.call<Page<QuestionView>>('GET', `/cohorts/${cohortId}/questions`, {
      query: { discordThreadId, limit: 1 },
    });
    return page.items[0] ?? null;
  }

  faq(as: ActAs, cohortId: string): Promise<FaqView> {
    return this.call('GET', `/cohorts/${cohortId}/faq`, { as });
  }

  // ── cohort reads (service scope read-cohorts) ──

  async cohortsByGuild(guildId: string): Promise<CohortSummaryView[]> {
    const page = await this.call<Page<CohortSummaryView>>('GET', '/cohorts', {
      query: { guildId, limit: 100 },
    });
    return page.items;
  }

  cohort(cohortId: string): Promise<CohortStaffView & { view: 'staff' }> {
    return this.call('GET', `/cohorts/${cohortId}`);
  }

  funnel(cohortId: string): Promise<FunnelView> {
    return this.call('GET', `/cohorts/${cohortId}/funnel`);
  }

  stuck(cohortId: string): Promise<Page<StuckStudentView>> {
    return this.call('GET', `/cohorts/${cohortId}/stuck`);
  }

  /** A cohort member (instructor, student, or any admin) by Discord id or user id; null when none. */
  async discordMember(
    cohortId: string,
    by: { discordUserId: string } | { userId: string },
  ): Promise<DiscordMemberView | null> {
    const page = await this.call<Page<DiscordMemberView>>('GET', `/cohorts/${cohortId}/discord-members`, {
      query: by,
    });
    return page.items[0] ?? null;
  }

  cohortSubmissions(
    cohortId: string,
    query: { userId?: string; status?: string; limit?: number },
  ): Promise<Page<SubmissionSummaryView>> {
    return this.call('GET', `/cohorts/${cohortId}/submissions`, { query });
  }

  events(cohortId: string, after: string | null, limit = 200): Promise<EventPage> {
    return this.call('GET', `/cohorts/${cohortId}/events`, {
      query: after === null ? {} : { after, limit },
    });
  }

  // ── transport ──

  private async call<T>(method: string, path: string, options: CallOptions = {}): Promise<T> {
    const url = new URL(`/api/v1${path}`, this.config.API_URL);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.config.BOT_API_TOKEN ?? ''}`,
      accept: options.text ? '*/*' : 'application/json',
    };
    if (options.as) headers['x-act-as-discord'] = options.as.discordUserId;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw new ApiError(0, 'network', `the kubecohort API is unreachable (${(error as Error).message})`);
    }
    const text = await response.text();
    if (!response.ok) throw toApiError(response, text);
    if (options.text) return text as T;
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

function toApiError(response: Response, text: string): ApiError {
  const retryAfter = Number(response.headers.get('retry-after'));
  let body: { error?: unknown; message?: unknown; details?: unknown } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    /* not JSON: fall back to the status */
  }
  return new ApiError(
    response.status,
    typeof body.error === 'string' ? body.error : `http_${response.status}`,
    typeof body.message === 'string' ? body.message : `the API answered ${response.status}`,
    Array.isArray(body.details) ? (body.details as { field: string; problem: string }[]) : [],
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
  );
}
