import { DomainError } from '@kubecohort/contracts';
import { GroupCommit, prismaSql, type Sql, SqlClient } from '@kubecohort/database';
import { CurriculumCatalog, type LockedEnrollment, ProgressRecorder } from '@kubecohort/progress';
import { QuestionSolver } from '@kubecohort/qa';
import { type Emit, EventPublisher, Transactions } from '@kubecohort/realtime';
import { Injectable, Logger } from '@nestjs/common';
import { EventBatch } from './event-batch.js';
import { type FinishedGrading, SubmissionRepository } from './submission.repository.js';

export interface GradedSubmission {
  id: string;
  cohortId: string;
  userId: string;
  taskSlug: string;
  /** The cohort's curriculum version, when known (the grader's claim has it). */
  versionId?: string;
}

/** One grading's outcome to write. */
interface GradingWrite {
  submission: GradedSubmission;
  attempt: number;
  result: FinishedGrading;
}

/** Gradings written by one transaction at most. */
const MAX_BATCH = 16;
/**
 * Every statement of the write finds its rows by key (submissions, enrolments, progress rows,
 * questions, event counters): generic plans, made once per connection, as index look-ups.
 */
const KEY_LOOKUPS = { keyLookups: true } as const;

/**
 * Writes the outcome of a grading — the submission's result and checks, the student's progress
 * (through ProgressRecorder), questions the pass solves, and the `submission.graded` event — in ONE
 * transaction, exactly once: the write is guarded by the claim (status running, attempt number),
 * so a second delivery of the same job, or a stale one, writes nothing. The transaction is short,
 * all named statements on one connection (SqlClient): one for result, checks and the enrolment lock,
 * the solver's one, the recorder's two (read, write), one for all events (EventBatch, so the cohort's
 * event counter is held for one statement), then COMMIT and publish.
 *
 * Group commit (GroupCommit, one writing transaction per process): gradings that finish while
 * one is being written wait for the next, and are written together — each with its own
 * statements, in (cohort, student) order so enrolment locks are always taken in the same order —
 * sharing BEGIN, the event batch and COMMIT. Alone, a grading is written at once. A batch that
 * fails is written again one grading per transaction, so a bad grading fails only its own job.
 */
@Injectable()
export class SubmissionResults {
  private readonly logger = new Logger(SubmissionResults.name);
  private readonly writes: GroupCommit<GradingWrite, boolean>;

  constructor(
    private readonly sql: SqlClient,
    private readonly transactions: Transactions,
    private readonly publisher: EventPublisher,
    private readonly repository: SubmissionRepository,
    private readonly recorder: ProgressRecorder,
    private readonly solver: QuestionSolver,
    private readonly catalog: CurriculumCatalog,
  ) {
    this.writes = new GroupCommit((batch) => this.writeBatch(batch), {
      maxBatch: MAX_BATCH,
      maxWriters: 1,
      onBatchFailure: (size, error) =>
        this.logger.warn(
          { size, err: (error as Error).message },
          'grading batch failed; writing its gradings one by one',
        ),
    });
  }

  /** False when another attempt already wrote (or took over) this submission. */
  async record(submission: GradedSubmission, attempt: number, result: FinishedGrading): Promise<boolean> {
    // The curriculum is read (once per process) before the transaction, not by the first batch
    // that needs it, with its students' enrolments locked.
    if (submission.versionId) await this.catalog.get(submission.versionId);
    return this.writes.add({ submission, attempt, result });
  }

  /** One transaction for the batch, then its events published; whether each grading was written. */
  private async writeBatch(batch: GradingWrite[]): Promise<boolean[]> {
    // The same submission twice (a stale delivery meeting its successor): only the latest attempt
    // can hold the claim, so only it goes to the write.
    const latest = new Map<string, GradingWrite>();
    for (const write of batch) {
      const other = latest.get(write.submission.id);
      if (!other || write.attempt > other.attempt) latest.set(write.submission.id, write);
    }
    const unique = [...latest.values()];
    const ordered = unique.sort((a, b) => order(a.submission).localeCompare(order(b.submission)));
    const { written, events } = await this.sql.transaction(async (sql) => {
      const pending = new EventBatch();
      const finished = await this.repository.finish(sql, ordered);
      const written = new Map<GradingWrite, boolean>();
      const outcomes: Outcome[] = [];
      ordered.forEach((write, index) => {
        const { written: wrote, enrollment } = finished[index]!;
        written.set(write, wrote);
        if (wrote) outcomes.push({ submission: write.submission, result: write.result, enrollment });
      });
      await this.afterOutcomes(sql, pending.emit, outcomes);
      return { written, events: await pending.append(sql) };
    }, KEY_LOOKUPS);
    await this.publisher.publish(events);
    return batch.map((write) => written.get(write) ?? false);
  }

  /** Ends an active submission with status error when no grading can be completed (see reconciler). */
  abandon(submission: GradedSubmission, message: string): Promise<boolean> {
    return this.transactions.run(async (tx, emit) => {
      const sql = prismaSql(tx);
      if (!(await this.repository.abandon(sql, submission.id, message))) return false;
      const result: Outcome['result'] = { status: 'error', score: null, maxScore: null, checks: [] };
      await this.afterOutcomes(sql, emit, [{ submission, result, enrollment: null }]);
      return true;
    });
  }

  /**
   * The progress change, the questions a pass solves and the event of one outcome (a review's),
   * inside the outcome's transaction; the student's active enrolment is locked first.
   */
  async afterOutcome(
    sql: Sql,
    emit: Emit,
    submission: GradedSubmission,
    result: Outcome['result'],
  ): Promise<void> {
    const enrollment =
      result.status === 'error'
        ? null
        : await this.recorder.lockActiveEnrollment(sql, submission.cohortId, submission.userId);
    await this.afterOutcomes(sql, emit, [{ submission, result, enrollment }]);
  }

  /**
   * The progress changes, the questions the passes solve and the events of written outcomes, inside
   * their transaction, a statement each for all of them (QuestionSolver, ProgressRecorder, then the
   * events). An error is no attempt of the student's, so progress is left alone.
   *
   * Lock order (deadlock freedom): the students' enrolment rows first (locked by the caller), then
   * question rows, then the cohorts' event counters (taken when the events are appended). A
   * submission's insert holds a key-share lock on the same enrolment row before it emits, so taking
   * a counter before the enrolment here could deadlock with a concurrent submit by the same student.
   */
  private async afterOutcomes(sql: Sql, emit: Emit, outcomes: readonly Outcome[]): Promise<void> {
    const progressing = outcomes.filter(
      (outcome): outcome is Outcome & { enrollment: LockedEnrollment } =>
        outcome.result.status !== 'error' && outcome.enrollment !== null,
    );
    for (const outcome of outcomes) {
      if (outcome.result.status !== 'error' && outcome.enrollment === null) {
        // Unenrolled (or the cohort deleted) since submitting: the result stays, there is no progress.
        this.logger.warn(
          { submissionId: outcome.submission.id },
          'grading kept without a progress change: not enrolled',
        );
      }
    }
    await this.solver.onGradingsPassed(
      progressing
        .filter((outcome) => outcome.result.status === 'passed')
        .map(({ submission }) => ({
          cohortId: submission.cohortId,
          userId: submission.userId,
          taskId: submission.taskSlug,
          submissionId: submission.id,
        })),
      sql,
      emit,
    );
    const recorded = await this.recorder.recordAttempts(
      progressing.map(({ submission, result, enrollment }) => ({
        enrollment,
        input: {
          cohortId: submission.cohortId,
          userId: submission.userId,
          taskId: submission.taskSlug,
          submissionId: submission.id,
          outcome: result.status as 'passed' | 'failed' | 'pending_review',
          points: result.score ?? 0,
          maxPoints: result.maxScore ?? 0,
          failedCheckIds: failedChecks(result).map((check) => check.id),
        },
      })),
      { sql, emit },
    );
    recorded.forEach((attempt, index) => {
      // The recorder found no row it could use (nothing written): keep the result without progress.
      if (attempt instanceof DomainError) {
        this.logger.warn(
          { submissionId: progressing[index]!.submission.id, reason: attempt.message },
          'grading kept without a progress change',
        );
      }
    });
    for (const { submission, result } of outcomes) {
      await emit(
        submission.cohortId,
        'submission.graded',
        {
          submissionId: submission.id,
          userId: submission.userId,
          taskId: submission.taskSlug,
          status: result.status,
          score: result.score,
          maxScore: result.maxScore,
          failedChecks: failedChecks(result).map((check) => ({ id: check.id, message: check.message })),
        },
        { subjectUserId: submission.userId },
      );
    }
  }
}

/** A written outcome and the student's locked active enrolment (null: none, or not needed). */
interface Outcome {
  submission: GradedSubmission;
  result: Pick<FinishedGrading, 'status' | 'score' | 'maxScore' | 'checks'>;
  enrollment: LockedEnrollment | null;
}

function failedChecks(result: Outcome['result']): FinishedGrading['checks'] {
  return result.checks.filter((check) => !check.passed && !check.skipped);
}

/** The order a batch takes its students' enrolment locks in: by cohort, then student. */
function order(submission: GradedSubmission): string {
  return `${submission.cohortId}:${submission.userId}`;
}
