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

/**
 * The open questions of each (cohort, student, task) in $1 (a jsonb array), locked in id order (as
 * acceptance locks them), marked solved. $3 repeats the students as an array, which keeps the
 * look-up on the (author, task) index (the planner cannot count $1's rows).
 */
const SOLVE_BY_GRADINGS = statement(
  'qa_solve_by_gradings',
  `UPDATE questions SET status = 'solved', solved_at = $2::timestamptz, solved_by = 'grading', updated_at = $2::timestamptz
   WHERE id IN (
     SELECT q.id FROM questions q
     JOIN jsonb_to_recordset($1::jsonb) AS g(cohort_id uuid, user_id uuid, task_slug text)
       ON q.cohort_id = g.cohort_id AND q.author_id = g.user_id AND q.task_slug = g.task_slug
     WHERE q.author_id = ANY($3::uuid[]) AND q.deleted_at IS NULL AND q.status <> 'solved'
     ORDER BY q.id
     FOR UPDATE OF q
   ) AND status <> 'solved'
   RETURNING id, cohort_id::text AS "cohortId", author_id::text AS "userId", task_slug AS "taskSlug"`,
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
    const [ids] = await this.onGradingsPassed([input], sql, emit);
    return ids!;
  }

  /**
   * onGradingPassed for several passed gradings in one statement, inside the caller's transaction.
   * Returns the ids of the questions solved for each grading, in the order given.
   */
  async onGradingsPassed(inputs: readonly GradingPassed[], sql: Sql, emit: Emit): Promise<string[][]> {
    if (inputs.length === 0) return [];
    const gradings = inputs.map((input) => ({
      cohort_id: input.cohortId,
      user_id: input.userId,
      task_slug: input.taskId,
    }));
    const solved = await sql.query<{ id: string; cohortId: string; userId: string; taskSlug: string }>(
      SOLVE_BY_GRADINGS,
      [JSON.stringify(gradings), this.clock.now(), inputs.map((input) => input.userId)],
    );
    const byGrading = new Map<string, string[]>();
    for (const row of solved) {
      const key = `${row.cohortId}:${row.userId}:${row.taskSlug}`;
      byGrading.set(key, [...(byGrading.get(key) ?? []), row.id]);
    }
    const result: string[][] = [];
    for (const input of inputs) {
      const key = `${input.cohortId}:${input.userId}:${input.taskId}`;
      const ids = (byGrading.get(key) ?? []).sort();
      byGrading.delete(key); // the same grading twice solves its questions once
      for (const questionId of ids) {
        await emit(input.cohortId, 'question.solved', { questionId, userId: input.userId, by: 'grading' });
      }
      result.push(ids);
    }
    return result;
  }
}
