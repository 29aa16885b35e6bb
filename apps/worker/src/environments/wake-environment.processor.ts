import { EnvironmentPower, failureReason, isPermanent } from '@kubecohort/environments';
import { HandlesJob, type JobHandler, type JobPayloads } from '@kubecohort/queue';
import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';

type Payload = JobPayloads['environments.wake'];

/** Wakes an environment up; retried with backoff (also while a sleep job still runs), failed when it cannot. */
@Injectable()
@HandlesJob('environments.wake')
export class WakeEnvironmentProcessor implements JobHandler<'environments.wake'> {
  constructor(private readonly power: EnvironmentPower) {}

  async handle(payload: Payload, job: Job<Payload>): Promise<string> {
    try {
      return await this.power.wake(payload.environmentId);
    } catch (error) {
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (!isPermanent(error) && !lastAttempt) throw error;
      await this.power.wakeFailed(payload.environmentId, failureReason(error));
      return 'failed';
    }
  }
}
