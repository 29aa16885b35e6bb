import { EnvironmentProvisioner, failureReason, isPermanent } from '@kubecohort/environments';
import { HandlesJob, type JobHandler, type JobPayloads } from '@kubecohort/queue';
import { Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';

type Payload = JobPayloads['environments.provision'];

/**
 * Provisions an environment. Infrastructure trouble (409, 429, 5xx, timeouts, a step that took too
 * long) is thrown back to BullMQ, which retries the whole idempotent run with backoff; a failure
 * retrying cannot fix, or the last attempt, marks the environment failed with its reason.
 */
@Injectable()
@HandlesJob('environments.provision')
export class ProvisionEnvironmentProcessor implements JobHandler<'environments.provision'> {
  constructor(private readonly provisioner: EnvironmentProvisioner) {}

  async handle(payload: Payload, job: Job<Payload>): Promise<string> {
    try {
      return await this.provisioner.provision(payload.environmentId);
    } catch (error) {
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (!isPermanent(error) && !lastAttempt) throw error;
      await this.provisioner.fail(payload.environmentId, failureReason(error));
      return 'failed';
    }
  }
}
