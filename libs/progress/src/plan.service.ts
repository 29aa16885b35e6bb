import { AuditTrail, type Principal, type UserPrincipal } from '@kubecohort/auth';
import { Clock } from '@kubecohort/config';
import { DomainError, type PlanStepView, type PlanView, type TaskProgressView } from '@kubecohort/contracts';
import { PrismaService } from '@kubecohort/database';
import { Transactions } from '@kubecohort/realtime';
import { Injectable } from '@nestjs/common';
import { CohortScope } from './cohort-scope.repository.js';
import { type CatalogStep, CurriculumCatalog, summaryOf, type VersionCatalog } from './curriculum.catalog.js';
import { isStepUnlocked, type StepSchedule } from './progress.rules.js';
import { progressView } from './progress.views.js';

export interface StepChange {
  locked?: boolean;
  /** null clears it. */
  unlocksAt?: Date | null;
  /** null clears it. */
  deadline?: Date | null;
}

export interface DeadlineExtensionView {
  userId: string;
  step: number;
  deadline: string;
  reason: string;
  grantedById: string;
  grantedAt: string;
}

export interface StudentTaskView {
  id: string;
  title: string;
  summary: string;
  step: number;
  completion: string;
  maxPoints: number;
  gradeable: boolean;
  /** Markdown for students. */
  instructions: string;
  hints: string[];
  /** Review tasks: the rubric ({id, criterion, points}). */
  rubric: unknown[] | null;
  /** Quiz tasks: the questions, without answers or reviewer guidance. */
  quiz: unknown[] | null;
  /** The task's step is locked for the cohort now (it cannot be started yet). */
  locked: boolean;
  progress: TaskProgressView;
}

type Schedule = StepSchedule & { deadline: Date | null };

/** The cohort's plan: which steps are open, their deadlines, and students' extensions. */
@Injectable()
export class PlanService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly transactions: Transactions,
    private readonly catalog: CurriculumCatalog,
    private readonly scope: CohortScope,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  /** The cohort's pinned version with each step's schedule; for a student also their extensions and statuses. */
  async plan(principal: Principal, cohortId: string): Promise<PlanView> {
    const cohort = await this.scope.member(principal, cohortId);
    const [catalog, schedules] = await Promise.all([
      this.catalog.get(cohort.curriculumVersionId),
      this.scope.schedules(cohort.id),
    ]);
    const now = this.clock.now();
    if (cohort.staff || principal.kind !== 'user') {
      return {
        cohortId: cohort.id,
        version: catalog.version,
        steps: catalog.steps.map((step) => ({
          ...stepView(step, schedules.get(step.number), now),
          tasks: step.tasks.map(summaryOf),
        })),
      };
    }
    const enrollment = await this.prisma.enrollment.findUniqueOrThrow({
      where: { cohortId_userId: { cohortId: cohort.id, userId: principal.userId } },
      select: {
        currentStep: true,
        extensions: { select: { stepNumber: true, deadline: true, reason: true } },
        taskProgress: {
          select: {
            taskSlug: true,
            status: true,
            attempts: true,
            points: true,
            maxPoints: true,
            updatedAt: true,
          },
        },
      },
    });
    const rows = new Map(enrollment.taskProgress.map((row) => [row.taskSlug, row]));
    const extensions = new Map(enrollment.extensions.map((extension) => [extension.stepNumber, extension]));
    return {
      cohortId: cohort.id,
      version: catalog.version,
      currentStep: enrollment.currentStep,
      steps: catalog.steps.map((step) => {
        const schedule = schedules.get(step.number);
        const base = stepView(step, schedule, now);
        const extension = extensions.get(step.number);
        return {
          ...base,
          extension: extension
            ? { deadline: extension.deadline.toISOString(), reason: extension.reason }
            : null,
          effectiveDeadline: extension ? extension.deadline.toISOString() : base.deadline,
          tasks: step.tasks.map((task) => ({
            ...summaryOf(task),
            progress: progressView(task, rows.get(task.id), !base.locked),
          })),
        };
      }),
    };
  }

  /** Locks/unlocks a step, schedules its unlock, sets its deadline; writes plan.updated (audited). */
  async updateStep(
    principal: UserPrincipal,
    cohortId: string,
    stepNumber: number,
    change: StepChange,
  ): Promise<PlanStepView> {
    if (change.locked === undefined && change.unlocksAt === undefined && change.deadline === undefined) {
      throw DomainError.invalid('nothing to change', [
        { field: 'body', problem: 'must set at least one of locked, unlocksAt, deadline' },
      ]);
    }
    const cohort = await this.scope.staffed(principal, cohortId);
    const catalog = await this.catalog.get(cohort.curriculumVersionId);
    const step = requireStep(catalog, stepNumber);
    return this.transactions.run(async (tx, emit) => {
      const fields = {
        ...(change.locked !== undefined ? { locked: change.locked } : {}),
        ...(change.unlocksAt !== undefined ? { unlocksAt: change.unlocksAt } : {}),
        ...(change.deadline !== undefined ? { deadline: change.deadline } : {}),
      };
      const row = await tx.cohortStep.upsert({
        where: { cohortId_stepNumber: { cohortId: cohort.id, stepNumber } },
        create: { cohortId: cohort.id, stepNumber, ...fields },
        update: fields,
      });
      const view = stepView(step, row, this.clock.now());
      await this.audit.record(
        principal,
        {
          action: 'plan.step.update',
          targetType: 'cohort_step',
          targetId: `${cohort.id}:${stepNumber}`,
          cohortId: cohort.id,
          metadata: {
            step: stepNumber,
            fields: Object.keys(fields),
            locked: view.locked,
            unlocksAt: view.unlocksAt,
            deadline: view.deadline,
          },
        },
        tx,
      );
      await emit(cohort.id, 'plan.updated', {
        step: stepNumber,
        locked: view.locked,
        deadline: view.deadline,
      });
      return { ...view, tasks: step.tasks.map(summaryOf) };
    });
  }

  /** Gives one student a later deadline for a step (audited; plan.updated about that student). */
  async extendDeadline(
    principal: UserPrincipal,
    cohortId: string,
    userId: string,
    stepNumber: number,
    deadline: Date,
    reason: string,
  ): Promise<DeadlineExtensionView> {
    const cohort = await this.scope.staffed(principal, cohortId);
    const catalog = await this.catalog.get(cohort.curriculumVersionId);
    requireStep(catalog, stepNumber);
    return this.transactions.run(async (tx, emit) => {
      const enrollment = await tx.enrollment.findFirst({
        where: { cohortId: cohort.id, userId, status: { in: ['active', 'completed'] } },
        select: { id: true },
      });
      if (!enrollment) throw DomainError.notFound('student in this cohort');
      const extension = await tx.deadlineExtension.upsert({
        where: { enrollmentId_stepNumber: { enrollmentId: enrollment.id, stepNumber } },
        create: { enrollmentId: enrollment.id, stepNumber, deadline, reason, grantedById: principal.userId },
        update: { deadline, reason, grantedById: principal.userId },
      });
      const schedule = await tx.cohortStep.findUnique({
        where: { cohortId_stepNumber: { cohortId: cohort.id, stepNumber } },
      });
      await this.audit.record(
        principal,
        {
          action: 'plan.deadline.extend',
          targetType: 'enrollment',
          targetId: enrollment.id,
          cohortId: cohort.id,
          metadata: { userId, step: stepNumber, deadline: deadline.toISOString(), reason },
        },
        tx,
      );
      await emit(
        cohort.id,
        'plan.updated',
        {
          step: stepNumber,
          locked: !isStepUnlocked(schedule ?? undefined, this.clock.now()),
          deadline: deadline.toISOString(),
          userId,
        },
        { subjectUserId: userId },
      );
      return {
        userId,
        step: stepNumber,
        deadline: extension.deadline.toISOString(),
        reason: extension.reason,
        grantedById: extension.grantedById,
        grantedAt: extension.createdAt.toISOString(),
      };
    });
  }

  /** A task of the student's cohort version with its instructions and their progress. */
  async studentTask(principal: UserPrincipal, taskId: string): Promise<StudentTaskView> {
    const enrollment = await this.scope.activeEnrollment(principal.userId);
    const catalog = await this.catalog.get(enrollment.curriculumVersionId);
    const task = catalog.taskById.get(taskId);
    if (!task) throw DomainError.notFound(`task ${taskId} of your cohort's curriculum`);
    const [details, row, schedules] = await Promise.all([
      this.prisma.curriculumTask.findUniqueOrThrow({
        where: { versionId_slug: { versionId: catalog.id, slug: task.id } },
        select: { instructions: true, hints: true, rubric: true, quiz: true },
      }),
      this.prisma.taskProgress.findUnique({
        where: { enrollmentId_taskSlug: { enrollmentId: enrollment.id, taskSlug: task.id } },
      }),
      this.scope.schedules(enrollment.cohortId),
    ]);
    const unlocked = isStepUnlocked(schedules.get(task.step), this.clock.now());
    return {
      id: task.id,
      title: task.title,
      summary: task.summary,
      step: task.step,
      completion: task.completion,
      maxPoints: task.maxPoints,
      gradeable: task.gradeable,
      instructions: details.instructions,
      hints: Array.isArray(details.hints) ? (details.hints as string[]) : [],
      rubric: Array.isArray(details.rubric) ? details.rubric : null,
      quiz: Array.isArray(details.quiz) ? details.quiz.map(studentQuizItem) : null,
      locked: !unlocked,
      progress: progressView(task, row, unlocked),
    };
  }

  /** The student's progress on every task of their cohort's version (absent rows derived). */
  async studentProgress(principal: UserPrincipal): Promise<{
    cohortId: string;
    version: number;
    currentStep: number;
    stepStartedAt: string;
    points: number;
    maxPoints: number;
    tasks: TaskProgressView[];
  }> {
    const enrollment = await this.scope.activeEnrollment(principal.userId);
    const [catalog, schedules, rows] = await Promise.all([
      this.catalog.get(enrollment.curriculumVersionId),
      this.scope.schedules(enrollment.cohortId),
      this.prisma.taskProgress.findMany({
        where: { enrollmentId: enrollment.id },
        select: {
          taskSlug: true,
          status: true,
          attempts: true,
          points: true,
          maxPoints: true,
          updatedAt: true,
        },
      }),
    ]);
    const now = this.clock.now();
    const byTask = new Map(rows.map((row) => [row.taskSlug, row]));
    const tasks = catalog.tasks.map((task) =>
      progressView(task, byTask.get(task.id), isStepUnlocked(schedules.get(task.step), now)),
    );
    return {
      cohortId: enrollment.cohortId,
      version: catalog.version,
      currentStep: enrollment.currentStep,
      stepStartedAt: enrollment.stepStartedAt.toISOString(),
      points: tasks.reduce((sum, task) => sum + task.points, 0),
      maxPoints: catalog.tasks.reduce((sum, task) => sum + task.maxPoints, 0),
      tasks,
    };
  }
}

function requireStep(catalog: VersionCatalog, stepNumber: number): CatalogStep {
  const step = catalog.stepByNumber.get(stepNumber);
  if (!step) throw DomainError.notFound(`step ${stepNumber} of this cohort's plan`);
  return step;
}

function stepView(
  step: CatalogStep,
  schedule: Schedule | undefined | null,
  now: Date,
): Omit<PlanStepView, 'tasks'> {
  return {
    number: step.number,
    slug: step.slug,
    title: step.title,
    locked: !isStepUnlocked(schedule ?? undefined, now),
    unlocksAt: schedule?.unlocksAt?.toISOString() ?? null,
    deadline: schedule?.deadline?.toISOString() ?? null,
  };
}

/** Quiz items as students may see them: no answer index, explanation or reviewer guidance. */
function studentQuizItem(item: unknown): unknown {
  if (typeof item !== 'object' || item === null) return item;
  const {
    answerIndex: _answer,
    explanation: _explanation,
    guidance: _guidance,
    ...visible
  } = item as Record<string, unknown>;
  return visible;
}
