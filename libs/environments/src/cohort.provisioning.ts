import { Clock } from '@kubecohort/config';
import { DomainError } from '@kubecohort/contracts';
import { type Environment, Prisma, PrismaService } from '@kubecohort/database';
import { Transactions } from '@kubecohort/realtime';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { CohortBudget } from './cohort.budget.js';
import { operationCounts } from './cohort-environments.js';
import { createEnvironmentRow } from './environment.factory.js';
import { EnvironmentJobs } from './environment.jobs.js';
import { EnvironmentTransitions } from './environment.transitions.js';
import {
  BULK_OPTIONS,
  ENVIRONMENT_SIZING,
  environmentCost,
  type BulkOptions,
  type EnvironmentSizing,
} from './environments.options.js';
import { HostClusterAllocator } from './host-cluster.allocator.js';
import { claimPooled } from './warm.pool.js';

export type CohortProvisioningOutcome = 'succeeded' | 'stopped' | 'skipped';

/**
 * Runs a provision-cohort operation: environments for every actively enrolled student without a
 * live one, at most `concurrency` of them on their way up at a time (so one cohort does not fill
 * the provisioning queue and every host API for everyone else), each placed by free capacity
 * over all host clusters and counted against the cohort's budget. A full budget or no capacity
 * stops it (after the environments already started finish) with the reason. Rerunning it after a
 * crash carries on: students with a live environment are skipped, and each environment holds
 * its student's one live slot, so nobody gets two.
 */
@Injectable()
export class CohortProvisioning {
  private readonly logger = new Logger(CohortProvisioning.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly transactions: Transactions,
    private readonly transitions: EnvironmentTransitions,
    private readonly allocator: HostClusterAllocator,
    private readonly budget: CohortBudget,
    private readonly jobs: EnvironmentJobs,
    private readonly clock: Clock,
    @Inject(ENVIRONMENT_SIZING) private readonly sizing: EnvironmentSizing,
    @Inject(BULK_OPTIONS) private readonly options: BulkOptions,
  ) {}

  async run(operationId: string): Promise<CohortProvisioningOutcome> {
    const operation = await this.prisma.environmentOperation.findUnique({ where: { id: operationId } });
    if (!operation || operation.state !== 'running') return 'skipped';
    const { cohortId } = operation;
    let stopReason: string | null = null;
    /** Students past the per-student cap: left out of this run. */
    const capped = new Set<string>();
    for (;;) {
      const students = await this.prisma.enrollment.findMany({
        where: { cohortId, status: 'active', activeUserId: { not: null } },
        select: { userId: true },
        orderBy: { userId: 'asc' },
      });
      const userIds = students.map((s) => s.userId);
      const live = await this.prisma.environment.findMany({
        where: { activeUserId: { in: userIds } },
        select: { userId: true, operationId: true },
      });
      // Students this operation already gave one (even one that failed since: no second try here).
      const ours = await this.prisma.environment.findMany({
        where: { operationId, userId: { in: userIds } },
        select: { userId: true, state: true },
      });
      const covered = new Set([...live.map((e) => e.userId), ...ours.map((e) => e.userId)]);
      const waiting = userIds.filter((userId) => !covered.has(userId) && !capped.has(userId));
      const inFlight = ours.filter((e) => e.state === 'requested' || e.state === 'provisioning').length;
      const skipped = live.filter((e) => e.operationId !== operationId).length + capped.size;

      let started = 0;
      if (!stopReason) {
        for (const userId of waiting.slice(0, Math.max(0, this.options.concurrency - inFlight))) {
          try {
            const env = await this.create(cohortId, userId, operationId);
            if (env === 'capped') capped.add(userId);
            else if (env?.claimedAt) await this.jobs.ensureRelabel(env.id);
            else if (env) await this.jobs.ensureProvisioning(env);
            started++;
          } catch (error) {
            if (!(error instanceof DomainError)) throw error;
            stopReason = `${error.code}: ${error.message}`;
            break;
          }
        }
      }
      const counts = await operationCounts(this.prisma, operationId);
      await this.prisma.environmentOperation.update({
        where: { id: operationId },
        data: { total: students.length, skipped, ...counts },
      });
      const stillInFlight = await this.prisma.environment.count({
        where: { operationId, state: { in: ['requested', 'provisioning'] } },
      });
      const nothingLeft = stopReason !== null || waiting.length - started <= 0;
      if (nothingLeft && stillInFlight === 0) break;
      await sleep(this.options.recheckMs);
    }
    const state = stopReason ? 'stopped' : 'succeeded';
    await this.prisma.environmentOperation.update({
      where: { id: operationId },
      data: {
        state,
        stopReason,
        finishedAt: this.clock.now(),
        ...(await operationCounts(this.prisma, operationId)),
      },
    });
    this.logger.log({ operationId, cohortId, state, stopReason }, 'cohort provisioning finished');
    return state;
  }

  /** A student past the per-student cap is skipped (the operation goes on with the others). */
  private async overCap(tx: Prisma.TransactionClient, cohortId: string, userId: string): Promise<boolean> {
    try {
      await this.budget.assertStudentCap(cohortId, userId, tx);
      return false;
    } catch (error) {
      if (error instanceof DomainError && error.code === 'student_cap_exceeded') return true;
      throw error;
    }
  }

  /** One student's environment: placement and budget inside the transaction that creates it. */
  private async create(
    cohortId: string,
    userId: string,
    operationId: string,
  ): Promise<Environment | 'capped' | null> {
    const cost = environmentCost(this.sizing);
    try {
      return await this.transactions.run(async (tx, emit) => {
        await this.budget.assertRoom(tx, cohortId, 1);
        if (await this.overCap(tx, cohortId, userId)) return 'capped' as const;
        const claimed = await claimPooled(tx, { cohortId, userId, now: this.clock.now() });
        if (claimed) {
          const mine = await tx.environment.update({ where: { id: claimed.id }, data: { operationId } });
          await this.transitions.announce(mine, emit);
          return mine;
        }
        const hostClusterId = await this.allocator.allocate(tx, cost);
        if (!hostClusterId)
          throw new DomainError(
            'unavailable',
            'no_capacity',
            'no host cluster has room for another environment: an administrator has to add capacity',
          );
        const env = await createEnvironmentRow(tx, { cohortId, userId, hostClusterId, cost, operationId });
        await this.transitions.announce(env, emit);
        return env;
      });
    } catch (error) {
      // The student asked for one themselves meanwhile: theirs counts.
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return null;
      throw error;
    }
  }
}
