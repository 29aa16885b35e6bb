import { AuditTrail, type UserPrincipal } from '@kubecohort/auth';
import { Clock } from '@kubecohort/config';
import { DomainError } from '@kubecohort/contracts';
import type { Prisma } from '@kubecohort/database';
import { Transactions } from '@kubecohort/realtime';
import { Injectable } from '@nestjs/common';
import { toAnswerView } from './qa.mappers.js';
import { isStaff, lockQuestion, QaScope } from './qa-scope.repository.js';
import type { AnswerView, QuestionDetailView, VoteView } from './qa.views.js';
import { assertBotMirror, isUniqueViolationOn, type QaRequestMeta } from './qa.writes.js';
import { Questions } from './questions.use-case.js';

export interface AnswerInput {
  body: string;
  /** Set by the bot when it mirrors a Discord reply (unique). */
  discordMessageId?: string;
}

/** 1 up, -1 down, 0 withdraws the caller's vote. */
export type VoteValue = -1 | 0 | 1;

/**
 * Answers, votes, endorsement and acceptance. Writes that change a question's state lock its row
 * first (lockQuestion), so answering, accepting and the grading hook never interleave.
 */
@Injectable()
export class Answers {
  constructor(
    private readonly transactions: Transactions,
    private readonly scope: QaScope,
    private readonly questions: Questions,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  /** Answers a question of the caller's cohort (not a locked one); writes question.answered. */
  async answer(principal: UserPrincipal, questionId: string, input: AnswerInput): Promise<AnswerView> {
    const question = await this.scope.question(principal, questionId);
    if (input.discordMessageId !== undefined) assertBotMirror(principal.via, 'discordMessageId');
    let answerId: string;
    try {
      answerId = await this.transactions.run(async (tx, emit) => {
        const locked = await lockQuestion(tx, question.id);
        if (locked.lockedAt)
          throw DomainError.conflict('question_locked', 'this question is locked: no new answers');
        if (input.discordMessageId !== undefined) await assertMessageFree(tx, input.discordMessageId);
        const answer = await tx.answer.create({
          data: {
            questionId: question.id,
            authorId: principal.userId,
            body: input.body,
            discordMessageId: input.discordMessageId ?? null,
          },
          select: { id: true },
        });
        if (locked.status === 'open')
          await tx.question.update({ where: { id: question.id }, data: { status: 'answered' } });
        await emit(locked.cohortId, 'question.answered', {
          questionId: question.id,
          answerId: answer.id,
          userId: principal.userId,
        });
        return answer.id;
      });
    } catch (error) {
      if (isUniqueViolationOn(error, 'discord_message_id')) throw messageTaken();
      throw error;
    }
    return toAnswerView(await this.scope.answerRow(answerId), null, undefined);
  }

  /** Edits an answer: its author (question not locked) or the cohort's staff. */
  async update(
    principal: UserPrincipal,
    answerId: string,
    body: string,
    meta: QaRequestMeta = {},
  ): Promise<AnswerView> {
    const answer = await this.scope.answer(principal, answerId);
    const staff = isStaff(principal);
    const own = answer.authorId === principal.userId;
    if (!staff) {
      if (!own)
        throw DomainError.forbidden('not_author', 'only the author or the cohort staff may edit this answer');
      if (answer.question.lockedAt) throw DomainError.conflict('question_locked', 'this question is locked');
    }
    await this.transactions.run(async (tx) => {
      await tx.answer.update({ where: { id: answer.id }, data: { body } });
      if (staff && !own) {
        await this.audit.record(
          principal,
          {
            action: 'qa.answer.edit',
            targetType: 'answer',
            targetId: answer.id,
            cohortId: answer.question.cohortId,
            ...meta,
          },
          tx,
        );
      }
    });
    return this.view(principal, answer.id);
  }

  /**
   * Soft-deletes an answer (its author or the cohort's staff). Deleting the accepted answer takes
   * the acceptance back: a question solved by that acceptance is open/answered again.
   */
  async remove(principal: UserPrincipal, answerId: string, meta: QaRequestMeta = {}): Promise<void> {
    const answer = await this.scope.answer(principal, answerId);
    const staff = isStaff(principal);
    const own = answer.authorId === principal.userId;
    if (!staff && !own)
      throw DomainError.forbidden('not_author', 'only the author or the cohort staff may delete this answer');
    await this.transactions.run(async (tx) => {
      const question = await lockQuestion(tx, answer.question.id);
      await tx.answer.update({ where: { id: answer.id }, data: { deletedAt: this.clock.now() } });
      const remaining = await tx.answer.count({ where: { questionId: question.id, deletedAt: null } });
      const data: Prisma.QuestionUpdateInput = {};
      if (question.acceptedAnswerId === answer.id) {
        data.acceptedAnswer = { disconnect: true };
        if (question.solvedBy === 'accepted') Object.assign(data, { solvedAt: null, solvedBy: null });
      }
      const solved =
        question.status === 'solved' &&
        !(question.acceptedAnswerId === answer.id && question.solvedBy === 'accepted');
      if (!solved) data.status = remaining > 0 ? 'answered' : 'open';
      await tx.question.update({ where: { id: question.id }, data });
      if (staff && !own) {
        await this.audit.record(
          principal,
          {
            action: 'qa.answer.delete',
            targetType: 'answer',
            targetId: answer.id,
            cohortId: question.cohortId,
            ...meta,
          },
          tx,
        );
      }
    });
  }

  /**
   * One vote per person per answer, changeable: the vote is set to `value` (0 withdraws it) and
   * the answer's score moves by the difference. Repeating the same value changes nothing.
   */
  async vote(principal: UserPrincipal, answerId: string, value: VoteValue): Promise<VoteView> {
    const answer = await this.scope.answer(principal, answerId);
    if (answer.authorId === principal.userId)
      throw DomainError.forbidden('own_answer', 'you cannot vote on your own answer');
    return this.transactions.run(async (tx) => {
      // Votes on one answer serialise on its row: the score always equals the sum of votes.
      await tx.$queryRaw`SELECT id FROM answers WHERE id = ${answer.id}::uuid FOR UPDATE`;
      const key = { answerId_userId: { answerId: answer.id, userId: principal.userId } };
      const previous = (await tx.vote.findUnique({ where: key, select: { value: true } }))?.value ?? 0;
      const delta = value - previous;
      if (value === 0) {
        if (previous !== 0) await tx.vote.delete({ where: key });
      } else if (previous === 0) {
        await tx.vote.create({ data: { answerId: answer.id, userId: principal.userId, value } });
      } else if (delta !== 0) {
        await tx.vote.update({ where: key, data: { value } });
      }
      const { score } = delta
        ? await tx.answer.update({
            where: { id: answer.id },
            data: { score: { increment: delta } },
            select: { score: true },
          })
        : await tx.answer.findUniqueOrThrow({ where: { id: answer.id }, select: { score: true } });
      return { answerId: answer.id, value, score };
    });
  }

  /** Instructor endorsement (staff of the cohort); endorsing twice keeps the first endorsement. */
  async setEndorsed(principal: UserPrincipal, answerId: string, endorsed: boolean): Promise<AnswerView> {
    const answer = await this.scope.answer(principal, answerId);
    if (!isStaff(principal))
      throw DomainError.forbidden('staff_only', 'only the cohort staff may endorse answers');
    if (endorsed && answer.endorsedAt === null) {
      await this.transactions.run((tx) =>
        tx.answer.updateMany({
          where: { id: answer.id, endorsedAt: null },
          data: { endorsedById: principal.userId, endorsedAt: this.clock.now() },
        }),
      );
    } else if (!endorsed && answer.endorsedAt !== null) {
      await this.transactions.run((tx) =>
        tx.answer.update({ where: { id: answer.id }, data: { endorsedById: null, endorsedAt: null } }),
      );
    }
    return this.view(principal, answer.id);
  }

  /**
   * Accepts an answer (the asker or the cohort's staff). The first acceptance solves the question
   * (question.solved by 'accepted'), unless grading solved it already; accepting another answer
   * later moves the acceptance without a new event.
   */
  async accept(
    principal: UserPrincipal,
    questionId: string,
    answerId: string,
    meta: QaRequestMeta = {},
  ): Promise<QuestionDetailView> {
    const question = await this.scope.question(principal, questionId);
    const staff = isStaff(principal);
    const own = question.authorId === principal.userId;
    if (!own && !staff)
      throw DomainError.forbidden('not_asker', 'only the asker or the cohort staff may accept an answer');
    await this.transactions.run(async (tx, emit) => {
      const locked = await lockQuestion(tx, question.id);
      const answer = await tx.answer.findFirst({
        where: { id: answerId, questionId: question.id, deletedAt: null },
        select: { id: true },
      });
      if (!answer) {
        throw DomainError.invalid('not an answer to this question', [
          { field: 'answerId', problem: 'is not an answer to this question' },
        ]);
      }
      if (locked.acceptedAnswerId === answer.id) return;
      const solvesNow = locked.status !== 'solved';
      await tx.question.update({
        where: { id: question.id },
        data: {
          acceptedAnswer: { connect: { id: answer.id } },
          ...(solvesNow
            ? { status: 'solved' as const, solvedAt: this.clock.now(), solvedBy: 'accepted' }
            : {}),
        },
      });
      if (solvesNow)
        await emit(locked.cohortId, 'question.solved', {
          questionId: question.id,
          userId: locked.authorId,
          by: 'accepted',
        });
      if (!own) {
        await this.audit.record(
          principal,
          {
            action: 'qa.answer.accept',
            targetType: 'question',
            targetId: question.id,
            cohortId: locked.cohortId,
            metadata: { answerId: answer.id },
            ...meta,
          },
          tx,
        );
      }
    });
    return this.questions.detail(principal, question.id);
  }

  private async view(principal: UserPrincipal, answerId: string): Promise<AnswerView> {
    const answer = await this.scope.answer(principal, answerId);
    const myVote = await this.scope.voteOf(principal.userId, answer.id);
    return toAnswerView(answer, answer.question.acceptedAnswerId, myVote);
  }
}

const messageTaken = () =>
  DomainError.conflict('discord_message_taken', 'this Discord message is already mirrored to an answer');

async function assertMessageFree(tx: Prisma.TransactionClient, discordMessageId: string): Promise<void> {
  const taken = await tx.answer.count({ where: { discordMessageId } });
  if (taken > 0) throw messageTaken();
}
