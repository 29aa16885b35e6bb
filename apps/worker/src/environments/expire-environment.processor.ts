import { EnvironmentExpiry, failureReason, isPermanent, type ExpiryOutcome } from '@kubecohort/environments';
import { HandlesJob, type JobHandler, type JobPayloads } from '@kubecohort/queue';
import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';

type Payload = JobPayloads['environments.expire'];

/**
 * Exports, then tears down, an environment whose time is up. The export is retried with backoff;
 * when it cannot be made the environment is torn down anyway (its reason says the export failed).
 */
@Injectable()
@HandlesJob('environments.expire')
export class ExpireEnvironmentProcessor implements JobHandler<'environments.expire'> {
  constructor(private readonly expiry: EnvironmentExpiry) {}

  async handle(payload: Payload, job: Job<Payload>): Promise<ExpiryOutcome> {
    try {
      return await this.expiry.expire(payload.environmentId);
    } catch (error) {
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (!isPermanent(error) && !lastAttempt) throw error;
      await this.expiry.expireWithoutExport(payload.environmentId, failureReason(error));
      return 'expired';
    }
  }
}
