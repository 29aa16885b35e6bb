import { CurriculumSeeder } from '@kubecohort/curriculum';
import { type AttemptInput, type AttemptOutcome, ProgressRecorder } from '@kubecohort/progress';
import { randomUUID } from 'node:crypto';
import type { ApiHarness, TestUser } from './api-harness.js';

/**
 * Fixtures for plan and progress tests: cohorts and enrolments written straight through Prisma
 * (independent of the cohort routes), on the real curriculum. Every call creates fresh rows.
 */

export interface FixtureTask {
  id: string;
  step: number;
  completion: 'grader' | 'quiz' | 'review' | 'self_check';
  maxPoints: number;
  gradeable: boolean;
}

export interface ProgressCohort {
  id: string;
  name: string;
  versionId: string;
  version: number;
  instructor: TestUser;
  /** Every task of the version in plan order. */
  tasks: FixtureTask[];
  steps: { number: number; title: string }[];
}

export interface EnrolledStudent extends TestUser {
  enrollmentId: string;
  displayName: string;
}

const seeded = new WeakMap<ApiHarness, Promise<{ versionId: string; version: number }>>();

/** The real curriculum, seeded once per harness (the seeder is idempotent and serialised). */
export function curriculum(api: ApiHarness): Promise<{ versionId: string; version: number }> {
  let done = seeded.get(api);
  if (!done) {
    done = new CurriculumSeeder(api.prisma).seed();
    seeded.set(api, done);
  }
  return done;
}

/** A cohort on the curriculum with step rows (only `unlocked` steps open; default step 1) and a fresh instructor. */
export async function createProgressCohort(
  api: ApiHarness,
  options: { unlocked?: number[]; name?: string; instructor?: TestUser } = {},
): Promise<ProgressCohort> {
  const { versionId, version } = await curriculum(api);
  const instructor = options.instructor ?? (await api.createUser('instructor'));
  const unlocked = options.unlocked ?? [1];
  const steps = await api.prisma.curriculumStep.findMany({
    where: { versionId },
    orderBy: { number: 'asc' },
  });
  const name = options.name ?? `Progress cohort ${randomUUID().slice(0, 8)}`;
  const cohort = await api.prisma.cohort.create({
    data: {
      name,
      status: 'active',
      curriculumVersionId: versionId,
      steps: {
        create: steps.map((step) => ({ stepNumber: step.number, locked: !unlocked.includes(step.number) })),
      },
      instructors: { create: { userId: instructor.id } },
    },
  });
  return {
    id: cohort.id,
    name,
    versionId,
    version,
    instructor,
    tasks: await tasksOf(api, versionId),
    steps: steps.map((step) => ({ number: step.number, title: step.title })),
  };
}

export async function tasksOf(api: ApiHarness, versionId: string): Promise<FixtureTask[]> {
  const rows = await api.prisma.curriculumTask.findMany({
    where: { versionId },
    select: {
      slug: true,
      completion: true,
      maxPoints: true,
      position: true,
      step: { select: { number: true } },
    },
  });
  return rows
    .sort((a, b) => a.step.number - b.step.number || a.position - b.position)
    .map((row) => ({
      id: row.slug,
      step: row.step.number,
      completion: row.completion,
      maxPoints: row.maxPoints,
      gradeable: row.completion !== 'self_check',
    }));
}

/** A new student with an active enrolment in the cohort. */
export async function enrollStudent(
  api: ApiHarness,
  cohort: { id: string },
  options: {
    displayName?: string;
    enrolledAt?: Date;
    currentStep?: number;
    stepStartedAt?: Date;
    status?: 'active' | 'completed';
  } = {},
): Promise<EnrolledStudent> {
  const displayName = options.displayName ?? `Student ${randomUUID().slice(0, 6)}`;
  const user = await api.createUser('student', { displayName });
  const status = options.status ?? 'active';
  const enrollment = await api.prisma.enrollment.create({
    data: {
      cohortId: cohort.id,
      userId: user.id,
      status,
      activeUserId: status === 'active' ? user.id : null,
      enrolledAt: options.enrolledAt,
      currentStep: options.currentStep,
      stepStartedAt: options.stepStartedAt,
    },
  });
  return { ...user, enrollmentId: enrollment.id, displayName };
}

export function recorder(api: ApiHarness): ProgressRecorder {
  return api.app.get(ProgressRecorder);
}

/** An attempt of `student` on `task`: full points when passed, none otherwise, unless given. */
export function attempt(
  cohort: { id: string },
  student: { id: string },
  task: FixtureTask,
  outcome: AttemptOutcome,
  extra: Partial<Pick<AttemptInput, 'points' | 'failedCheckIds' | 'maxPoints'>> = {},
): AttemptInput {
  return {
    cohortId: cohort.id,
    userId: student.id,
    taskId: task.id,
    submissionId: randomUUID(),
    outcome,
    points: extra.points ?? (outcome === 'passed' ? task.maxPoints : 0),
    maxPoints: extra.maxPoints ?? task.maxPoints,
    failedCheckIds: extra.failedCheckIds ?? (outcome === 'failed' ? ['check-a'] : []),
  };
}

/** Event rows of one cohort and type, oldest first. */
export function cohortEvents(api: ApiHarness, cohortId: string, type: string) {
  return api.prisma.event.findMany({ where: { cohortId, type }, orderBy: { id: 'asc' } });
}
