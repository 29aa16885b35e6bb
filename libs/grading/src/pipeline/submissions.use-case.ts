import {
  AuditTrail,
  CohortAccess,
  type Principal,
  staffedCohorts,
  type UserPrincipal,
} from '@kubecohort/auth';
import { Clock } from '@kubecohort/config';
import {
  decodeCursor,
  DomainError,
  encodeCursor,
  type Page,
  type SubmissionStatusName,
} from '@kubecohort/contracts';
import { Prisma, PrismaService, prismaSql, uuidv7 } from '@kubecohort/database';
import { isStepUnlocked } from '@kubecohort/progress';
import { EventPublisher, Transactions } from '@kubecohort/realtime';
import { Injectable, Optional } from '@nestjs/common';
import { EnvironmentWakeUp } from './environment-wake-up.port.js';
import { OutboxSignal } from './outbox.signal.js';
import { SubmissionRepository } from './submission.repository.js';
import { SubmissionResults } from './submission-results.js';
import {
  decideReview,
  needsEnvironment,
  type ReviewInput,
  reviewItems,
  type RubricScore,
  type TaskDefinition,
  validateAnswer,
} from './submission.rules.js';
import type {
  SubmissionAccepted,
  SubmissionCheckView,
  SubmissionSummaryView,
  SubmissionView,
} from './submission.views.js';
import { TaskDefinitions } from './task-definitions.js';

export const SUBMISSIONS_DEFAULT_LIMIT = 20;
export const SUBMISSIONS_MAX_LIMIT = 100;

export interface SubmitInput {
  taskId: string;
  answer?: unknown;
}

export interface SubmissionListQuery {
  limit?: number;
  cursor?: string;
  taskId?: string;
  status?: SubmissionStatusName;
}

export interface CohortSubmissionListQuery extends SubmissionListQuery {
  userId?: string;
}

type Cursor = { t: string; i: string };

const summarySelect = {
  id: true,
  cohortId: true,
  userId: true,
  taskSlug: true,
  status: true,
  score: true,
  maxScore: true,
  createdAt: true,
  finishedAt: true,
} satisfies Prisma.SubmissionSelect;

/**
 * Submitting work and reading gradings. A submission is accepted in one statement — the row, its
 * outbox row (which the relay turns into the grading job) and `submission.queued` — so it is
 * queued exactly when it exists; the relay is woken after the commit (OutboxSignal). Reads are scoped in their WHERE clauses: a student sees their
 * own submissions, staff those of the cohorts they staff; anything else is "not found".
 */
@Injectable()
export class Submissions {
  constructor(
    private readonly prisma: PrismaService,
    private readonly transactions: Transactions,
    private readonly publisher: EventPublisher,
    private readonly repository: SubmissionRepository,
    private readonly outbox: OutboxSignal,
    private readonly tasks: TaskDefinitions,
    private readonly results: SubmissionResults,
    private readonly access: CohortAccess,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    @Optional() private readonly wakeUp?: EnvironmentWakeUp,
  ) {}

  /**
   * 404 `not_enrolled` / unknown task, 409 `step_locked`, 409 `submission_in_progress` (details
   * name the queued or running submission), 400 for an answer the task does not take.
   */
  async submit(principal: UserPrincipal, input: SubmitInput): Promise<SubmissionAccepted> {
    const context = await this.repository.submitContext(principal.userId, input.taskId);
    if (!context)
      throw new DomainError('not_found', 'not_enrolled', 'you are not enrolled in an active cohort');
    const task =
      context.stepNumber === null ? undefined : await this.tasks.get(context.versionId, input.taskId);
    if (!task) throw DomainError.notFound(`task ${input.taskId} of your cohort's curriculum`);
    const now = this.clock.now();
    const schedule =
      context.locked === null ? undefined : { locked: context.locked, unlocksAt: context.unlocksAt };
    if (!isStepUnlocked(schedule, now)) {
      const when =
        context.unlocksAt && context.unlocksAt > now
          ? `; it unlocks at ${context.unlocksAt.toISOString()}`
          : '';
      throw new DomainError(
        'conflict',
        'step_locked',
        `step ${task.step} is locked for your cohort${when}: task ${task.slug} cannot be submitted yet`,
        [{ field: 'taskId', problem: `belongs to locked step ${task.step}` }],
      );
    }
    const answer = validateAnswer(task, input.answer);
    const environment = needsEnvironment(task);
    // Before it is queued: its grading must find a sleeping environment waking, not asleep.
    if (environment) await this.wakeUp?.wake(principal.userId, context.environment);
    const id = uuidv7(now.getTime());
    // A conflicting submission may finish between our insert and our look-up: then try once more.
    for (let tries = 0; tries < 3; tries += 1) {
      const created = await this.repository.insertQueued({
        id,
        cohortId: context.cohortId,
        userId: principal.userId,
        enrollmentId: context.enrollmentId,
        taskSlug: task.slug,
        answer,
        graderId: task.graderId,
        maxScore: task.maxPoints,
        environment,
        hostClusterId: context.hostClusterId,
      });
      if (created) {
        this.outbox.notify();
        await this.publisher.publish([created.event]);
        return { id, status: 'queued' };
      }
      const existing = await this.repository.activeId(principal.userId, task.slug);
      if (existing) {
        throw new DomainError(
          'conflict',
          'submission_in_progress',
          `submission ${existing} for task ${task.slug} is still being graded; wait for its result`,
          [{ field: 'submissionId', problem: existing }],
        );
      }
    }
    throw new DomainError('unavailable', 'try_again', 'the submission could not be recorded; try again');
  }

  /** One submission with its checks: its owner or the cohort's staff; else 404. */
  async get(principal: Principal, id: string): Promise<SubmissionView> {
    const row = await this.prisma.submission.findFirst({
      where: { AND: [{ id }, ownOrStaffed(principal)] },
      include: {
        checks: { orderBy: { position: 'asc' } },
        cohort: { select: { curriculumVersionId: true } },
      },
    });
    if (!row) throw DomainError.notFound('submission');
    const task = await this.tasks.get(row.cohort.curriculumVersionId, row.taskSlug);
    const items = task ? reviewItems(task) : null;
    return {
      id: row.id,
      cohortId: row.cohortId,
      userId: row.userId,
      taskId: row.taskSlug,
      status: row.status,
      score: row.score,
      maxScore: row.maxScore,
      answer: row.answer ?? null,
      error: row.error,
      checks: row.checks.map((check): SubmissionCheckView => ({
        id: check.checkId,
        title: check.title,
        passed: check.passed,
        skipped: check.skipped,
        points: check.points,
        maxPoints: check.maxPoints,
        message: check.message,
        hint: check.hint,
        evidence: check.evidence ?? {},
      })),
      review:
        row.reviewerId !== null || row.rubric !== null
          ? {
              reviewerId: row.reviewerId,
              comment: row.reviewComment,
              rubric: (row.rubric as unknown as RubricScore[] | null) ?? [],
            }
          : null,
      reviewItems:
        items?.map((item) => ({ id: item.id, criterion: item.criterion, points: item.points })) ?? null,
      createdAt: row.createdAt.toISOString(),
      startedAt: row.startedAt?.toISOString() ?? null,
      finishedAt: row.finishedAt?.toISOString() ?? null,
    };
  }

  /** The caller's own submissions, newest first. */
  listMine(principal: UserPrincipal, query: SubmissionListQuery): Promise<Page<SubmissionSummaryView>> {
    return this.page({ userId: principal.userId }, query);
  }

  /** A cohort's submissions for its staff, newest first; 404 for anyone else. */
  async listCohort(
    principal: Principal,
    cohortId: string,
    query: CohortSubmissionListQuery,
  ): Promise<Page<SubmissionSummaryView>> {
    await this.access.assertStaff(principal, cohortId);
    return this.page(
      {
        cohortId,
        cohort: staffedCohorts(principal),
        ...(query.userId ? { userId: query.userId } : {}),
      },
      query,
    );
  }

  /**
   * An instructor grades a submission waiting for review (a review task, or a quiz's written
   * items): validated against the task's rubric, then the result, the progress change and
   * `submission.graded` in one transaction. 409 `not_pending_review` when it is not waiting.
   */
  async review(principal: UserPrincipal, id: string, input: ReviewInput): Promise<SubmissionView> {
    const row = await this.prisma.submission.findFirst({
      where: { id, cohort: staffedCohorts(principal) },
      select: {
        id: true,
        cohortId: true,
        userId: true,
        taskSlug: true,
        status: true,
        score: true,
        cohort: { select: { curriculumVersionId: true } },
      },
    });
    if (!row) throw DomainError.notFound('submission');
    if (row.status !== 'pending_review') {
      throw DomainError.conflict(
        'not_pending_review',
        `submission ${id} is ${row.status}, not waiting for a review`,
      );
    }
    const task = await this.tasks.get(row.cohort.curriculumVersionId, row.taskSlug);
    if (!task) throw DomainError.notFound(`task ${row.taskSlug}`);
    const decision = decideReview(task, input, automaticPoints(task, row.score));
    const submission = { id: row.id, cohortId: row.cohortId, userId: row.userId, taskSlug: row.taskSlug };
    await this.transactions.run(async (tx, emit) => {
      const updated = await tx.submission.updateMany({
        where: { id, status: 'pending_review' },
        data: {
          status: decision.status,
          score: decision.score,
          maxScore: decision.maxScore,
          reviewerId: principal.userId,
          reviewComment: input.comment ?? null,
          rubric: decision.rubric as unknown as Prisma.InputJsonValue,
          finishedAt: this.clock.now(),
        },
      });
      if (updated.count === 0) {
        throw DomainError.conflict('not_pending_review', `submission ${id} was reviewed meanwhile`);
      }
      await this.audit.record(
        principal,
        {
          action: 'submission.review',
          targetType: 'submission',
          targetId: id,
          cohortId: row.cohortId,
          metadata: { taskId: row.taskSlug, status: decision.status, score: decision.score },
        },
        tx,
      );
      await this.results.afterOutcome(prismaSql(tx), emit, submission, {
        status: decision.status,
        score: decision.score,
        maxScore: decision.maxScore,
        checks: [],
      });
    });
    return this.get(principal, id);
  }

  private async page(
    where: Prisma.SubmissionWhereInput,
    query: SubmissionListQuery,
  ): Promise<Page<SubmissionSummaryView>> {
    const limit = Math.min(query.limit ?? SUBMISSIONS_DEFAULT_LIMIT, SUBMISSIONS_MAX_LIMIT);
    const cursor = decodeCursor<Cursor>(query.cursor, ['t', 'i']);
    if (query.cursor && (!cursor || Number.isNaN(Date.parse(cursor.t)))) {
      throw DomainError.invalid('invalid cursor', [
        { field: 'cursor', problem: 'is not a cursor from a previous page' },
      ]);
    }
    const after: Prisma.SubmissionWhereInput = cursor
      ? {
          OR: [
            { createdAt: { lt: new Date(cursor.t) } },
            { createdAt: new Date(cursor.t), id: { lt: cursor.i } },
          ],
        }
      : {};
    const rows = await this.prisma.submission.findMany({
      where: {
        AND: [
          where,
          after,
          query.taskId ? { taskSlug: query.taskId } : {},
          query.status ? { status: query.status } : {},
        ],
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit + 1,
      select: summarySelect,
    });
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return {
      items: items.map((row) => ({
        id: row.id,
        cohortId: row.cohortId,
        userId: row.userId,
        taskId: row.taskSlug,
        status: row.status,
        score: row.score,
        maxScore: row.maxScore,
        createdAt: row.createdAt.toISOString(),
        finishedAt: row.finishedAt?.toISOString() ?? null,
      })),
      nextCursor:
        rows.length > limit && last ? encodeCursor({ t: last.createdAt.toISOString(), i: last.id }) : null,
    };
  }
}

/** The owner, or staff of the submission's cohort. */
function ownOrStaffed(principal: Principal): Prisma.SubmissionWhereInput {
  const staffed: Prisma.SubmissionWhereInput = { cohort: staffedCohorts(principal) };
  return principal.kind === 'user' ? { OR: [{ userId: principal.userId }, staffed] } : staffed;
}

/** The points a pending submission already has before review (a quiz's multiple-choice items). */
function automaticPoints(task: TaskDefinition, score: number | null): number {
  return task.completion === 'quiz' ? (score ?? 0) : 0;
}
