import { DomainError } from '@kubecohort/contracts';
import type { Prisma } from '@kubecohort/database';
import { ProgressRecorder } from '@kubecohort/progress';
import { QuestionSolver } from '@kubecohort/qa';
import { type Emit, Transactions } from '@kubecohort/realtime';
import { Injectable, Logger } from '@nestjs/common';
import { type FinishedGrading, SubmissionRepository } from './submission.repository.js';

export interface GradedSubmission {
  id: string;
  cohortId: string;
  userId: string;
  taskSlug: string;
}

/**
 * Writes the outcome of a grading — the submission's result and checks, the student's progress
 * (through ProgressRecorder), questions the pass solves, and the `submission.graded` event — in ONE
 * transaction, exactly once: the write is guarded by the claim (status running, attempt number),
 * so a second delivery of the same job, or a stale one, writes nothing.
 */
@Injectable()
export class SubmissionResults {
  private readonly logger = new Logger(SubmissionResults.name);

  constructor(
    private readonly transactions: Transactions,
    private readonly repository: SubmissionRepository,
    private readonly recorder: ProgressRecorder,
    private readonly solver: QuestionSolver,
  ) {}

  /** False when another attempt already wrote (or took over) this submission. */
  record(submission: GradedSubmission, attempt: number, result: FinishedGrading): Promise<boolean> {
    return this.transactions.run(async (tx, emit) => {
      if (!(await this.repository.finish(tx, submission.id, attempt, result))) return false;
      await this.afterOutcome(tx, emit, submission, result);
      return true;
    });
  }

  /** Ends an active submission with status error when no grading can be completed (see reconciler). */
  abandon(submission: GradedSubmission, message: string): Promise<boolean> {
    return this.transactions.run(async (tx, emit) => {
      if (!(await this.repository.abandon(tx, submission.id, message))) return false;
      await this.afterOutcome(tx, emit, submission, {
        status: 'error',
        score: null,
        maxScore: null,
        checks: [],
      });
      return true;
    });
  }

  /**
   * The event, the progress change and the questions a pass solves, inside the outcome's
   * transaction. An error is no attempt of the student's, so progress is left alone.
   */
  async afterOutcome(
    tx: Prisma.TransactionClient,
    emit: Emit,
    submission: GradedSubmission,
    result: Pick<FinishedGrading, 'status' | 'score' | 'maxScore' | 'checks'>,
  ): Promise<void> {
    const failed = result.checks.filter((check) => !check.passed && !check.skipped);
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
    if (result.status === 'error') return;
    try {
      await this.recorder.recordAttempt(
        {
          cohortId: submission.cohortId,
          userId: submission.userId,
          taskId: submission.taskSlug,
          submissionId: submission.id,
          outcome: result.status,
          points: result.score ?? 0,
          maxPoints: result.maxScore ?? 0,
          failedCheckIds: failed.map((check) => check.id),
        },
        { tx, emit },
      );
    } catch (error) {
      // Unenrolled (or the cohort deleted) since submitting: keep the result, there is no progress
      // to change. The recorder found no row, so nothing was written and the transaction is intact.
      if (!(error instanceof DomainError && error.kind === 'not_found')) throw error;
      this.logger.warn(
        { submissionId: submission.id, reason: error.message },
        'grading kept without a progress change',
      );
      return;
    }
    if (result.status === 'passed') {
      await this.solver.onGradingPassed(
        {
          cohortId: submission.cohortId,
          userId: submission.userId,
          taskId: submission.taskSlug,
          submissionId: submission.id,
        },
        tx,
        emit,
      );
    }
  }
}
