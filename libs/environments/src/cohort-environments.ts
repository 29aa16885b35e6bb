import {
  AuditTrail,
  CohortAccess,
  staffedCohorts,
  type UserPrincipal,
  type Principal,
} from '@kubecohort/auth';
import { DomainError } from '@kubecohort/contracts';
import { type EnvironmentOperation, PrismaService } from '@kubecohort/database';
import type { CostForecastView, EnvironmentOperationView } from '@kubecohort/contracts';
import { Inject, Injectable } from '@nestjs/common';
import { CohortBudget, hourlyCost, runHours } from './cohort.budget.js';

export type { CostForecastView, EnvironmentOperationView };
import { LIVE_STATES } from './environment-states.js';
import { EnvironmentJobs } from './environment.jobs.js';
import { ENVIRONMENT_SIZING, environmentCost, type EnvironmentCostSizing } from './environments.options.js';

const round = (value: number) => Math.round(value * 100) / 100;
/** Spending starts small (seconds of a few environments): keep it visible. */
const roundFine = (value: number) => Math.round(value * 10000) / 10000;

/**
 * Cohort-wide environment actions for the cohort's staff: provisioning every enrolled student
 * (an operation row with progress, run by the worker's provision-cohort job), and the cost
 * forecast against the cohort's budget.
 */
@Injectable()
export class CohortEnvironments {
  constructor(
    private readonly prisma: PrismaService,
    private readonly access: CohortAccess,
    private readonly jobs: EnvironmentJobs,
    private readonly budget: CohortBudget,
    private readonly audit: AuditTrail,
    @Inject(ENVIRONMENT_SIZING) private readonly sizing: EnvironmentCostSizing,
  ) {}

  /**
   * Starts provisioning for every actively enrolled student without a live environment.
   * Idempotent while one runs: asking again answers with the running operation.
   */
  async provisionAll(
    principal: UserPrincipal,
    cohortId: string,
  ): Promise<{ operation: EnvironmentOperationView; started: boolean }> {
    await this.access.assertStaff(principal, cohortId);
    const { operation, started } = await this.prisma.$transaction(async (tx) => {
      // One running operation per cohort: concurrent requests queue on the cohort row.
      await tx.$queryRaw`SELECT id FROM cohorts WHERE id = ${cohortId}::uuid FOR NO KEY UPDATE`;
      const running = await tx.environmentOperation.findFirst({
        where: { cohortId, kind: 'provision-cohort', state: 'running' },
      });
      if (running) return { operation: running, started: false };
      const total = await tx.enrollment.count({
        where: { cohortId, status: 'active', activeUserId: { not: null } },
      });
      const created = await tx.environmentOperation.create({
        data: { cohortId, kind: 'provision-cohort', requestedById: principal.userId, total },
      });
      await this.audit.record(
        principal,
        {
          action: 'environment.provision-cohort',
          targetType: 'environment_operation',
          targetId: created.id,
          cohortId,
        },
        tx,
      );
      return { operation: created, started: true };
    });
    await this.jobs.ensureCohortProvisioning(operation.id);
    return { operation: await this.view(operation), started };
  }

  async operation(
    principal: Principal,
    cohortId: string,
    operationId: string,
  ): Promise<EnvironmentOperationView> {
    const operation = await this.prisma.environmentOperation.findFirst({
      where: { id: operationId, cohortId, cohort: staffedCohorts(principal) },
    });
    if (!operation) throw DomainError.notFound('operation');
    return this.view(operation);
  }

  async costForecast(principal: Principal, cohortId: string): Promise<CostForecastView> {
    const cohort = await this.prisma.cohort.findFirst({
      where: { AND: [{ id: cohortId }, staffedCohorts(principal)] },
      select: { startsAt: true, endsAt: true, cpuHoursBudget: true, memoryGibHoursBudget: true },
    });
    if (!cohort) throw DomainError.notFound('cohort');
    const students = await this.prisma.enrollment.count({ where: { cohortId, status: 'active' } });
    const awake = this.budget.awakeHoursPerDay;
    const hours = cohort.startsAt && cohort.endsAt ? runHours(cohort.startsAt, cohort.endsAt, awake) : null;
    const hourly = hourlyCost(this.sizing);
    const forecast =
      hours === null
        ? null
        : {
            cpuHours: round(students * hourly.cpuHours * hours),
            memoryGibHours: round(students * hourly.memoryGibHours * hours),
          };
    const spent = await this.budget.spent(cohortId);
    const budget = { cpuHours: cohort.cpuHoursBudget, memoryGibHours: cohort.memoryGibHoursBudget };
    const withinBudget =
      forecast === null || (budget.cpuHours === null && budget.memoryGibHours === null)
        ? null
        : (budget.cpuHours === null || forecast.cpuHours <= budget.cpuHours) &&
          (budget.memoryGibHours === null || forecast.memoryGibHours <= budget.memoryGibHours);
    return {
      cohortId,
      students,
      footprint: environmentCost(this.sizing),
      schedule: {
        startsAt: cohort.startsAt?.toISOString() ?? null,
        endsAt: cohort.endsAt?.toISOString() ?? null,
        days:
          cohort.startsAt && cohort.endsAt
            ? round(Math.max(0, cohort.endsAt.getTime() - cohort.startsAt.getTime()) / 86_400_000)
            : null,
        awakeHoursPerDay: awake,
        hoursPerEnvironment: hours === null ? null : round(hours),
      },
      forecast,
      spent: { cpuHours: roundFine(spent.cpuHours), memoryGibHours: roundFine(spent.memoryGibHours) },
      budget,
      withinBudget,
    };
  }

  /** Counts from the environments themselves, so the bar is exact between the job's updates. */
  async view(operation: EnvironmentOperation): Promise<EnvironmentOperationView> {
    return operationView(operation, await operationCounts(this.prisma, operation.id));
  }
}

export async function operationCounts(
  prisma: PrismaService,
  operationId: string,
): Promise<{ created: number; ready: number; failed: number }> {
  const rows = await prisma.environment.groupBy({
    by: ['state'],
    where: { operationId },
    _count: { _all: true },
  });
  const count = (states: readonly string[]) =>
    rows.filter((r) => states.includes(r.state)).reduce((sum, r) => sum + r._count._all, 0);
  return {
    created: count([...LIVE_STATES, 'failed', 'deleting', 'deleted']),
    // Ready at least once: asleep or woken since counts as done.
    ready: count(['ready', 'sleeping', 'waking']),
    failed: count(['failed']),
  };
}

export function operationView(
  operation: EnvironmentOperation,
  counts: { created: number; ready: number; failed: number },
): EnvironmentOperationView {
  const done = operation.skipped + counts.ready + counts.failed;
  return {
    id: operation.id,
    cohortId: operation.cohortId,
    kind: operation.kind,
    state: operation.state,
    total: operation.total,
    skipped: operation.skipped,
    created: counts.created,
    ready: counts.ready,
    failed: counts.failed,
    percent: operation.total === 0 ? 100 : Math.min(100, Math.floor((done / operation.total) * 100)),
    stopReason: operation.stopReason,
    createdAt: operation.createdAt.toISOString(),
    finishedAt: operation.finishedAt?.toISOString() ?? null,
  };
}
