import { EnvironmentPower, failureReason, isPermanent } from '@kubecohort/environments';
import { HandlesJob, type JobHandler, type JobPayloads } from '@kubecohort/queue';
import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';

type Payload = JobPayloads['environments.sleep'];

/** Puts a sleeping environment's vcluster to sleep; retried with backoff, its reason set when it gives up. */
@Injectable()
@HandlesJob('environments.sleep')
export class SleepEnvironmentProcessor implements JobHandler<'environments.sleep'> {
  constructor(private readonly power: EnvironmentPower) {}

  async handle(payload: Payload, job: Job<Payload>): Promise<string> {
    try {
      return await this.power.sleep(payload.environmentId);
    } catch (error) {
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (!isPermanent(error) && !lastAttempt) throw error;
      await this.power.sleepFailed(payload.environmentId, failureReason(error));
      return 'failed';
    }
  }
}
