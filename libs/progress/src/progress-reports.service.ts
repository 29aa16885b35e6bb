import { AuditTrail, type Principal } from '@kubecohort/auth';
import { Clock } from '@kubecohort/config';
import type { FunnelView, Page, StuckStudentView } from '@kubecohort/contracts';
import { PrismaService } from '@kubecohort/database';
import { Injectable } from '@nestjs/common';
import { CohortScope, type ScopedCohort, unlockedSteps } from './cohort-scope.repository.js';
import { CurriculumCatalog, type VersionCatalog } from './curriculum.catalog.js';
import { csvLine, filenameSafe } from './csv.writer.js';
import {
  type AnalyticsProgress,
  type AnalyticsStep,
  type AnalyticsStudent,
  findStuck,
  funnel,
} from './progress.analytics.js';

interface CohortData {
  cohort: ScopedCohort;
  catalog: VersionCatalog;
  steps: AnalyticsStep[];
  students: (AnalyticsStudent & { email: string | null; points: Map<string, number> })[];
}

/** Staff reports over a whole cohort: the step funnel, who is stuck and why, the CSV export. */
@Injectable()
export class ProgressReports {
  constructor(
    private readonly prisma: PrismaService,
    private readonly catalog: CurriculumCatalog,
    private readonly scope: CohortScope,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  async funnel(principal: Principal, cohortId: string): Promise<FunnelView> {
    const data = await this.load(principal, cohortId);
    return funnel(data.steps, data.students);
  }

  async stuck(principal: Principal, cohortId: string): Promise<Page<StuckStudentView>> {
    const data = await this.load(principal, cohortId);
    return { items: findStuck(data.steps, data.students, this.clock.now()), nextCursor: null };
  }

  /**
   * One row per student (enrolment order), one column per task with its points (empty when the
   * student never touched it), and the total. Personal data leaves the system: audited.
   */
  async exportCsv(principal: Principal, cohortId: string): Promise<{ filename: string; csv: string }> {
    const data = await this.load(principal, cohortId);
    const tasks = data.catalog.tasks;
    let csv = csvLine([
      'user_id',
      'display_name',
      'email',
      'current_step',
      ...tasks.map((task) => task.id),
      'total',
    ]);
    for (const student of data.students) {
      let total = 0;
      const cells = tasks.map((task) => {
        const points = student.points.get(task.id);
        if (points !== undefined) total += points;
        return points;
      });
      csv += csvLine([
        student.userId,
        student.displayName,
        student.email,
        student.currentStep,
        ...cells,
        total,
      ]);
    }
    await this.audit.record(principal, {
      action: 'progress.export',
      targetType: 'cohort',
      targetId: data.cohort.id,
      cohortId: data.cohort.id,
      metadata: { format: 'csv', students: data.students.length, tasks: tasks.length },
    });
    const date = this.clock.now().toISOString().slice(0, 10);
    return { filename: `progress-${filenameSafe(data.cohort.name)}-${date}.csv`, csv };
  }

  /** The cohort's plan and every active or completed student's progress, in three queries. */
  private async load(principal: Principal, cohortId: string): Promise<CohortData> {
    const cohort = await this.scope.staffed(principal, cohortId);
    const [catalog, schedules, enrollments, rows] = await Promise.all([
      this.catalog.get(cohort.curriculumVersionId),
      this.scope.schedules(cohort.id),
      this.prisma.enrollment.findMany({
        where: { cohortId: cohort.id, status: { in: ['active', 'completed'] } },
        orderBy: [{ enrolledAt: 'asc' }, { id: 'asc' }],
        select: {
          userId: true,
          status: true,
          enrolledAt: true,
          currentStep: true,
          stepStartedAt: true,
          user: { select: { displayName: true, email: true } },
        },
      }),
      this.prisma.taskProgress.findMany({
        where: { cohortId: cohort.id, enrollment: { status: { in: ['active', 'completed'] } } },
        select: {
          userId: true,
          taskSlug: true,
          status: true,
          points: true,
          failStreak: true,
          failStreakCheck: true,
          completedAt: true,
        },
      }),
    ]);
    const now = this.clock.now();
    const unlocked = unlockedSteps(schedules, now);
    const steps: AnalyticsStep[] = catalog.steps.map((step) => ({
      number: step.number,
      title: step.title,
      gradeableTaskIds: step.gradeableTaskIds,
      taskIds: step.tasks.map((task) => task.id),
      unlocked: unlocked.has(step.number),
      unlocksAt: schedules.get(step.number)?.unlocksAt ?? null,
    }));
    const byUser = new Map<
      string,
      { progress: Map<string, AnalyticsProgress>; points: Map<string, number> }
    >();
    for (const enrollment of enrollments)
      byUser.set(enrollment.userId, { progress: new Map(), points: new Map() });
    for (const row of rows) {
      const maps = byUser.get(row.userId);
      if (!maps || !catalog.taskById.has(row.taskSlug)) continue;
      maps.progress.set(row.taskSlug, {
        status: row.status,
        failStreak: row.failStreak,
        failStreakCheck: row.failStreakCheck,
        completedAt: row.completedAt,
      });
      maps.points.set(row.taskSlug, row.points);
    }
    return {
      cohort,
      catalog,
      steps,
      students: enrollments.map((enrollment) => ({
        userId: enrollment.userId,
        displayName: enrollment.user.displayName,
        email: enrollment.user.email,
        active: enrollment.status === 'active',
        enrolledAt: enrollment.enrolledAt,
        currentStep: enrollment.currentStep,
        stepStartedAt: enrollment.stepStartedAt,
        ...byUser.get(enrollment.userId)!,
      })),
    };
  }
}
