import { EnvironmentTeardown, failureReason, isPermanent } from '@kubecohort/environments';
import { HandlesJob, type JobHandler, type JobPayloads } from '@kubecohort/queue';
import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';

type Payload = JobPayloads['environments.teardown'];

/** Tears an environment down; retried with backoff, failed (with the reason) when it cannot finish. */
@Injectable()
@HandlesJob('environments.teardown')
export class TeardownEnvironmentProcessor implements JobHandler<'environments.teardown'> {
  constructor(private readonly teardown: EnvironmentTeardown) {}

  async handle(payload: Payload, job: Job<Payload>): Promise<string> {
    try {
      return await this.teardown.teardown(payload.environmentId);
    } catch (error) {
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (!isPermanent(error) && !lastAttempt) throw error;
      await this.teardown.fail(payload.environmentId, failureReason(error));
      return 'failed';
    }
  }
}
