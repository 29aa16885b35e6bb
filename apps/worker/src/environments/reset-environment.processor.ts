import { EnvironmentReset, failureReason, isPermanent, type ResetOutcome } from '@kubecohort/environments';
import { HandlesJob, type JobHandler, type JobPayloads } from '@kubecohort/queue';
import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';

type Payload = JobPayloads['environments.reset'];

/**
 * Resets an environment: export first, then a fresh one. Retried with backoff (an unreachable
 * vcluster API, a wake still in progress); when it gives up nothing was deleted and the
 * environment's reason says so.
 */
@Injectable()
@HandlesJob('environments.reset')
export class ResetEnvironmentProcessor implements JobHandler<'environments.reset'> {
  constructor(private readonly resets: EnvironmentReset) {}

  async handle(payload: Payload, job: Job<Payload>): Promise<ResetOutcome | { outcome: 'failed' }> {
    try {
      return await this.resets.reset(payload.environmentId);
    } catch (error) {
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (!isPermanent(error) && !lastAttempt) throw error;
      await this.resets.fail(payload.environmentId, failureReason(error));
      return { outcome: 'failed' };
    }
  }
}
