import {
  AuditTrail,
  CohortAccess,
  SecretBox,
  staffedCohorts,
  type Principal,
  type UserPrincipal,
} from '@kubecohort/auth';
import { Clock } from '@kubecohort/config';
import { DomainError, encodeCursor, type EnvironmentStateName, type Page } from '@kubecohort/contracts';
import { type Environment, PrismaService } from '@kubecohort/database';
import { Transactions } from '@kubecohort/realtime';
import { Injectable } from '@nestjs/common';
import { sourcesOf } from './environment-states.js';
import { EnvironmentJobs } from './environment.jobs.js';
import { environmentPageSize, readCursor } from './environment.paging.js';
import { readyKubeconfig } from './environment.requests.js';
import { EnvironmentTransitions } from './environment.transitions.js';
import { toStaffEnvironmentView, type StaffEnvironmentView } from './environment.views.js';

export interface CohortEnvironmentQuery {
  /** Only this state; every state but `deleted` when absent. */
  state?: EnvironmentStateName;
  cursor?: string;
  limit?: number;
}

/**
 * Environments seen from a cohort's staff. Scoping is in the queries: an environment of a cohort
 * the caller does not staff is "not found", never data.
 */
@Injectable()
export class EnvironmentAdmin {
  constructor(
    private readonly prisma: PrismaService,
    private readonly transactions: Transactions,
    private readonly transitions: EnvironmentTransitions,
    private readonly jobs: EnvironmentJobs,
    private readonly access: CohortAccess,
    private readonly box: SecretBox,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  async listForCohort(
    principal: Principal,
    cohortId: string,
    query: CohortEnvironmentQuery,
  ): Promise<Page<StaffEnvironmentView>> {
    await this.access.assertStaff(principal, cohortId);
    const limit = environmentPageSize(query.limit);
    const after = readCursor(query.cursor);
    const rows = await this.prisma.environment.findMany({
      where: {
        cohortId,
        cohort: staffedCohorts(principal),
        state: query.state ?? { not: 'deleted' },
        ...(after ? { id: { gt: after } } : {}),
      },
      orderBy: { id: 'asc' },
      take: limit + 1,
    });
    const page = rows.slice(0, limit);
    return {
      items: page.map(toStaffEnvironmentView),
      nextCursor: rows.length > limit ? encodeCursor({ id: page.at(-1)!.id }) : null,
    };
  }

  async get(principal: Principal, id: string): Promise<StaffEnvironmentView> {
    return toStaffEnvironmentView(await this.staffed(principal, id));
  }

  /**
   * Tears an environment down (cohort staff only; students ask their instructor). Idempotent:
   * deleting a deleting or deleted environment answers with its current state.
   */
  async delete(principal: UserPrincipal, id: string): Promise<StaffEnvironmentView> {
    const env = await this.staffed(principal, id);
    if (env.state === 'deleted' || env.state === 'deleting') {
      await this.jobs.ensureTeardown(env);
      return toStaffEnvironmentView(env);
    }
    const moved = await this.transactions.run(async (tx, emit) => {
      const next = await this.transitions.move(
        id,
        sourcesOf('deleting'),
        'deleting',
        { progressStep: 'teardown-queued', progressPercent: 0, stateReason: 'deleted by cohort staff' },
        tx,
        emit,
      );
      if (next) {
        await this.audit.record(
          principal,
          { action: 'environment.delete', targetType: 'environment', targetId: id, cohortId: env.cohortId },
          tx,
        );
      }
      return next;
    });
    const current = moved ?? (await this.prisma.environment.findUniqueOrThrow({ where: { id } }));
    await this.jobs.ensureTeardown(current);
    return toStaffEnvironmentView(current);
  }

  /**
   * Sets (or clears) when an environment expires: past it, the environment is exported and torn
   * down by the expiry job (the cohort's end applies as well). Staff of its cohort; audited.
   */
  async setExpiry(
    principal: UserPrincipal,
    id: string,
    expiresAt: Date | null,
  ): Promise<StaffEnvironmentView> {
    const env = await this.staffed(principal, id);
    if (expiresAt && expiresAt <= this.clock.now())
      throw DomainError.invalid('the environment would already be expired', [
        { field: 'expiresAt', problem: 'must be in the future' },
      ]);
    if (env.state === 'deleting' || env.state === 'deleted')
      throw DomainError.conflict('environment_gone', `the environment is ${env.state}`);
    const updated = await this.transactions.run(async (tx, emit) => {
      const next = await tx.environment.update({ where: { id }, data: { expiresAt } });
      await this.transitions.announce(next, emit);
      await this.audit.record(
        principal,
        {
          action: 'environment.expiry.set',
          targetType: 'environment',
          targetId: id,
          cohortId: env.cohortId,
          metadata: { expiresAt: expiresAt?.toISOString() ?? null },
        },
        tx,
      );
      return next;
    });
    return toStaffEnvironmentView(updated);
  }

  /**
   * A student's kubeconfig for the instructors teaching their cohort (to help them debug).
   * Deliberately narrower than the staff view: an admin who does not teach the cohort gets 404.
   */
  async kubeconfig(
    principal: UserPrincipal,
    id: string,
  ): Promise<{ environmentId: string; kubeconfig: string }> {
    const env = await this.prisma.environment.findFirst({
      where: { id, cohort: { deletedAt: null, instructors: { some: { userId: principal.userId } } } },
    });
    if (!env || principal.role !== 'instructor') throw DomainError.notFound('environment');
    const kubeconfig = readyKubeconfig(env, this.box);
    await this.audit.record(principal, {
      action: 'environment.kubeconfig.read',
      targetType: 'environment',
      targetId: env.id,
      cohortId: env.cohortId,
    });
    return { environmentId: env.id, kubeconfig };
  }

  private async staffed(principal: Principal, id: string): Promise<Environment> {
    const env = await this.prisma.environment.findFirst({ where: { id, cohort: staffedCohorts(principal) } });
    if (!env) throw DomainError.notFound('environment');
    return env;
  }
}
