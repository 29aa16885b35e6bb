import { Clock } from '@kubecohort/config';
import { PrismaService } from '@kubecohort/database';
import { Injectable } from '@nestjs/common';
import { EnvironmentJobs } from './environment.jobs.js';

export interface ReconcileResult {
  provisioning: number;
  teardown: number;
  sleep: number;
  wake: number;
  exportsPurged: number;
  operations: number;
}

/**
 * Makes sure every environment that is on its way somewhere has a job taking it there: an enqueue
 * lost after the api's commit, or a job that failed for good while the environment kept its
 * state (stalled twice, say), is re-enqueued. Deterministic job ids make this safe to run often.
 * Also deletes exports past their retention.
 */
@Injectable()
export class EnvironmentReconciler {
  constructor(
    private readonly prisma: PrismaService,
    private readonly jobs: EnvironmentJobs,
    private readonly clock: Clock,
  ) {}

  async reconcile(staleAfterSeconds: number): Promise<ReconcileResult> {
    const now = this.clock.now();
    const stuck = await this.prisma.environment.findMany({
      where: {
        updatedAt: { lt: new Date(now.getTime() - staleAfterSeconds * 1000) },
        OR: [
          { state: { in: ['requested', 'provisioning', 'deleting', 'waking'] } },
          // Asleep in the database, but its vcluster may still run.
          { state: 'sleeping', progressPercent: { lt: 100 } },
        ],
      },
      select: { id: true, state: true, progressPercent: true },
      orderBy: { updatedAt: 'asc' },
      take: 500,
    });
    const result: ReconcileResult = {
      provisioning: 0,
      teardown: 0,
      sleep: 0,
      wake: 0,
      exportsPurged: 0,
      operations: 0,
    };
    for (const env of stuck) {
      switch (env.state) {
        case 'deleting':
          await this.jobs.ensureTeardown(env);
          result.teardown++;
          break;
        case 'sleeping':
          await this.jobs.ensureSleep(env);
          result.sleep++;
          break;
        case 'waking':
          await this.jobs.ensureWake(env);
          result.wake++;
          break;
        case 'requested':
        case 'provisioning':
          await this.jobs.ensureProvisioning(env);
          result.provisioning++;
          break;
        case 'ready':
        case 'deleted':
        case 'failed':
          break; // not selected above: nothing to bring back
      }
    }
    // A running cohort operation touches its row every loop: a quiet one lost its job.
    const operations = await this.prisma.environmentOperation.findMany({
      where: { state: 'running', updatedAt: { lt: new Date(now.getTime() - staleAfterSeconds * 1000) } },
      select: { id: true },
      take: 100,
    });
    for (const operation of operations) await this.jobs.ensureCohortProvisioning(operation.id);
    result.operations = operations.length;
    const purged = await this.prisma.environmentExport.deleteMany({ where: { expiresAt: { lte: now } } });
    result.exportsPurged = purged.count;
    return result;
  }
}
