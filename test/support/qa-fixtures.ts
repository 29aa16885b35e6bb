import { expect } from '@jest/globals';
import { CurriculumSeeder } from '@kubecohort/curriculum';
import type { SubmissionStatus } from '@kubecohort/database';
import { randomInt, randomUUID } from 'node:crypto';
import type { ApiHarness, TestUser } from './api-harness.js';

/**
 * Fixtures for the Q&A suites: cohorts, enrolments, gradings and Discord links written straight
 * through Prisma on the real curriculum; questions and answers go through the routes. Every call
 * creates fresh rows and users, so tests share nothing (not even rate-limit buckets).
 */

export interface QaTask {
  id: string;
  title: string;
  step: number;
}

export interface QaCohort {
  id: string;
  versionId: string;
  instructor: TestUser;
  /** Tasks of the curriculum in plan order. */
  tasks: QaTask[];
}

export interface QaStudent extends TestUser {
  enrollmentId: string;
  displayName: string;
}

const seeded = new WeakMap<ApiHarness, Promise<{ versionId: string }>>();

/** The real curriculum, seeded once per harness (the seeder is idempotent). */
export function qaCurriculum(api: ApiHarness): Promise<{ versionId: string }> {
  let done = seeded.get(api);
  if (!done) {
    done = new CurriculumSeeder(api.prisma).seed();
    seeded.set(api, done);
  }
  return done;
}

/** An active cohort on the curriculum, taught by a fresh instructor. */
export async function createQaCohort(
  api: ApiHarness,
  options: { instructor?: TestUser } = {},
): Promise<QaCohort> {
  const { versionId } = await qaCurriculum(api);
  const instructor = options.instructor ?? (await api.createUser('instructor'));
  const cohort = await api.prisma.cohort.create({
    data: {
      name: `Q&A cohort ${randomUUID().slice(0, 8)}`,
      status: 'active',
      curriculumVersionId: versionId,
      instructors: { create: { userId: instructor.id } },
    },
  });
  const tasks = await api.prisma.curriculumTask.findMany({
    where: { versionId },
    select: { slug: true, title: true, position: true, step: { select: { number: true } } },
  });
  return {
    id: cohort.id,
    versionId,
    instructor,
    tasks: tasks
      .sort((a, b) => a.step.number - b.step.number || a.position - b.position)
      .map((task) => ({ id: task.slug, title: task.title, step: task.step.number })),
  };
}

/** A task of the cohort's curriculum by slug (fails the test when the curriculum lacks it). */
export function taskOf(cohort: QaCohort, slug: string): QaTask {
  const task = cohort.tasks.find((candidate) => candidate.id === slug);
  expect(task).toBeDefined();
  return task!;
}

/** A new student actively enrolled in the cohort. */
export async function enroll(
  api: ApiHarness,
  cohort: { id: string },
  options: { currentStep?: number } = {},
): Promise<QaStudent> {
  const displayName = `Student ${randomUUID().slice(0, 6)}`;
  const user = await api.createUser('student', { displayName });
  const enrollment = await api.prisma.enrollment.create({
    data: { cohortId: cohort.id, userId: user.id, activeUserId: user.id, currentStep: options.currentStep },
  });
  return { ...user, enrollmentId: enrollment.id, displayName };
}

export interface QuestionBody {
  title: string;
  body: string;
  taskId?: string;
  step?: number;
  tags?: string[];
  discordThreadId?: string;
}

/** Asks through the route and expects 201. */
export async function ask(
  api: ApiHarness,
  user: { token: string },
  cohortId: string,
  body: QuestionBody,
): Promise<any> {
  const res = await api.request('POST', `/api/v1/cohorts/${cohortId}/questions`, { token: user.token, body });
  expect(res.status).toBe(201);
  return res.body;
}

/** Answers through the route and expects 201. */
export async function answer(
  api: ApiHarness,
  user: { token: string },
  questionId: string,
  body = 'Try this.',
): Promise<any> {
  const res = await api.request('POST', `/api/v1/questions/${questionId}/answers`, {
    token: user.token,
    body: { body },
  });
  expect(res.status).toBe(201);
  return res.body;
}

export interface GradingRow {
  status: SubmissionStatus;
  score?: number | null;
  maxScore?: number | null;
  createdAt?: Date;
  checks?: { checkId: string; title?: string; passed: boolean; skipped?: boolean; message?: string | null }[];
}

/** A submission of the student on a task, with its check results (as the grading pipeline writes them). */
export async function recordGrading(
  api: ApiHarness,
  cohort: { id: string },
  student: QaStudent,
  taskId: string,
  grading: GradingRow,
): Promise<string> {
  const finished = grading.status !== 'queued' && grading.status !== 'running';
  const createdAt = grading.createdAt ?? new Date();
  const submission = await api.prisma.submission.create({
    data: {
      cohortId: cohort.id,
      userId: student.id,
      enrollmentId: student.enrollmentId,
      taskSlug: taskId,
      status: grading.status,
      score: grading.score ?? null,
      maxScore: grading.maxScore ?? null,
      activeKey: finished ? null : `${student.id}:${taskId}`,
      createdAt,
      finishedAt: finished ? createdAt : null,
      checks: {
        create: (grading.checks ?? []).map((check, position) => ({
          position,
          checkId: check.checkId,
          title: check.title ?? check.checkId,
          passed: check.passed,
          skipped: check.skipped ?? false,
          points: check.passed ? 1 : 0,
          maxPoints: 1,
          message: check.message ?? null,
        })),
      },
    },
  });
  return submission.id;
}

/** Links a Discord account to the user (as /join would) and returns its Discord id. */
export async function linkDiscord(api: ApiHarness, userId: string): Promise<string> {
  const discordUserId = String(randomInt(1e9, 2 ** 47)) + String(randomInt(1e5, 1e6));
  await api.prisma.discordLink.create({
    data: { userId, discordUserId, discordUsername: `user${randomInt(1e6)}` },
  });
  return discordUserId;
}

/** A fresh Discord snowflake-looking id (threads, messages). */
export function snowflake(): string {
  return String(randomInt(1e9, 2 ** 47)) + String(randomInt(1e5, 1e6));
}

/** Event rows of one cohort and type, oldest first. */
export function qaEvents(api: ApiHarness, cohortId: string, type: string) {
  return api.prisma.event.findMany({ where: { cohortId, type }, orderBy: { id: 'asc' } });
}

/** Audit rows of one action on one target, oldest first. */
export function qaAudit(api: ApiHarness, action: string, targetId: string) {
  return api.prisma.auditLog.findMany({ where: { action, targetId }, orderBy: { id: 'asc' } });
}
