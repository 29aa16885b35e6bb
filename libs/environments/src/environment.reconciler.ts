import { PrismaService } from '@kubecohort/database';
import { Injectable } from '@nestjs/common';
import { EnvironmentJobs } from './environment.jobs.js';

/**
 * Makes sure every environment that is on its way somewhere has a job taking it there: an enqueue
 * lost after the api's commit, or a job that failed for good while the environment kept its
 * state (stalled twice, say), is re-enqueued. Deterministic job ids make this safe to run often.
 */
@Injectable()
export class EnvironmentReconciler {
  constructor(
    private readonly prisma: PrismaService,
    private readonly jobs: EnvironmentJobs,
  ) {}

  async reconcile(staleAfterSeconds: number): Promise<{ provisioning: number; teardown: number }> {
    const stuck = await this.prisma.environment.findMany({
      where: {
        state: { in: ['requested', 'provisioning', 'deleting'] },
        updatedAt: { lt: new Date(Date.now() - staleAfterSeconds * 1000) },
      },
      select: { id: true, state: true },
      orderBy: { updatedAt: 'asc' },
      take: 500,
    });
    let provisioning = 0;
    let teardown = 0;
    for (const env of stuck) {
      if (env.state === 'deleting') {
        await this.jobs.ensureTeardown(env);
        teardown++;
      } else {
        await this.jobs.ensureProvisioning(env);
        provisioning++;
      }
    }
    return { provisioning, teardown };
  }
}
