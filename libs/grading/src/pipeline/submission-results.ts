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
    const ordered = [...batch].sort((a, b) => order(a.submission).localeCompare(order(b.submission)));
    const { written, events } = await this.sql.transaction(async (sql) => {
      const pending = new EventBatch();
      const written = new Map<GradingWrite, boolean>();
      for (const write of ordered) {
        const finished = await this.repository.finish(sql, write.submission, write.attempt, write.result);
        written.set(write, finished.written);
        if (finished.written) {
          await this.afterOutcome(sql, pending.emit, write.submission, write.result, finished.enrollment);
        }
      }
      return { written, events: await pending.append(sql) };
    });
    await this.publisher.publish(events);
    return batch.map((write) => written.get(write)!);
  }

  /** Ends an active submission with status error when no grading can be completed (see reconciler). */
  abandon(submission: GradedSubmission, message: string): Promise<boolean> {
    return this.transactions.run(async (tx, emit) => {
      const sql = prismaSql(tx);
      if (!(await this.repository.abandon(sql, submission.id, message))) return false;
      await this.afterOutcome(sql, emit, submission, {
        status: 'error',
        score: null,
        maxScore: null,
        checks: [],
      });
      return true;
    });
  }

  /**
   * The progress change, the questions a pass solves and the event, inside the outcome's
   * transaction. An error is no attempt of the student's, so progress is left alone.
   *
   * Lock order (deadlock freedom): the student's enrolment row first, then question rows, then the
   * cohort's event counter (taken by the first emit). A submission's insert holds a key-share lock
   * on the same enrolment row before it emits, so taking the counter before the enrolment here could
   * deadlock with a concurrent submit by the same student.
   */
  async afterOutcome(
    sql: Sql,
    emit: Emit,
    submission: GradedSubmission,
    result: Pick<FinishedGrading, 'status' | 'score' | 'maxScore' | 'checks'>,
    /** Known already: the caller locked the enrolment, or found none (see SubmissionRepository.finish). */
    locked?: LockedEnrollment | null,
  ): Promise<void> {
    const failed = result.checks.filter((check) => !check.passed && !check.skipped);
    const enrollment =
      result.status === 'error'
        ? null
        : locked === undefined
          ? await this.recorder.lockActiveEnrollment(sql, submission.cohortId, submission.userId)
          : locked;
    if (enrollment) {
      if (result.status === 'passed') {
        await this.solver.onGradingPassed(
          {
            cohortId: submission.cohortId,
            userId: submission.userId,
            taskId: submission.taskSlug,
            submissionId: submission.id,
          },
          sql,
          emit,
        );
      }
      try {
        await this.recorder.recordAttempt(
          {
            cohortId: submission.cohortId,
            userId: submission.userId,
            taskId: submission.taskSlug,
            submissionId: submission.id,
            outcome: result.status as 'passed' | 'failed' | 'pending_review',
            points: result.score ?? 0,
            maxPoints: result.maxScore ?? 0,
            failedCheckIds: failed.map((check) => check.id),
          },
          { sql, emit, enrollment },
        );
      } catch (error) {
        // The recorder found no row it could use (nothing written): keep the result without progress.
        if (!(error instanceof DomainError && error.kind === 'not_found')) throw error;
        this.logger.warn(
          { submissionId: submission.id, reason: error.message },
          'grading kept without a progress change',
        );
      }
    } else if (result.status !== 'error') {
      // Unenrolled (or the cohort deleted) since submitting: the result stays, there is no progress.
      this.logger.warn(
        { submissionId: submission.id },
        'grading kept without a progress change: not enrolled',
      );
    }
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
        failedChecks: failed.map((check) => ({ id: check.id, message: check.message })),
      },
      { subjectUserId: submission.userId },
    );
  }
}

/** The order a batch takes its students' enrolment locks in: by cohort, then student. */
function order(submission: GradedSubmission): string {
  return `${submission.cohortId}:${submission.userId}`;
}
