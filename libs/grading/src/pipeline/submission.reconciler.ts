import { PrismaService } from '@kubecohort/database';
import { JobQueue, queueOf } from '@kubecohort/queue';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { GRADING_PIPELINE_OPTIONS, type GradingPipelineOptions } from './grading-pipeline.options.js';
import { type GradingJobPayload, SubmissionRepository } from './submission.repository.js';
import { SubmissionResults } from './submission-results.js';
import { GRADE_SUBMISSION_JOB, needsEnvironment } from './submission.rules.js';
import { TaskDefinitions } from './task-definitions.js';

/** Deliveries of one submission to the queue after which it ends in `error` instead. */
export const MAX_DELIVERIES = 5;
/** Processed outbox rows are kept this long (redrives recreate pruned ones). */
const OUTBOX_RETENTION_DAYS = 7;
const SCAN_LIMIT = 500;

export interface ReconcileReport {
  checked: number;
  redriven: number;
  abandoned: number;
}

/**
 * Keeps "every submission gets graded" true when the queue loses jobs: Redis restarted without
 * persistence, or a job failed for good (e.g. it stalled twice). Periodically, active submissions
 * handed to the queue a while ago are looked up in BullMQ; those whose job is missing, or
 * completed/failed while the submission is still active, are handed to the relay again (same job
 * id). Exactly-once is not at stake here — the claim guard makes any extra delivery a no-op.
 * After MAX_DELIVERIES the submission ends in `error` rather than loop forever.
 */
@Injectable()
export class SubmissionReconciler {
  private readonly logger = new Logger(SubmissionReconciler.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    private readonly prisma: PrismaService,
    private readonly jobs: JobQueue,
    private readonly repository: SubmissionRepository,
    private readonly results: SubmissionResults,
    private readonly tasks: TaskDefinitions,
    @Inject(GRADING_PIPELINE_OPTIONS) private readonly options: GradingPipelineOptions,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.reconcile()
        .catch((error: unknown) =>
          this.logger.warn({ err: (error as Error).message }, 'submission reconcile failed; will retry'),
        )
        .finally(() => {
          this.running = undefined;
        });
    }, this.options.reconcileIntervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  async reconcile(): Promise<ReconcileReport> {
    const stale = await this.repository.stale(this.options.reconcileAfterMs, SCAN_LIMIT);
    const queue = this.jobs.queue(queueOf(GRADE_SUBMISSION_JOB));
    const states = await Promise.all(stale.map((row) => queue.getJobState(row.id)));
    const redrive: GradingJobPayload[] = [];
    let abandoned = 0;
    for (const [index, row] of stale.entries()) {
      const state = states[index];
      const lost = state === 'unknown' || state === 'completed' || state === 'failed';
      if (!lost) continue;
      if (state !== 'unknown') await queue.remove(row.id).catch(() => 0);
      if (row.deliveries >= MAX_DELIVERIES) {
        const submission = await this.prisma.submission.findUnique({
          where: { id: row.id },
          select: { id: true, cohortId: true, userId: true, taskSlug: true },
        });
        if (
          submission &&
          (await this.results.abandon(
            submission,
            `the grading was interrupted ${row.deliveries} times; submit again, or ask your instructor if it keeps happening`,
          ))
        ) {
          abandoned += 1;
        }
        continue;
      }
      const task = await this.tasks.get(row.versionId, row.taskSlug);
      redrive.push({
        submissionId: row.id,
        userId: row.userId,
        cohortId: row.cohortId,
        taskId: row.taskSlug,
        environment: task ? needsEnvironment(task) : false,
      });
    }
    await this.repository.redrive(redrive);
    await this.prune();
    if (redrive.length > 0 || abandoned > 0) {
      this.logger.warn(
        { checked: stale.length, redriven: redrive.length, abandoned },
        'grading jobs lost by the queue were delivered again',
      );
    }
    return { checked: stale.length, redriven: redrive.length, abandoned };
  }

  private async prune(): Promise<void> {
    const cutoff = new Date(Date.now() - OUTBOX_RETENTION_DAYS * 86_400_000);
    await this.prisma.$executeRaw`
      DELETE FROM outbox_messages WHERE id IN (
        SELECT id FROM outbox_messages WHERE processed_at IS NOT NULL AND processed_at < ${cutoff} LIMIT 1000
      )`;
  }
}
