import { type GradingJobOutcome, SubmissionGrader } from '@kubecohort/grading';
import { HandlesJob, type JobHandler, type JobPayloads } from '@kubecohort/queue';
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { DelayedError, type Job } from 'bullmq';

type Payload = JobPayloads['grading.grade-submission'];

/** Queue edge of the grading pipeline; the work is SubmissionGrader's. */
@Injectable()
@HandlesJob('grading.grade-submission')
export class GradeSubmissionProcessor implements JobHandler<'grading.grade-submission'>, OnModuleDestroy {
  /** Aborted at shutdown: running gradings stop as an infrastructure error and are retried. */
  private readonly shutdown = new AbortController();

  constructor(private readonly grader: SubmissionGrader) {}

  async handle(payload: Payload, job: Job<Payload>): Promise<GradingJobOutcome> {
    const outcome = await this.grader.grade(
      {
        ...payload,
        attemptsMade: job.attemptsMade,
        maxAttempts: job.opts.attempts ?? 1,
      },
      this.shutdown.signal,
    );
    if (outcome.kind === 'wait') {
      // Its host cluster is full: back to the queue (not an attempt), freeing this worker slot.
      await job.moveToDelayed(Date.now() + outcome.delayMs, job.token);
      throw new DelayedError();
    }
    return outcome;
  }

  onModuleDestroy(): void {
    this.shutdown.abort();
  }
}
