import { prismaSql, type Sql, statement } from '@kubecohort/database';
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

/** The student's open questions on the task, locked in id order (as acceptance locks them), marked solved. */
const SOLVE_BY_GRADING = statement(
  'qa_solve_by_grading',
  `UPDATE questions SET status = 'solved', solved_at = $4::timestamptz, solved_by = 'grading', updated_at = $4::timestamptz
   WHERE id IN (
     SELECT id FROM questions
     WHERE cohort_id = $1::uuid AND author_id = $2::uuid AND task_slug = $3::text
       AND deleted_at IS NULL AND status <> 'solved'
     ORDER BY id
     FOR UPDATE
   ) AND status <> 'solved'
   RETURNING id`,
);

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
   * Call inside the grading transaction (`sql`, `emit`: the pipeline's, or `prismaSql(tx)` and
   * emit of Transactions.run): the events publish when that transaction commits. Without them,
   * runs in a transaction of its own. Returns the ids of the questions it solved.
   */
  async onGradingPassed(input: GradingPassed, sql?: Sql, emit?: Emit): Promise<string[]> {
    if (!sql || !emit) {
      return this.transactions.run((tx, ownEmit) => this.onGradingPassed(input, prismaSql(tx), ownEmit));
    }
    const solved = await sql.query<{ id: string }>(SOLVE_BY_GRADING, [
      input.cohortId,
      input.userId,
      input.taskId,
      this.clock.now(),
    ]);
    const ids = solved.map((row) => row.id).sort();
    for (const questionId of ids) {
      await emit(input.cohortId, 'question.solved', { questionId, userId: input.userId, by: 'grading' });
    }
    return ids;
  }
}
