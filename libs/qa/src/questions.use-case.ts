import { AuditTrail, type Principal, type UserPrincipal, visibleCohorts } from '@kubecohort/auth';
import { Clock } from '@kubecohort/config';
import { DomainError, type Page } from '@kubecohort/contracts';
import { type Prisma, PrismaService } from '@kubecohort/database';
import { Transactions } from '@kubecohort/realtime';
import { Injectable } from '@nestjs/common';
import { readAskerContext } from './asker-context.js';
import { ANSWER_SELECT, QUESTION_SELECT, toAnswerView, toQuestionView, toSimilarView } from './qa.mappers.js';
import {
  compareAnswers,
  encodeRankCursor,
  encodeRecentCursor,
  MAX_SIMILAR,
  normalizeTags,
  questionPageSize,
  readRankCursor,
  readRecentCursor,
  SIMILAR_ON_ASK,
} from './qa.rules.js';
import { isStaff, QaScope } from './qa-scope.repository.js';
import type { AskedQuestionView, QuestionDetailView, QuestionView, SimilarQuestionView } from './qa.views.js';
import {
  assertBotMirror,
  assertStep,
  isUniqueViolationOn,
  type QaRequestMeta,
  resolveTask,
  setTags,
} from './qa.writes.js';
import { type QuestionFilter, QuestionSearch } from './question-search.repository.js';

export interface AskInput {
  title: string;
  body: string;
  /** A task of the cohort's curriculum; the question's step is the task's. */
  taskId?: string;
  /** A step, for questions about a step rather than one task (ignored when taskId is given). */
  step?: number;
  tags?: string[];
  /** Set by the bot when it mirrors a Discord thread (unique). */
  discordThreadId?: string;
}

export interface ListQuery extends QuestionFilter {
  /** Full-text search; results best match first. Without it, newest first. */
  q?: string;
  limit?: number;
  cursor?: string;
}

export interface QuestionEdit {
  title?: string;
  body?: string;
  tags?: string[];
}

/**
 * Asking, reading, searching and moderating questions. Every lookup carries the caller's cohort
 * scope; every state change writes its event (question.created) in the same transaction.
 */
@Injectable()
export class Questions {
  constructor(
    private readonly prisma: PrismaService,
    private readonly transactions: Transactions,
    private readonly scope: QaScope,
    private readonly search: QuestionSearch,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  /**
   * Asks a question in a cohort the caller belongs to (students: their own cohort only). The
   * question records the asker's current step and last grading of the task; the response lists
   * up to three similar earlier questions.
   */
  async ask(principal: UserPrincipal, cohortId: string, input: AskInput): Promise<AskedQuestionView> {
    const cohort = await this.scope.cohort(principal, cohortId);
    if (input.discordThreadId !== undefined) assertBotMirror(principal.via, 'discordThreadId');
    const task =
      input.taskId !== undefined
        ? await resolveTask(this.prisma, cohort.curriculumVersionId, input.taskId)
        : null;
    if (!task && input.step !== undefined)
      await assertStep(this.prisma, cohort.curriculumVersionId, input.step);
    const tags = normalizeTags(input.tags ?? []);
    let questionId: string;
    try {
      questionId = await this.transactions.run(async (tx, emit) => {
        if (input.discordThreadId !== undefined) await assertThreadFree(tx, input.discordThreadId);
        const context = await readAskerContext(tx, cohort.id, principal.userId, task);
        const question = await tx.question.create({
          data: {
            cohortId: cohort.id,
            authorId: principal.userId,
            title: input.title,
            body: input.body,
            taskSlug: task?.id ?? null,
            stepNumber: task?.step ?? input.step ?? null,
            context: context as unknown as Prisma.InputJsonValue,
            discordThreadId: input.discordThreadId ?? null,
          },
          select: { id: true },
        });
        await setTags(tx, cohort.id, question.id, tags);
        await emit(cohort.id, 'question.created', {
          questionId: question.id,
          userId: principal.userId,
          title: input.title,
          taskId: task?.id ?? null,
        });
        return question.id;
      });
    } catch (error) {
      if (isUniqueViolationOn(error, 'discord_thread_id')) throw threadTaken();
      throw error;
    }
    const [question, similar] = await Promise.all([
      this.scope.questionRow(questionId),
      this.similarTo(principal, cohort.id, input.title, SIMILAR_ON_ASK, questionId),
    ]);
    return { ...toQuestionView(question), similar };
  }

  /** Questions of a cohort: `q` searches (best match first), otherwise newest first. */
  async list(principal: Principal, cohortId: string, query: ListQuery): Promise<Page<QuestionView>> {
    const cohort = await this.scope.cohort(principal, cohortId);
    const limit = questionPageSize(query.limit);
    const filter: QuestionFilter = {
      unanswered: query.unanswered,
      taskId: query.taskId,
      tag: query.tag !== undefined ? query.tag.trim().toLowerCase() : undefined,
      discordThreadId: query.discordThreadId,
    };
    const text = query.q?.trim();
    if (text) {
      const ranked = await this.search.search(
        principal,
        cohort.id,
        text,
        filter,
        limit + 1,
        readRankCursor(query.cursor),
      );
      const page = ranked.slice(0, limit);
      const rows = await this.prisma.question.findMany({
        where: { id: { in: page.map((row) => row.id) } },
        select: QUESTION_SELECT,
      });
      const byId = new Map(rows.map((row) => [row.id, row]));
      const last = page[page.length - 1];
      return {
        items: page.flatMap((row) => {
          const found = byId.get(row.id);
          return found ? [toQuestionView(found)] : [];
        }),
        nextCursor: ranked.length > limit && last ? encodeRankCursor(last) : null,
      };
    }
    const after = readRecentCursor(query.cursor);
    const where: Prisma.QuestionWhereInput = {
      cohortId: cohort.id,
      deletedAt: null,
      cohort: visibleCohorts(principal),
      ...(filter.unanswered ? { status: 'open' as const } : {}),
      ...(filter.taskId !== undefined ? { taskSlug: filter.taskId } : {}),
      ...(filter.discordThreadId !== undefined ? { discordThreadId: filter.discordThreadId } : {}),
      ...(filter.tag !== undefined ? { tags: { some: { tag: { name: filter.tag } } } } : {}),
      ...(after
        ? {
            OR: [
              { createdAt: { lt: new Date(after.t) } },
              { createdAt: new Date(after.t), id: { lt: after.id } },
            ],
          }
        : {}),
    };
    const rows = await this.prisma.question.findMany({
      where,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit + 1,
      select: QUESTION_SELECT,
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toQuestionView),
      nextCursor: rows.length > limit && last ? encodeRecentCursor(last) : null,
    };
  }

  /** Earlier questions sharing words with a title (for "has this been asked?"). */
  async similar(
    principal: Principal,
    cohortId: string,
    title: string,
    limit = SIMILAR_ON_ASK,
  ): Promise<SimilarQuestionView[]> {
    const cohort = await this.scope.cohort(principal, cohortId);
    return this.similarTo(principal, cohort.id, title, Math.min(Math.max(Math.trunc(limit), 1), MAX_SIMILAR));
  }

  /** One question with its answers (accepted, endorsed, score, time) and the asker's context. */
  async get(principal: Principal, questionId: string): Promise<QuestionDetailView> {
    const question = await this.scope.question(principal, questionId);
    return this.detail(principal, question.id);
  }

  /** Edits a question: its asker while it has no answer (and is not locked), or the cohort's staff. */
  async update(
    principal: UserPrincipal,
    questionId: string,
    edit: QuestionEdit,
    meta: QaRequestMeta = {},
  ): Promise<QuestionView> {
    const fields = (['title', 'body', 'tags'] as const).filter((field) => edit[field] !== undefined);
    if (fields.length === 0) {
      throw DomainError.invalid('nothing to change', [
        { field: 'body', problem: 'give at least one of title, body, tags' },
      ]);
    }
    await this.transactions.run(async (tx) => {
      const question = await this.scope.question(principal, questionId, tx);
      const staff = isStaff(principal);
      const own = question.authorId === principal.userId;
      if (!staff) {
        if (!own)
          throw DomainError.forbidden(
            'not_author',
            'only the asker or the cohort staff may edit this question',
          );
        if (question.lockedAt) throw DomainError.conflict('question_locked', 'this question is locked');
        if (question._count.answers > 0) {
          throw DomainError.conflict(
            'question_answered',
            'a question with answers can only be edited by the cohort staff',
          );
        }
      }
      await tx.question.update({
        where: { id: question.id },
        data: {
          ...(edit.title !== undefined ? { title: edit.title } : {}),
          ...(edit.body !== undefined ? { body: edit.body } : {}),
        },
      });
      if (edit.tags !== undefined)
        await setTags(tx, question.cohortId, question.id, normalizeTags(edit.tags));
      if (staff && !own) {
        await this.audit.record(
          principal,
          {
            action: 'qa.question.edit',
            targetType: 'question',
            targetId: question.id,
            cohortId: question.cohortId,
            metadata: { fields },
            ...meta,
          },
          tx,
        );
      }
    });
    return toQuestionView(await this.scope.questionRow(questionId));
  }

  /** Soft-deletes a question: its asker while it has no answer, or the cohort's staff. */
  async remove(principal: UserPrincipal, questionId: string, meta: QaRequestMeta = {}): Promise<void> {
    await this.transactions.run(async (tx) => {
      const question = await this.scope.question(principal, questionId, tx);
      const staff = isStaff(principal);
      const own = question.authorId === principal.userId;
      if (!staff) {
        if (!own)
          throw DomainError.forbidden(
            'not_author',
            'only the asker or the cohort staff may delete this question',
          );
        if (question._count.answers > 0) {
          throw DomainError.conflict(
            'question_answered',
            'a question with answers can only be deleted by the cohort staff',
          );
        }
      }
      await tx.question.update({ where: { id: question.id }, data: { deletedAt: this.clock.now() } });
      if (staff && !own) {
        await this.audit.record(
          principal,
          {
            action: 'qa.question.delete',
            targetType: 'question',
            targetId: question.id,
            cohortId: question.cohortId,
            ...meta,
          },
          tx,
        );
      }
    });
  }

  /** Locks (no new answers, no edits but the staff's) or unlocks a question. Staff only; idempotent. */
  async setLocked(
    principal: UserPrincipal,
    questionId: string,
    locked: boolean,
    meta: QaRequestMeta = {},
  ): Promise<QuestionView> {
    await this.transactions.run(async (tx) => {
      const question = await this.scope.question(principal, questionId, tx);
      if (!isStaff(principal))
        throw DomainError.forbidden('staff_only', 'only the cohort staff may lock or unlock questions');
      if ((question.lockedAt !== null) === locked) return;
      await tx.question.update({
        where: { id: question.id },
        data: { lockedAt: locked ? this.clock.now() : null },
      });
      await this.audit.record(
        principal,
        {
          action: locked ? 'qa.question.lock' : 'qa.question.unlock',
          targetType: 'question',
          targetId: question.id,
          cohortId: question.cohortId,
          ...meta,
        },
        tx,
      );
    });
    return toQuestionView(await this.scope.questionRow(questionId));
  }

  /** The detail view of a question the caller was already allowed to see. */
  async detail(principal: Principal, questionId: string): Promise<QuestionDetailView> {
    const [question, answers, votes] = await Promise.all([
      this.scope.questionRow(questionId),
      this.prisma.answer.findMany({ where: { questionId, deletedAt: null }, select: ANSWER_SELECT }),
      this.prisma.vote.findMany({
        where: { userId: principal.userId, answer: { questionId } },
        select: { answerId: true, value: true },
      }),
    ]);
    const myVotes = new Map(votes.map((vote) => [vote.answerId, vote.value]));
    const sorted = [...answers].sort((a, b) =>
      compareAnswers(
        {
          accepted: a.id === question.acceptedAnswerId,
          endorsed: a.endorsedAt !== null,
          score: a.score,
          createdAt: a.createdAt,
          id: a.id,
        },
        {
          accepted: b.id === question.acceptedAnswerId,
          endorsed: b.endorsedAt !== null,
          score: b.score,
          createdAt: b.createdAt,
          id: b.id,
        },
      ),
    );
    return {
      ...toQuestionView(question),
      answers: sorted.map((answer) =>
        toAnswerView(answer, question.acceptedAnswerId, myVotes.get(answer.id)),
      ),
    };
  }

  private async similarTo(
    principal: Principal,
    cohortId: string,
    title: string,
    limit: number,
    excludeId?: string,
  ): Promise<SimilarQuestionView[]> {
    const ids = await this.search.similar(principal, cohortId, title, limit, excludeId);
    if (ids.length === 0) return [];
    const rows = await this.prisma.question.findMany({ where: { id: { in: ids } }, select: QUESTION_SELECT });
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.flatMap((id) => {
      const row = byId.get(id);
      return row ? [toSimilarView(row)] : [];
    });
  }
}

const threadTaken = () =>
  DomainError.conflict('discord_thread_taken', 'this Discord thread is already mirrored to a question');

async function assertThreadFree(tx: Prisma.TransactionClient, discordThreadId: string): Promise<void> {
  const taken = await tx.question.count({ where: { discordThreadId } });
  if (taken > 0) throw threadTaken();
}
