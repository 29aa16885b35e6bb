import type { Environment } from '@kubecohort/database';
import { JobQueue } from '@kubecohort/queue';
import { Injectable } from '@nestjs/common';

export const provisionJobId = (environmentId: string) => `provision-${environmentId}`;
export const teardownJobId = (environmentId: string) => `teardown-${environmentId}`;

/**
 * Enqueues environment work under deterministic job ids: asking twice (a retried request, the
 * reconciler, two api instances) collapses into one job.
 */
@Injectable()
export class EnvironmentJobs {
  constructor(private readonly queue: JobQueue) {}

  async ensureProvisioning(env: Pick<Environment, 'id' | 'state'>): Promise<void> {
    if (env.state !== 'requested' && env.state !== 'provisioning') return;
    await this.ensure('environments.provision', provisionJobId(env.id), env.id);
  }

  async ensureTeardown(env: Pick<Environment, 'id' | 'state'>): Promise<void> {
    if (env.state !== 'deleting') return;
    await this.ensure('environments.teardown', teardownJobId(env.id), env.id);
  }

  /** Whether a provisioning job for this environment is running right now. */
  async provisioningActive(environmentId: string): Promise<boolean> {
    const job = await this.queue.queue('provisioning').getJob(provisionJobId(environmentId));
    return job ? job.isActive() : false;
  }

  /**
   * Adds the job, or revives it: a job id that already finished (completed, or failed for good,
   * for instance after stalling twice) would otherwise swallow the add.
   */
  private async ensure(
    name: 'environments.provision' | 'environments.teardown',
    jobId: string,
    environmentId: string,
  ): Promise<void> {
    const existing = await this.queue.queue('provisioning').getJob(jobId);
    if (existing) {
      const state = await existing.getState();
      if (state === 'failed') {
        await existing.retry('failed');
        return;
      }
      if (state !== 'completed') return;
      await existing.remove();
    }
    await this.queue.add(name, { environmentId }, { jobId });
  }
}
