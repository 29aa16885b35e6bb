import { AccessTokens } from '@kubecohort/auth';
import { CurriculumSeeder } from '@kubecohort/curriculum';
import { PrismaService } from '@kubecohort/database';
import { JobWorkers } from '@kubecohort/queue';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { WorkerConfig } from '../../apps/worker/src/worker.config.js';
import { WorkerModule } from '../../apps/worker/src/worker.module.js';
import type { ApiHarness } from './api-harness.js';

/**
 * ENCRYPTION_KEYS for processes this file's tests start (the api needs one for environments;
 * unused by the grading paths). Harmless when the api's test environment already sets one.
 */
export const TEST_ENCRYPTION_KEYS = `grading-test:${Buffer.alloc(32, 7).toString('base64')}`;

/** Tasks of the real curriculum the grading tests use (steps 1 and 2). */
export const TASKS = {
  /** self_check, step 1 */
  selfCheck: 'foundation-kubernetes-basics',
  /** quiz of five multiple-choice items, step 1 */
  quiz: 'foundation-networking-fundamentals',
  /** self_check, step 2 */
  selfCheck2: 'environment-local-cluster',
  /** grader task, step 2: graded by the test grader (GRADING_TEST_GRADERS) */
  grader: 'environment-sandbox-app',
  /** quiz with written items (pending_review), step 2 */
  writtenQuiz: 'phase-1-key-questions',
  /** review task, step 4 */
  review: 'lab-5-cni-comparison',
} as const;

/** The right answers of the networking quiz (from the curriculum). */
export const QUIZ_RIGHT = {
  'cidr-hosts': 1,
  'dns-record': 2,
  'dns-transport': 1,
  'tcp-udp': 1,
  'longest-prefix': 1,
};

export interface GradingStudent {
  id: string;
  token: string;
  enrollmentId: string;
}

export interface GradingCohort {
  id: string;
  versionId: string;
  instructor: { id: string; token: string };
  students: GradingStudent[];
}

export interface EnvironmentSpec {
  hostClusterId: string;
  /** The fake transports' behaviour (see apps/worker/src/grading/test-environment.transports.ts). */
  mode?: string;
  state?: 'ready' | 'sleeping' | 'provisioning' | 'failed';
}

const seeded = new WeakMap<PrismaService, Promise<{ versionId: string }>>();

export function seedCurriculum(prisma: PrismaService): Promise<{ versionId: string }> {
  let done = seeded.get(prisma);
  if (!done) {
    done = new CurriculumSeeder(prisma).seed();
    seeded.set(prisma, done);
  }
  return done;
}

export async function createHostCluster(prisma: PrismaService): Promise<string> {
  const cluster = await prisma.hostCluster.create({
    data: {
      name: `test-host-${randomUUID().slice(0, 8)}`,
      region: 'test',
      apiServerUrl: 'https://127.0.0.1:6443',
      kubeconfigEncrypted: 'unused-in-tests',
      capacityEnvironments: 100,
      capacityCpuMillis: 100_000,
      capacityMemoryMib: 100_000,
    },
  });
  return cluster.id;
}

/**
 * A cohort on the real curriculum with `students` enrolled (rows written in bulk), each with a
 * signed access token, and optionally an environment per student.
 */
export async function createGradingCohort(
  api: ApiHarness,
  options: {
    students: number;
    unlocked?: number[];
    environment?: (index: number) => EnvironmentSpec | null;
  },
): Promise<GradingCohort> {
  const prisma = api.prisma;
  const { versionId } = await seedCurriculum(prisma);
  const tokens = api.app.get(AccessTokens);
  const unlocked = options.unlocked ?? [1, 2];
  const steps = await prisma.curriculumStep.findMany({ where: { versionId }, select: { number: true } });
  const instructorId = randomUUID();
  await prisma.user.create({
    data: {
      id: instructorId,
      role: 'instructor',
      displayName: 'Grading instructor',
      email: `i-${instructorId}@test.kubecohort.dev`,
    },
  });
  const cohort = await prisma.cohort.create({
    data: {
      name: `Grading ${randomUUID().slice(0, 8)}`,
      status: 'active',
      curriculumVersionId: versionId,
      steps: {
        create: steps.map((step) => ({ stepNumber: step.number, locked: !unlocked.includes(step.number) })),
      },
      instructors: { create: { userId: instructorId } },
    },
  });
  const users = Array.from({ length: options.students }, (_, index) => ({
    id: randomUUID(),
    role: 'student' as const,
    displayName: `Grading student ${index + 1}`,
    email: `s-${randomUUID()}@test.kubecohort.dev`,
  }));
  await prisma.user.createMany({ data: users });
  const enrollments = users.map((user) => ({
    id: randomUUID(),
    cohortId: cohort.id,
    userId: user.id,
    activeUserId: user.id,
    status: 'active' as const,
  }));
  await prisma.enrollment.createMany({ data: enrollments });
  if (options.environment) {
    const environments = users.flatMap((user, index) => {
      const spec = options.environment!(index);
      return spec
        ? [
            {
              cohortId: cohort.id,
              userId: user.id,
              activeUserId: user.id,
              hostClusterId: spec.hostClusterId,
              state: spec.state ?? ('ready' as const),
              vclusterName: spec.mode ?? 'pass',
            },
          ]
        : [];
    });
    await prisma.environment.createMany({ data: environments });
  }
  return {
    id: cohort.id,
    versionId,
    instructor: { id: instructorId, token: await tokens.sign(instructorId, 'instructor') },
    students: await Promise.all(
      users.map(async (user, index) => ({
        id: user.id,
        enrollmentId: enrollments[index]!.id,
        token: await tokens.sign(user.id, 'student'),
      })),
    ),
  };
}

/** Polls until `check` returns a value other than undefined/false, or fails after the timeout. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
  intervalMs = 100,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() - started > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Waits until none of these submissions is queued or running; returns them by id. */
export async function waitUntilGraded(
  prisma: PrismaService,
  ids: string[],
  timeoutMs = 60_000,
): Promise<Map<string, { status: string; score: number | null; attempts: number; error: string | null }>> {
  return waitFor(
    `${ids.length} submission(s) to be graded`,
    async () => {
      const rows = await prisma.submission.findMany({
        where: { id: { in: ids } },
        select: { id: true, status: true, score: true, attempts: true, error: true },
      });
      if (
        rows.length !== ids.length ||
        rows.some((row) => row.status === 'queued' || row.status === 'running')
      )
        return undefined;
      return new Map(rows.map((row) => [row.id, row]));
    },
    timeoutMs,
    200,
  );
}

/** Worker settings for tests: the test graders, quick retries, the relay and reconciler fast. */
export function testWorkerEnv(databaseUrl: string, overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: process.env.REDIS_PREFIX ?? 'kc-test',
    LOG_LEVEL: 'silent',
    HEALTH_PORT: '0',
    WORKER_QUEUES: 'grading',
    GRADING_TEST_GRADERS: '1',
    GRADING_MAX_ATTEMPTS: '3',
    GRADING_RETRY_BASE_MS: '100',
    GRADING_RELAY_POLL_MS: '500',
    GRADING_RECONCILE_INTERVAL_MS: '1000',
    GRADING_RECONCILE_AFTER_MS: '2000',
    ...overrides,
  };
}

/** An in-process worker (WorkerModule) serving the grading queue, as main.ts starts it. */
export async function startInProcessWorker(env: NodeJS.ProcessEnv): Promise<INestApplicationContext> {
  const config = WorkerConfig.load(env);
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: false });
  // Prisma loads its query compiler on the first query; under Jest that must happen inside a hook.
  await app.get(PrismaService).ping();
  app.get(JobWorkers).start(config.WORKER_QUEUES, config.WORKER_CONCURRENCY);
  return app;
}
