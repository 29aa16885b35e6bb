import { Clock } from '@kubecohort/config';
import { DomainError, type ResourceHours } from '@kubecohort/contracts';
import { Prisma, PrismaService } from '@kubecohort/database';
import { Inject, Injectable } from '@nestjs/common';
import {
  ENVIRONMENT_SIZING,
  environmentCost,
  FORECAST_OPTIONS,
  type EnvironmentCostSizing,
  type ForecastOptions,
} from './environments.options.js';

export type { ResourceHours };

export interface CohortSchedule {
  startsAt: Date | null;
  endsAt: Date | null;
}

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;

/** One environment's footprint per hour it runs. */
export function hourlyCost(sizing: EnvironmentCostSizing): ResourceHours {
  const cost = environmentCost(sizing);
  return { cpuHours: cost.cpuMillis / 1000, memoryGibHours: cost.memoryMib / 1024 };
}

/** Hours one environment is expected to run between `from` and `to` (awake hours per day, idle ones sleep). */
export function runHours(from: Date, to: Date, awakeHoursPerDay: number): number {
  const span = Math.max(0, to.getTime() - from.getTime());
  return (span / DAY_MS) * awakeHoursPerDay;
}

const round = (value: number) => Math.round(value * 100) / 100;

/**
 * A cohort's environment budget (CPU-hours, memory GiB-hours; NULL = unlimited). Spending is what
 * its environments ran so far (time in billable states, from the accounting the transitions
 * keep); a new environment is refused when spending plus what the cohort's live environments and
 * the new ones would run until the cohort ends exceeds the budget. Call `assertRoom` inside the
 * transaction that creates (or claims) the environment, before placing it: it locks the cohort
 * row, so concurrent requests are counted one after the other.
 */
@Injectable()
export class CohortBudget {
  constructor(
    private readonly prisma: PrismaService,
    private readonly clock: Clock,
    @Inject(ENVIRONMENT_SIZING) private readonly sizing: EnvironmentCostSizing,
    @Inject(FORECAST_OPTIONS) private readonly forecastOptions: ForecastOptions,
  ) {}

  get awakeHoursPerDay(): number {
    return this.forecastOptions.awakeHoursPerDay;
  }

  /** What the cohort's environments (only this student's, with `userId`) have run so far. */
  async spent(
    cohortId: string,
    db: Prisma.TransactionClient = this.prisma,
    userId?: string,
  ): Promise<ResourceHours> {
    const now = this.clock.now();
    const student = userId ? Prisma.sql`AND user_id = ${userId}::uuid` : Prisma.empty;
    const [row] = await db.$queryRaw<{ cpu_hours: number; memory_gib_hours: number }[]>`
      SELECT coalesce(sum(seconds * cpu_millis / 1000.0 / 3600.0), 0)::float8 AS cpu_hours,
             coalesce(sum(seconds * memory_mib / 1024.0 / 3600.0), 0)::float8 AS memory_gib_hours
        FROM (SELECT cpu_millis, memory_mib,
                     billed_seconds + CASE WHEN billing_since IS NULL THEN 0
                       ELSE GREATEST(0, EXTRACT(EPOCH FROM (${now}::timestamptz - billing_since))) END AS seconds
                FROM environments
               WHERE cohort_id = ${cohortId}::uuid ${student}) AS e`;
    return { cpuHours: row?.cpu_hours ?? 0, memoryGibHours: row?.memory_gib_hours ?? 0 };
  }

  /** Hours one environment runs from now (or the cohort's start) until its end; 0 without an end. */
  remainingRunHours(schedule: CohortSchedule): number {
    if (!schedule.endsAt) return 0;
    const now = this.clock.now();
    const from = schedule.startsAt && schedule.startsAt > now ? schedule.startsAt : now;
    return runHours(from, schedule.endsAt, this.forecastOptions.awakeHoursPerDay);
  }

  /**
   * Refuses (409 student_cap_exceeded) a student who already ran their environments for the
   * per-student cap (ENV_STUDENT_CAP_*) in this cohort: no new environment, no waking.
   */
  async assertStudentCap(
    cohortId: string,
    userId: string,
    db: Prisma.TransactionClient = this.prisma,
  ): Promise<void> {
    const { cpuHours, memoryGibHours } = this.forecastOptions.studentCap;
    if (cpuHours === null && memoryGibHours === null) return;
    const spent = await this.spent(cohortId, db, userId);
    const over =
      cpuHours !== null && spent.cpuHours >= cpuHours
        ? `${round(spent.cpuHours)} of ${cpuHours} CPU-hours`
        : memoryGibHours !== null && spent.memoryGibHours >= memoryGibHours
          ? `${round(spent.memoryGibHours)} of ${memoryGibHours} memory GiB-hours`
          : null;
    if (!over) return;
    throw new DomainError(
      'conflict',
      'student_cap_exceeded',
      `This student's environments already ran ${over} allowed per student in this cohort; an instructor or administrator has to help (the cap is ENV_STUDENT_CAP_CPU_HOURS / ENV_STUDENT_CAP_MEMORY_GIB_HOURS).`,
    );
  }

  /** Refuses (409 budget_exceeded, with the numbers) `adding` more environments for the cohort. */
  async assertRoom(tx: Prisma.TransactionClient, cohortId: string, adding: number): Promise<void> {
    const budgetOf = () =>
      tx.cohort.findUniqueOrThrow({
        where: { id: cohortId },
        select: { cpuHoursBudget: true, memoryGibHoursBudget: true, startsAt: true, endsAt: true },
      });
    // Without a budget there is nothing to count (and no reason to queue creations on the cohort).
    const unlocked = await budgetOf();
    if (unlocked.cpuHoursBudget === null && unlocked.memoryGibHoursBudget === null) return;
    // Concurrent creations for one cohort are counted one after the other. Callers take this
    // lock before host cluster or pool rows (always in that order: no deadlock).
    await tx.$queryRaw`SELECT id FROM cohorts WHERE id = ${cohortId}::uuid FOR NO KEY UPDATE`;
    const cohort = await budgetOf();
    if (cohort.cpuHoursBudget === null && cohort.memoryGibHoursBudget === null) return;
    const spent = await this.spent(cohortId, tx);
    const live = await tx.environment.count({
      where: { cohortId, state: { in: ['requested', 'provisioning', 'ready', 'sleeping', 'waking'] } },
    });
    const hours = this.remainingRunHours(cohort);
    const hourly = hourlyCost(this.sizing);
    const checks = [
      { what: 'CPU-hours', budget: cohort.cpuHoursBudget, spent: spent.cpuHours, perEnv: hourly.cpuHours },
      {
        what: 'memory GiB-hours',
        budget: cohort.memoryGibHoursBudget,
        spent: spent.memoryGibHours,
        perEnv: hourly.memoryGibHours,
      },
    ];
    for (const check of checks) {
      if (check.budget === null) continue;
      const needed = check.spent + (live + adding) * check.perEnv * hours;
      if (check.spent < check.budget && needed <= check.budget) continue;
      const plan =
        hours > 0
          ? `; ${live + adding} environment(s) running ${round(hours)} more hours each until the cohort ends would bring it to ${round(needed)}`
          : '';
      throw new DomainError(
        'conflict',
        'budget_exceeded',
        `The cohort's environment budget does not allow ${adding === 1 ? 'another environment' : `${adding} more environments`}: ${round(check.spent)} of ${check.budget} ${check.what} used${plan}. An instructor can raise the budget (PATCH /api/v1/cohorts/:id) or delete environments; see GET /api/v1/cohorts/:id/cost-forecast.`,
        [
          {
            field: check.what === 'CPU-hours' ? 'cpuHoursBudget' : 'memoryGibHoursBudget',
            problem: 'exceeded',
          },
        ],
      );
    }
  }
}
