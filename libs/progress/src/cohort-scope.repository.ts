import { type Principal, staffedCohorts, visibleCohorts } from '@kubecohort/auth';
import { DomainError } from '@kubecohort/contracts';
import { type Prisma, PrismaService } from '@kubecohort/database';
import { Injectable } from '@nestjs/common';
import { isStepUnlocked, type StepSchedule } from './progress.rules.js';

export interface ScopedCohort {
  id: string;
  name: string;
  curriculumVersionId: string;
}

export interface ActiveEnrollment {
  id: string;
  cohortId: string;
  curriculumVersionId: string;
  currentStep: number;
  stepStartedAt: Date;
}

type Db = Prisma.TransactionClient | PrismaService;

/**
 * Cohort lookups with the caller's scope in the WHERE clause (staffedCohorts / visibleCohorts):
 * a cohort the caller may not see is "not found", exactly like one that does not exist.
 */
@Injectable()
export class CohortScope {
  constructor(private readonly prisma: PrismaService) {}

  /** A cohort the principal is staff of (admin, or instructor teaching it); else 404. */
  async staffed(principal: Principal, cohortId: string): Promise<ScopedCohort> {
    const cohort = await this.prisma.cohort.findFirst({
      where: { AND: [{ id: cohortId }, staffedCohorts(principal)] },
      select: { id: true, name: true, curriculumVersionId: true },
    });
    if (!cohort) throw DomainError.notFound('cohort');
    return cohort;
  }

  /** A cohort the principal is staff or an actively enrolled student of; else 404. */
  async member(principal: Principal, cohortId: string): Promise<ScopedCohort & { staff: boolean }> {
    const cohort = await this.prisma.cohort.findFirst({
      where: { AND: [{ id: cohortId }, visibleCohorts(principal)] },
      select: { id: true, name: true, curriculumVersionId: true },
    });
    if (!cohort) throw DomainError.notFound('cohort');
    return { ...cohort, staff: !(principal.kind === 'user' && principal.role === 'student') };
  }

  /** The student's active enrolment (in a live cohort); 404 `not_enrolled` when there is none. */
  async activeEnrollment(userId: string): Promise<ActiveEnrollment> {
    const enrollment = await this.prisma.enrollment.findFirst({
      where: { activeUserId: userId, status: 'active', cohort: { deletedAt: null } },
      select: {
        id: true,
        cohortId: true,
        currentStep: true,
        stepStartedAt: true,
        cohort: { select: { curriculumVersionId: true } },
      },
    });
    if (!enrollment)
      throw new DomainError('not_found', 'not_enrolled', 'you are not enrolled in an active cohort');
    return {
      id: enrollment.id,
      cohortId: enrollment.cohortId,
      curriculumVersionId: enrollment.cohort.curriculumVersionId,
      currentStep: enrollment.currentStep,
      stepStartedAt: enrollment.stepStartedAt,
    };
  }

  /** The cohort's step schedules by step number (steps without a row are locked). */
  async schedules(
    cohortId: string,
    db: Db = this.prisma,
  ): Promise<Map<number, StepSchedule & { deadline: Date | null }>> {
    const rows = await db.cohortStep.findMany({
      where: { cohortId },
      select: { stepNumber: true, locked: true, unlocksAt: true, deadline: true },
    });
    return new Map(rows.map((row) => [row.stepNumber, row]));
  }
}

/** Step numbers unlocked now, per the schedules. */
export function unlockedSteps(schedules: Map<number, StepSchedule>, now: Date): Set<number> {
  const unlocked = new Set<number>();
  for (const [step, schedule] of schedules) if (isStepUnlocked(schedule, now)) unlocked.add(step);
  return unlocked;
}
