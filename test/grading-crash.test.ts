import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { PrismaService } from '@kubecohort/database';
import { randomUUID } from 'node:crypto';
import { ApiHarness, testApiEnv } from './support/api-harness.js';
import { createPrivateDatabase, type PrivateDatabase } from './support/grading-database.js';
import {
  createGradingCohort,
  createHostCluster,
  type GradingCohort,
  QUIZ_RIGHT,
  seedCurriculum,
  TASKS,
  TEST_ENCRYPTION_KEYS,
  testWorkerEnv,
  waitFor,
  waitUntilGraded,
} from './support/grading-fixtures.js';
import { assertBuilt, DIST, RunningProcess } from './support/processes.js';
import { PrivateRedis } from './support/redis-private.js';

const STUDENTS = 125;
/** Each student submits each of these once: 4 × 125 = 500 submissions per burst. */
const BURST_TASKS = [TASKS.selfCheck, TASKS.quiz, TASKS.grader, TASKS.writtenQuiz] as const;
const IN_FLIGHT = 16;

/**
 * Crash tests with real processes (the built api and worker) on real PostgreSQL and a private
 * redis-server: a burst of 500 submissions while Redis is stopped and restarted empty, and while
 * the worker is SIGKILLed and restarted. Every submission must be graded exactly once: one
 * submission.graded event, one set of check results, one progress attempt.
 */
describe('grading under crashes (real processes)', () => {
  let db: PrivateDatabase;
  let redis: PrivateRedis;
  let fixtures: ApiHarness;
  let api: RunningProcess;
  let apiUrl: string;
  const workers: RunningProcess[] = [];
  let writtenQuizItems: number;

  const workerEnv = (prefix: string) =>
    testWorkerEnv(db.url, {
      REDIS_URL: redis.url,
      REDIS_PREFIX: prefix,
      LOG_LEVEL: 'info',
      ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
      GRADING_MAX_ATTEMPTS: '5',
      GRADING_RETRY_BASE_MS: '200',
      // A killed worker's host-cluster slots free after this.
      GRADING_SLOT_LEASE_MS: '3000',
    });

  async function startWorker(prefix: string): Promise<RunningProcess> {
    const worker = RunningProcess.start(DIST.worker, workerEnv(prefix));
    workers.push(worker);
    await worker.waitForLog(/worker ready \(health on :(\d+)\)/, 60_000);
    return worker;
  }

  /** Each test runs its own worker: a leftover one would relay the next test's outbox rows. */
  async function stopWorkers(): Promise<void> {
    await Promise.all(workers.splice(0).map((worker) => worker.stop('SIGKILL')));
  }

  beforeAll(async () => {
    assertBuilt();
    db = await createPrivateDatabase('crash');
    redis = await PrivateRedis.start();
    // In-process api for fixtures only (tokens, rows); the submissions go to the built api below.
    fixtures = await ApiHarness.start({ ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS, DATABASE_URL: db.url });
    const { versionId } = await seedCurriculum(fixtures.prisma);
    const quiz = await fixtures.prisma.curriculumTask.findFirstOrThrow({
      where: { versionId, slug: TASKS.writtenQuiz },
      select: { quiz: true },
    });
    writtenQuizItems = (quiz.quiz as unknown[]).length;
  }, 120_000);

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop('SIGKILL')));
    await api?.stop('SIGKILL');
    await fixtures?.stop();
    await redis?.stop();
    await db?.drop();
  });

  async function startApi(prefix: string): Promise<void> {
    await api?.stop('SIGKILL');
    api = RunningProcess.start(
      DIST.api,
      testApiEnv({
        ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
        DATABASE_URL: db.url,
        REDIS_URL: redis.url,
        REDIS_PREFIX: prefix,
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'info',
        SUBMISSION_RATE_LIMIT: '100',
      }),
    );
    const port = await api
      .waitForLog(/api listening on http:\/\/127\.0\.0\.1:(\d+)/, 60_000)
      .catch(() => null);
    if (!port) throw new Error(`api did not start:\n${api.stdout}\n${api.stderr}`);
    apiUrl = `http://127.0.0.1:${port}`;
  }

  interface Planned {
    student: GradingCohort['students'][number];
    taskId: (typeof BURST_TASKS)[number];
    body: Record<string, unknown>;
    expected: { status: string; checks: number };
  }

  function plan(cohort: GradingCohort): Planned[] {
    const planned: Planned[] = [];
    cohort.students.forEach((student, index) => {
      for (const taskId of BURST_TASKS) {
        const right = index % 3 !== 0;
        switch (taskId) {
          case TASKS.selfCheck:
            planned.push({ student, taskId, body: { taskId }, expected: { status: 'passed', checks: 1 } });
            break;
          case TASKS.quiz:
            planned.push({
              student,
              taskId,
              body: { taskId, answer: { answers: right ? QUIZ_RIGHT : { ...QUIZ_RIGHT, 'tcp-udp': 0 } } },
              expected: { status: right ? 'passed' : 'failed', checks: 5 },
            });
            break;
          case TASKS.grader:
            planned.push({ student, taskId, body: { taskId }, expected: { status: 'passed', checks: 1 } });
            break;
          case TASKS.writtenQuiz:
            planned.push({
              student,
              taskId,
              body: { taskId, answer: { answers: { 'q1-choice': 1, 'q1-written': 'My own words.' } } },
              expected: { status: 'pending_review', checks: writtenQuizItems },
            });
            break;
        }
      }
    });
    // Interleave tasks and students so every kind of grading is in flight at the crash.
    return planned.sort(() => Math.random() - 0.5);
  }

  /**
   * Sends every planned submission, IN_FLIGHT at a time; `onProgress(sent)` runs after each
   * response (the crash is triggered from there). Returns the submission ids in plan order.
   */
  async function burst(planned: Planned[], onProgress: (done: number) => Promise<void>): Promise<string[]> {
    const ids: string[] = new Array<string>(planned.length);
    let next = 0;
    let done = 0;
    const failures: string[] = [];
    const sender = async () => {
      while (next < planned.length) {
        const index = next++;
        const item = planned[index]!;
        const response = await fetch(`${apiUrl}/api/v1/submissions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${item.student.token}`, 'content-type': 'application/json' },
          body: JSON.stringify(item.body),
        });
        const body = (await response.json()) as { id?: string };
        if (response.status !== 202 || !body.id) failures.push(`${response.status} ${JSON.stringify(body)}`);
        else ids[index] = body.id;
        done += 1;
        await onProgress(done);
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, sender));
    if (failures.length > 0) {
      const errors = api.stdout.split('\n').filter((line) => /"level":(50|60)/.test(line));
      throw new Error(
        `${failures.length} submissions refused:\n${failures.slice(0, 3).join('\n')}\n${errors.slice(0, 3).join('\n')}`,
      );
    }
    return ids;
  }

  async function expectExactlyOnce(
    prisma: PrismaService,
    cohort: GradingCohort,
    planned: Planned[],
    ids: string[],
  ) {
    const results = await waitUntilGraded(prisma, ids, 180_000);
    const byId = new Map(planned.map((item, index) => [ids[index]!, item]));
    const wrong = [...results.entries()]
      .filter(([id, row]) => row.status !== byId.get(id)!.expected.status)
      .map(([id, row]) => `${byId.get(id)!.taskId}: ${row.status} ${row.error ?? ''}`);
    expect(wrong).toEqual([]);

    const eventCounts = async (type: string) =>
      new Map(
        (
          await prisma.$queryRaw<{ id: string; n: bigint }[]>`
            SELECT payload->>'submissionId' AS id, count(*) AS n FROM events
            WHERE cohort_id = ${cohort.id}::uuid AND type = ${type} GROUP BY 1`
        ).map((row) => [row.id, Number(row.n)]),
      );
    const graded = await eventCounts('submission.graded');
    const queued = await eventCounts('submission.queued');
    expect(ids.filter((id) => graded.get(id) !== 1)).toEqual([]);
    expect(ids.filter((id) => queued.get(id) !== 1)).toEqual([]);
    expect(graded.size).toBe(ids.length);

    const checks = new Map(
      (
        await prisma.checkResult.groupBy({
          by: ['submissionId'],
          where: { submissionId: { in: ids } },
          _count: true,
        })
      ).map((row) => [row.submissionId, row._count]),
    );
    expect(ids.filter((id) => checks.get(id) !== byId.get(id)!.expected.checks)).toEqual([]);

    const progress = await prisma.taskProgress.findMany({
      where: { cohortId: cohort.id },
      select: { userId: true, taskSlug: true, attempts: true },
    });
    expect(progress).toHaveLength(planned.length);
    expect(progress.filter((row) => row.attempts !== 1)).toEqual([]);
    const attemptEvents = await prisma.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM events
      WHERE cohort_id = ${cohort.id}::uuid AND type = 'progress.updated' AND payload->>'reason' = 'attempt'`;
    expect(Number(attemptEvents[0]!.n)).toBe(planned.length);
  }

  async function cohortForBurst(): Promise<GradingCohort> {
    const clusters = [await createHostCluster(fixtures.prisma), await createHostCluster(fixtures.prisma)];
    return createGradingCohort(fixtures, {
      students: STUDENTS,
      unlocked: [1, 2],
      // Every tenth grading takes 2 s, so gradings are surely in flight when the crash comes.
      environment: (index) => ({
        hostClusterId: clusters[index % 2]!,
        mode: index % 10 === 0 ? 'slow-2000' : 'slow-20',
      }),
    });
  }

  it('Redis stopped mid-burst and restarted empty: every submission graded exactly once', async () => {
    const prefix = `crash-redis-${randomUUID().slice(0, 8)}`;
    await startApi(prefix);
    await startWorker(prefix);
    const cohort = await cohortForBurst();
    const planned = plan(cohort);
    let stopped = false;
    let restarted: Promise<void> | undefined;
    const burstStarted = Date.now();
    const ids = await burst(planned, async (done) => {
      if (process.env.KC_CRASH_DEBUG && done % 50 === 0)
        console.log('sent', done, Date.now() - burstStarted, 'ms');
      if (done === 150 && !stopped) {
        stopped = true;
        // Crash while jobs wait in Redis (handed over by the relay, not yet claimed): those are lost.
        await waitFor(
          'a job waiting in Redis',
          async () =>
            (
              await fixtures.prisma.$queryRaw<{ n: bigint }[]>`
              SELECT count(*) AS n FROM submissions s JOIN outbox_messages o ON o.key = s.id::text
              WHERE s.cohort_id = ${cohort.id}::uuid AND s.status = 'queued' AND o.processed_at IS NOT NULL`
            )[0]!.n > 0n,
          10_000,
          20,
        );
        await redis.stop();
      }
      // Submissions keep being accepted meanwhile (PostgreSQL only); Redis comes back, empty.
      if (done === 350 && !restarted) restarted = redis.restart();
    });
    await restarted;
    expect(stopped).toBe(true);
    const t0 = Date.now();
    await expectExactlyOnce(fixtures.prisma, cohort, planned, ids);
    if (process.env.KC_CRASH_DEBUG) console.log('graded after', Date.now() - t0, 'ms');
    // The outage mattered: jobs Redis lost were delivered again, or the relay had to retry.
    const outbox = await fixtures.prisma.outboxMessage.findMany({
      where: { key: { in: ids } },
      select: { attempts: true, lastError: true },
    });
    const redelivered = outbox.filter((row) => row.attempts > 1).length;
    expect(redelivered).toBeGreaterThan(0);
    await stopWorkers();
  }, 300_000);

  it('worker SIGKILLed mid-burst and restarted: every submission graded exactly once', async () => {
    const prefix = `crash-worker-${randomUUID().slice(0, 8)}`;
    await startApi(prefix);
    const first = await startWorker(prefix);
    const cohort = await cohortForBurst();
    const planned = plan(cohort);
    let killed = false;
    let restarted: Promise<RunningProcess> | undefined;
    const ids = await burst(planned, async (done) => {
      if (done === 150 && !killed) {
        killed = true;
        // Kill it in the middle of a grading (a slow one runs for 2 s).
        await waitFor(
          'a grading in progress',
          async () =>
            (await fixtures.prisma.submission.count({ where: { cohortId: cohort.id, status: 'running' } })) >
            0,
          10_000,
          20,
        );
        await first.stop('SIGKILL');
      }
      if (done === 350 && !restarted) restarted = startWorker(prefix);
    });
    await restarted;
    expect(killed).toBe(true);
    const t0 = Date.now();
    await expectExactlyOnce(fixtures.prisma, cohort, planned, ids);
    if (process.env.KC_CRASH_DEBUG) console.log('graded after', Date.now() - t0, 'ms');
    // The kill mattered: gradings the dead worker had claimed were claimed again and finished once.
    expect(
      await fixtures.prisma.submission.count({ where: { id: { in: ids }, attempts: { gt: 1 } } }),
    ).toBeGreaterThan(0);
    await stopWorkers();
  }, 300_000);
});
