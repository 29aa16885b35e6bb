import type { Prisma } from '@kubecohort/database';
import { Clock } from '@kubecohort/config';
import { type Emit, Transactions } from '@kubecohort/realtime';
import { Injectable } from '@nestjs/common';

/** A passed grading, as the grading pipeline reports it. */
export interface GradingPassed {
  cohortId: string;
  userId: string;
  /** The task's slug. */
  taskId: string;
  submissionId: string;
}

/**
 * Hook for the grading pipeline: when a student's grading of a task passes, their open questions
 * on that task are solved by 'grading' (question.solved, cohort-public). A question whose answer
 * was accepted first is already solved and stays solved by 'accepted'. Question rows are locked,
 * so an acceptance racing the grading has exactly one winner.
 */
@Injectable()
export class QuestionSolver {
  constructor(
    private readonly transactions: Transactions,
    private readonly clock: Clock,
  ) {}

  /**
   * Call inside the grading transaction (`tx`, `emit` from Transactions.run): the events publish
   * when that transaction commits. Without them, runs in a transaction of its own.
   * Returns the ids of the questions it solved.
   */
  async onGradingPassed(input: GradingPassed, tx?: Prisma.TransactionClient, emit?: Emit): Promise<string[]> {
    if (!tx || !emit)
      return this.transactions.run((ownTx, ownEmit) => this.onGradingPassed(input, ownTx, ownEmit));
    const open = await tx.$queryRaw<{ id: string }[]>`
      SELECT id FROM questions
      WHERE cohort_id = ${input.cohortId}::uuid AND author_id = ${input.userId}::uuid AND task_slug = ${input.taskId}
        AND deleted_at IS NULL AND status <> 'solved'
      ORDER BY id
      FOR UPDATE`;
    if (open.length === 0) return [];
    const ids = open.map((row) => row.id);
    await tx.question.updateMany({
      where: { id: { in: ids }, status: { not: 'solved' } },
      data: { status: 'solved', solvedAt: this.clock.now(), solvedBy: 'grading' },
    });
    for (const questionId of ids) {
      await emit(input.cohortId, 'question.solved', { questionId, userId: input.userId, by: 'grading' });
    }
    return ids;
  }
}
