import type { Environment } from '@kubecohort/database';
import { JobQueue, queueOf, type JobName, type JobPayloads } from '@kubecohort/queue';
import { Injectable } from '@nestjs/common';

export const provisionJobId = (environmentId: string) => `provision-${environmentId}`;
export const teardownJobId = (environmentId: string) => `teardown-${environmentId}`;
export const sleepJobId = (environmentId: string) => `sleep-${environmentId}`;
export const wakeJobId = (environmentId: string) => `wake-${environmentId}`;
export const resetJobId = (environmentId: string) => `reset-${environmentId}`;
export const expiryJobId = (environmentId: string) => `expire-${environmentId}`;
export const relabelJobId = (environmentId: string) => `relabel-${environmentId}`;
export const provisionCohortJobId = (operationId: string) => `provision-cohort-${operationId}`;

/**
 * Enqueues environment work under deterministic job ids: asking twice (a retried request, the
 * reconciler, two api instances) collapses into one job.
 */
@Injectable()
export class EnvironmentJobs {
  constructor(private readonly queue: JobQueue) {}

  async ensureProvisioning(env: Pick<Environment, 'id' | 'state'>): Promise<void> {
    if (env.state !== 'requested' && env.state !== 'provisioning') return;
    await this.ensure('environments.provision', provisionJobId(env.id), { environmentId: env.id });
  }

  /**
   * The provisioning job of an environment created just now (its id is new, so no job of that id
   * exists): added without `ensure`'s look-up, one Redis round trip less per allocation.
   */
  async addProvisioning(environmentId: string): Promise<void> {
    await this.queue.add(
      'environments.provision',
      { environmentId },
      { jobId: provisionJobId(environmentId) },
    );
  }

  async ensureTeardown(env: Pick<Environment, 'id' | 'state'>): Promise<void> {
    if (env.state !== 'deleting') return;
    await this.ensure('environments.teardown', teardownJobId(env.id), { environmentId: env.id });
  }

  /** A sleeping environment whose vcluster may still run (progress below 100) gets its sleep job. */
  async ensureSleep(env: Pick<Environment, 'id' | 'state' | 'progressPercent'>): Promise<void> {
    if (env.state !== 'sleeping' || env.progressPercent >= 100) return;
    await this.ensure('environments.sleep', sleepJobId(env.id), { environmentId: env.id });
  }

  async ensureWake(env: Pick<Environment, 'id' | 'state'>): Promise<void> {
    if (env.state !== 'waking') return;
    await this.ensure('environments.wake', wakeJobId(env.id), { environmentId: env.id });
  }

  /** One reset per environment (a reset replaces the environment, so the next one has another id). */
  async ensureReset(environmentId: string, requestedBy: string): Promise<void> {
    await this.ensure(
      'environments.reset',
      resetJobId(environmentId),
      { environmentId, requestedBy },
      'once',
    );
  }

  /** The job running a provision-cohort operation (added, or revived when it died for good). */
  async ensureCohortProvisioning(operationId: string): Promise<void> {
    await this.ensure('environments.provision-cohort', provisionCohortJobId(operationId), { operationId });
  }

  /** The export-then-teardown of an environment whose time is up. */
  async ensureExpiry(environmentId: string): Promise<void> {
    await this.ensure('environments.expire', expiryJobId(environmentId), { environmentId });
  }

  /** Relabels a claimed pool environment (once per claim: a claimed environment is never pooled again). */
  async ensureRelabel(environmentId: string): Promise<void> {
    await this.ensure('environments.relabel', relabelJobId(environmentId), { environmentId }, 'once');
  }

  /** Whether a reset job for this environment is waiting or running. */
  async resetPending(environmentId: string): Promise<boolean> {
    const job = await this.queue.queue('provisioning').getJob(resetJobId(environmentId));
    if (!job) return false;
    const state = await job.getState();
    return state !== 'completed' && state !== 'failed';
  }

  /** Whether a provisioning job for this environment is running right now. */
  async provisioningActive(environmentId: string): Promise<boolean> {
    return this.active(provisionJobId(environmentId));
  }

  /** Whether a sleep job for this environment is running right now. */
  async sleepActive(environmentId: string): Promise<boolean> {
    return this.active(sleepJobId(environmentId));
  }

  private async active(jobId: string): Promise<boolean> {
    const job = await this.queue.queue('provisioning').getJob(jobId);
    return job ? job.isActive() : false;
  }

  /**
   * Adds the job, or revives it: a job id that failed for good (for instance after stalling twice)
   * is retried, and one that completed would otherwise swallow the add, so it is removed and added
   * again — unless the job runs `once` per id, when any existing job stands.
   */
  private async ensure<J extends JobName>(
    name: J,
    jobId: string,
    payload: JobPayloads[J],
    runs: 'again' | 'once' = 'again',
  ): Promise<void> {
    const existing = await this.queue.queue(queueOf(name)).getJob(jobId);
    if (existing) {
      const state = await existing.getState();
      if (state === 'failed') await existing.retry('failed');
      if (state !== 'completed' || runs === 'once') return;
      await existing.remove();
    }
    await this.queue.add(name, payload, { jobId });
  }
}
