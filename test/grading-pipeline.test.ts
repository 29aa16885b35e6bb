import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type FinishedGrading,
  GradingTargets,
  HostClusterSlots,
  isInfrastructureError,
  MAX_DELIVERIES,
  OutboxRelay,
  SubmissionResults,
} from '@kubecohort/grading';
import { SqlClient } from '@kubecohort/database';
import { JobQueue } from '@kubecohort/queue';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { WorkerConfig } from '../apps/worker/src/worker.config.js';
import { studentEnvironment } from '../apps/worker/src/grading/environment-grading-targets.js';
import { WorkerModule } from '../apps/worker/src/worker.module.js';
import { ApiHarness } from './support/api-harness.js';
import { createPrivateDatabase, type PrivateDatabase } from './support/grading-database.js';
import {
  createGradingCohort,
  createHostCluster,
  type GradingCohort,
  QUIZ_RIGHT,
  startInProcessWorker,
  TASKS,
  TEST_ENCRYPTION_KEYS,
  testWorkerEnv,
  waitFor,
  waitUntilGraded,
} from './support/grading-fixtures.js';

/**
 * The grading pipeline end to end on real PostgreSQL and Redis: the api accepts a submission (row +
 * outbox + NOTIFY in one transaction), the worker's relay moves it to BullMQ, the processor grades
 * it and writes result, progress and events once. Grader tasks run the test grader against fake
 * transports chosen by the environment row (see test-environment.transports.ts).
 */
describe('grading pipeline', () => {
  let db: PrivateDatabase;
  let api: ApiHarness;
  let worker: INestApplicationContext;
  const prefix = `${process.env.REDIS_PREFIX ?? 'kc-test'}:grading-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    db = await createPrivateDatabase('pipeline');
    api = await ApiHarness.start({
      ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
      DATABASE_URL: db.url,
      REDIS_PREFIX: prefix,
      SUBMISSION_RATE_LIMIT: '1000',
    });
    worker = await startInProcessWorker(
      testWorkerEnv(db.url, {
        REDIS_PREFIX: prefix,
        GRADING_CONCURRENCY_PER_HOST_CLUSTER: '1',
        // Long, so that the fast gradings below can only come from NOTIFY waking the relay.
        GRADING_RELAY_POLL_MS: '10000',
      }),
    );
  }, 120_000);

  afterAll(async () => {
    await worker?.close();
    await api?.stop();
    await db?.drop();
  });

  const submit = (token: string, body: unknown) =>
    api.request('POST', '/api/v1/submissions', { token, body });

  async function submitted(token: string, body: unknown): Promise<string> {
    const res = await submit(token, body);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ id: expect.any(String), status: 'queued' });
    return res.body.id as string;
  }

  /** A queued submission row written straight to the database, as the api would; its id. */
  const queuedRow = async (
    cohortId: string,
    student: { id: string; enrollmentId: string },
    taskSlug: string,
    maxScore: number,
    createdAt?: Date,
  ): Promise<string> => {
    const id = randomUUID();
    await api.prisma.submission.create({
      data: {
        id,
        cohortId,
        userId: student.id,
        enrollmentId: student.enrollmentId,
        taskSlug,
        activeKey: `${student.id}:${taskSlug}`,
        maxScore,
        ...(createdAt ? { createdAt } : {}),
      },
    });
    return id;
  };

  const events = (cohortId: string, type: string) =>
    api.prisma.event.findMany({ where: { cohortId, type }, orderBy: { id: 'asc' } });

  describe('quizzes and self-checks (no environment)', () => {
    let cohort: GradingCohort;
    beforeAll(async () => {
      cohort = await createGradingCohort(api, { students: 4, unlocked: [1, 2, 4] });
    });

    it('grades a quiz from its answer: one check per item, score, progress, events, once', async () => {
      const [student] = cohort.students;
      const id = await submitted(student!.token, {
        taskId: TASKS.quiz,
        answer: { answers: { ...QUIZ_RIGHT, 'dns-record': 0 } },
      });
      await waitUntilGraded(api.prisma, [id]);
      const res = await api.request('GET', `/api/v1/submissions/${id}`, { token: student!.token });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        id,
        taskId: TASKS.quiz,
        status: 'failed',
        score: 8,
        maxScore: 10,
        error: null,
        createdAt: expect.any(String),
        finishedAt: expect.any(String),
      });
      expect(res.body.checks).toHaveLength(5);
      const wrong = res.body.checks.find((check: { id: string }) => check.id === 'dns-record');
      expect(wrong).toMatchObject({
        passed: false,
        message: 'Not the right answer',
        hint: expect.stringContaining('AAAA'),
      });
      expect(res.body.checks.filter((check: { passed: boolean }) => check.passed)).toHaveLength(4);

      const graded = await events(cohort.id, 'submission.graded');
      expect(
        graded.filter((event) => (event.payload as { submissionId: string }).submissionId === id),
      ).toHaveLength(1);
      expect(graded.at(-1)).toMatchObject({
        subjectUserId: student!.id,
        payload: {
          submissionId: id,
          status: 'failed',
          score: 8,
          maxScore: 10,
          failedChecks: [{ id: 'dns-record', message: 'Not the right answer' }],
        },
      });
      const queued = (await events(cohort.id, 'submission.queued')).filter(
        (event) => (event.payload as { submissionId: string }).submissionId === id,
      );
      expect(queued).toHaveLength(1);
      // Written with the submission: the grading's own events come after it.
      expect(queued[0]).toMatchObject({
        subjectUserId: student!.id,
        payload: { userId: student!.id, taskId: TASKS.quiz },
      });
      expect(queued[0]!.id).toBeLessThan(graded.at(-1)!.id);
      const progress = await api.prisma.taskProgress.findFirstOrThrow({
        where: { userId: student!.id, taskSlug: TASKS.quiz },
      });
      expect(progress).toMatchObject({ status: 'failed', attempts: 1, points: 8, lastSubmissionId: id });

      // Right the second time: passed, full points, progress passed.
      const second = await submitted(student!.token, { taskId: TASKS.quiz, answer: { answers: QUIZ_RIGHT } });
      const results = await waitUntilGraded(api.prisma, [second]);
      expect(results.get(second)).toMatchObject({ status: 'passed', score: 10, attempts: 1 });
      expect(
        await api.prisma.taskProgress.findFirstOrThrow({
          where: { userId: student!.id, taskSlug: TASKS.quiz },
        }),
      ).toMatchObject({ status: 'passed', attempts: 2, points: 10 });
    });

    it("a passing grading solves the student's open questions on the task (QuestionSolver, same transaction)", async () => {
      const student = cohort.students[2]!;
      const question = await api.prisma.question.create({
        data: {
          cohortId: cohort.id,
          authorId: student.id,
          taskSlug: TASKS.quiz,
          title: 'CIDR?',
          body: 'How many hosts in a /24?',
        },
      });
      const failed = await submitted(student.token, {
        taskId: TASKS.quiz,
        answer: { answers: { 'cidr-hosts': 0 } },
      });
      await waitUntilGraded(api.prisma, [failed]);
      expect((await api.prisma.question.findUniqueOrThrow({ where: { id: question.id } })).status).toBe(
        'open',
      );
      const passed = await submitted(student.token, { taskId: TASKS.quiz, answer: { answers: QUIZ_RIGHT } });
      await waitUntilGraded(api.prisma, [passed]);
      expect(await api.prisma.question.findUniqueOrThrow({ where: { id: question.id } })).toMatchObject({
        status: 'solved',
        solvedBy: 'grading',
      });
      expect((await events(cohort.id, 'question.solved')).map((event) => event.payload)).toEqual([
        expect.objectContaining({ questionId: question.id, by: 'grading' }),
      ]);
    });

    it('passes a self-check task on submit', async () => {
      const student = cohort.students[1]!;
      const id = await submitted(student.token, { taskId: TASKS.selfCheck });
      const results = await waitUntilGraded(api.prisma, [id]);
      expect(results.get(id)).toMatchObject({ status: 'passed', score: 5 });
    });
  });

  describe('accepting a submission', () => {
    let cohort: GradingCohort;
    let hostCluster: string;
    beforeAll(async () => {
      hostCluster = await createHostCluster(api.prisma);
      cohort = await createGradingCohort(api, {
        students: 3,
        unlocked: [1, 2],
        environment: () => ({ hostClusterId: hostCluster, mode: 'slow-1500' }),
      });
    });

    it('409 submission_in_progress naming the active submission; a new one is accepted once it is graded', async () => {
      const student = cohort.students[0]!;
      const first = await submitted(student.token, { taskId: TASKS.grader });
      const again = await submit(student.token, { taskId: TASKS.grader });
      expect(again.status).toBe(409);
      expect(again.body).toEqual({
        error: 'submission_in_progress',
        message: expect.stringContaining(first),
        details: [{ field: 'submissionId', problem: first }],
      });
      // Another task of the same student is independent.
      await submitted(student.token, { taskId: TASKS.selfCheck });
      await waitUntilGraded(api.prisma, [first]);
      const next = await submitted(student.token, { taskId: TASKS.grader });
      expect(next).not.toBe(first);
    });

    it('409 step_locked for a task of a locked step; 404 for an unknown task; 404 not_enrolled for staff', async () => {
      const student = cohort.students[1]!;
      const locked = await submit(student.token, { taskId: TASKS.review, answer: { text: 'my report' } });
      expect(locked.status).toBe(409);
      expect(locked.body).toMatchObject({ error: 'step_locked', details: [{ field: 'taskId' }] });
      const unknown = await submit(student.token, { taskId: 'no-such-task' });
      expect(unknown.status).toBe(404);
      const staff = await submit(cohort.instructor.token, { taskId: TASKS.selfCheck });
      expect(staff.status).toBe(404);
      expect(staff.body.error).toBe('not_enrolled');
      expect(await api.prisma.submission.count({ where: { userId: student.id } })).toBe(0);
    });

    it('400 for answers the task does not take, naming each field', async () => {
      const student = cohort.students[1]!;
      const cases: [unknown, string][] = [
        [{ taskId: TASKS.selfCheck, answer: { done: true } }, 'answer'],
        [{ taskId: TASKS.quiz }, 'answer'],
        [{ taskId: TASKS.quiz, answer: { answers: { 'cidr-hosts': 7 } } }, 'answer.answers.cidr-hosts'],
        [{ taskId: TASKS.quiz, answer: { answers: { 'no-such-item': 1 } } }, 'answer.answers.no-such-item'],
        [{ taskId: TASKS.quiz, answer: { answers: {} } }, 'answer.answers'],
        [{ taskId: TASKS.quiz, answer: 'B' }, 'answer'],
        [{ taskId: 'Not A Slug' }, 'taskId'],
        [{ taskId: TASKS.selfCheck, extra: 1 }, 'extra'],
      ];
      for (const [body, field] of cases) {
        const res = await submit(student.token, body);
        expect({ body, status: res.status }).toEqual({ body, status: 400 });
        expect(res.body.details.map((detail: { field: string }) => detail.field)).toContain(field);
      }
      expect(await api.prisma.submission.count({ where: { userId: student.id } })).toBe(0);
    });

    it('rate limits submissions per student (429 with Retry-After)', async () => {
      const limited = await ApiHarness.start({
        ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
        DATABASE_URL: db.url,
        REDIS_PREFIX: prefix,
        SUBMISSION_RATE_LIMIT: '2',
        SUBMISSION_RATE_WINDOW_SECONDS: '3600',
      });
      try {
        const [student, other] = [cohort.students[2]!, cohort.students[1]!];
        const post = (token: string, taskId: string) =>
          limited.request('POST', '/api/v1/submissions', { token, body: { taskId } });
        expect((await post(student.token, 'no-such-task-1')).status).toBe(404);
        const second = await post(student.token, 'no-such-task-2');
        expect(second.headers.get('ratelimit-remaining')).toBe('0');
        const third = await post(student.token, TASKS.selfCheck);
        expect(third.status).toBe(429);
        expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
        expect((await post(other.token, 'no-such-task-3')).status).toBe(404); // per student
      } finally {
        await limited.stop();
      }
    });
  });

  describe('grader tasks against the environment', () => {
    let clusterA: string;
    let clusterB: string;
    beforeAll(async () => {
      [clusterA, clusterB] = [await createHostCluster(api.prisma), await createHostCluster(api.prisma)];
    });

    const gradeOne = async (mode: string | null, state?: 'ready' | 'sleeping') => {
      const cohort = await createGradingCohort(api, {
        students: 1,
        environment: () => (mode === null ? null : { hostClusterId: clusterB, mode, state }),
      });
      const id = await submitted(cohort.students[0]!.token, { taskId: TASKS.grader });
      await waitUntilGraded(api.prisma, [id], 60_000);
      const view = await api.request('GET', `/api/v1/submissions/${id}`, {
        token: cohort.students[0]!.token,
      });
      return {
        cohort,
        id,
        view: view.body,
        row: await api.prisma.submission.findUniqueOrThrow({ where: { id } }),
      };
    };

    it('passes: the check with its evidence, full points, progress passed', async () => {
      const { view, row, cohort } = await gradeOne('pass');
      expect(view).toMatchObject({ status: 'passed', score: 10, maxScore: 10, error: null });
      expect(view.checks).toEqual([
        expect.objectContaining({
          id: 'namespace-exists',
          passed: true,
          message: null,
          hint: null,
          evidence: expect.objectContaining({ found: true }),
        }),
      ]);
      expect(row).toMatchObject({ attempts: 1, graderId: 'test-trivial', activeKey: null });
      expect(
        await api.prisma.taskProgress.findFirstOrThrow({
          where: { cohortId: cohort.id, taskSlug: TASKS.grader },
        }),
      ).toMatchObject({ status: 'passed', points: 10, attempts: 1 });
    });

    it('fails on a failed check with its message and hint, once, without retrying', async () => {
      const { view, row } = await gradeOne('fail');
      expect(view).toMatchObject({ status: 'failed', score: 0 });
      expect(view.checks[0]).toMatchObject({
        passed: false,
        message: 'Namespace sandbox is missing: Namespace sandbox does not exist',
        hint: 'Create it: kubectl create namespace sandbox',
      });
      expect(row.attempts).toBe(1);
    });

    it('retries infrastructure errors, then ends in error with the message (no progress change)', async () => {
      const { view, row, cohort } = await gradeOne('infra');
      expect(view).toMatchObject({ status: 'error', score: null, error: 'fake cluster API unreachable' });
      expect(row.attempts).toBe(3); // GRADING_MAX_ATTEMPTS
      expect(await api.prisma.taskProgress.count({ where: { cohortId: cohort.id } })).toBe(0);
      const graded = await events(cohort.id, 'submission.graded');
      expect(graded).toHaveLength(1);
      expect(graded[0]!.payload).toMatchObject({ status: 'error' });
    });

    it('a retry after a transient infrastructure error grades normally', async () => {
      const { view, row } = await gradeOne('flaky');
      expect(view.status).toBe('passed');
      expect(row.attempts).toBe(2);
    });

    it('no environment, an environment asleep (woken by the submission), or no cluster probe: error saying so', async () => {
      const none = await gradeOne(null);
      expect(none.view).toMatchObject({
        status: 'error',
        error: expect.stringContaining('no environment in this cohort'),
      });
      expect(none.row.attempts).toBe(1);
      // Submitting is a student action: it wakes a sleeping environment and the grading waits for
      // it (infrastructure retries). Nothing completes the wake here, so the retries run out.
      const asleep = await gradeOne('pass', 'sleeping');
      expect(asleep.view).toMatchObject({ status: 'error', error: expect.stringContaining('waking') });
      const woken = await api.prisma.environment.findFirstOrThrow({
        where: { userId: asleep.cohort.students[0]!.id },
      });
      expect(woken.state).toBe('waking');
      // Only a task graded in the environment wakes it: a self-check leaves it asleep.
      const selfChecker = await createGradingCohort(api, {
        students: 1,
        environment: () => ({ hostClusterId: clusterB, mode: 'pass', state: 'sleeping' }),
      });
      const selfCheck = await submitted(selfChecker.students[0]!.token, { taskId: TASKS.selfCheck });
      await waitUntilGraded(api.prisma, [selfCheck]);
      const asleepStill = await api.prisma.environment.findFirstOrThrow({
        where: { userId: selfChecker.students[0]!.id },
      });
      expect(asleepStill.state).toBe('sleeping');
      const unreachable = await gradeOne('no-cluster');
      expect(unreachable.view).toMatchObject({
        status: 'error',
        error: expect.stringContaining('Kubernetes tasks is not connected in this deployment'),
      });
      expect(unreachable.row.attempts).toBe(1);
    });

    it('runs at most GRADING_CONCURRENCY_PER_HOST_CLUSTER (1) gradings per host cluster; other clusters run alongside', async () => {
      const cohort = await createGradingCohort(api, {
        students: 6,
        environment: (index) => ({ hostClusterId: index < 3 ? clusterA : clusterB, mode: 'slow-400' }),
      });
      const ids = await Promise.all(
        cohort.students.map((student) => submitted(student.token, { taskId: TASKS.grader })),
      );
      await waitUntilGraded(api.prisma, ids, 60_000);
      const rows = await api.prisma.submission.findMany({
        where: { id: { in: ids } },
        select: { id: true, status: true, startedAt: true, finishedAt: true, userId: true },
      });
      expect(rows.every((row) => row.status === 'passed')).toBe(true);
      const onA = new Set(cohort.students.slice(0, 3).map((student) => student.id));
      const intervals = (inA: boolean) =>
        rows
          .filter((row) => onA.has(row.userId) === inA)
          .map((row) => [row.startedAt!.getTime(), row.finishedAt!.getTime()] as const)
          .sort((x, y) => x[0] - y[0]);
      // A slot covers a grading's work on its cluster (each fake cluster call takes 400 ms), not the
      // result's write, which is group-committed after the slot is freed: on one cluster, each
      // grading starts at least that long after the one before it.
      for (const list of [intervals(true), intervals(false)]) {
        for (let index = 1; index < list.length; index += 1)
          expect(list[index]![0] - list[index - 1]![0]).toBeGreaterThanOrEqual(395);
      }
      // The two clusters were graded side by side, not one after the other.
      const [a, b] = [intervals(true), intervals(false)];
      expect(Math.max(a[0]![0], b[0]![0])).toBeLessThan(Math.min(a.at(-1)![1], b.at(-1)![1]));
    });
    it("takes the slot of the environment's host cluster: named by the job, looked up without it, followed when moved", async () => {
      const cohort = await createGradingCohort(api, {
        students: 3,
        environment: () => ({ hostClusterId: clusterA, mode: 'slow-1000' }),
      });
      const [submitter, unnamed, mover] = cohort.students as [
        GradingCohort['students'][number],
        GradingCohort['students'][number],
        GradingCohort['students'][number],
      ];
      const slots = worker.get(HostClusterSlots);
      // While it grades (each fake cluster call takes 1 s), which clusters' slots are held.
      const heldWhileGrading = async (id: string) => {
        await waitFor(
          'the grading to start',
          async () =>
            (await api.prisma.submission.findUniqueOrThrow({ where: { id } })).status === 'running' &&
            (await slots.held(clusterA)) + (await slots.held(clusterB)) > 0,
          10_000,
        );
        const held = { a: await slots.held(clusterA), b: await slots.held(clusterB) };
        await waitUntilGraded(api.prisma, [id], 30_000);
        expect((await api.prisma.submission.findUniqueOrThrow({ where: { id } })).status).toBe('passed');
        return held;
      };
      // A job added as the relay would, with or without the host cluster in its payload.
      const enqueue = async (student: GradingCohort['students'][number], payload: object) => {
        const id = await queuedRow(cohort.id, student, TASKS.grader, 10);
        const job = { submissionId: id, userId: student.id, cohortId: cohort.id, taskId: TASKS.grader };
        await worker
          .get(JobQueue)
          .queue('grading')
          .add('grading.grade-submission', { ...job, environment: true, ...payload }, { jobId: id });
        return id;
      };

      const id = await submitted(submitter.token, { taskId: TASKS.grader });
      const outbox = await api.prisma.outboxMessage.findFirstOrThrow({ where: { key: id } });
      expect(outbox.payload).toMatchObject({ environment: true, hostClusterId: clusterA });
      expect(await heldWhileGrading(id)).toEqual({ a: 1, b: 0 });

      expect(await heldWhileGrading(await enqueue(unnamed, {}))).toEqual({ a: 1, b: 0 });

      // The earlier gradings' slot on A goes back to Redis a moment after they release it.
      await waitFor('the slot on A to be given back', async () => (await slots.held(clusterA)) === 0, 5000);
      await api.prisma.environment.update({
        where: { activeUserId: mover.id },
        data: { hostClusterId: clusterB },
      });
      expect(await heldWhileGrading(await enqueue(mover, { hostClusterId: clusterA }))).toEqual({
        a: 0,
        b: 1,
      });
    });
  });

  describe('reading submissions', () => {
    let cohort: GradingCohort;
    let other: GradingCohort;
    let ids: string[];
    beforeAll(async () => {
      cohort = await createGradingCohort(api, { students: 2 });
      other = await createGradingCohort(api, { students: 1 });
      const [alice] = cohort.students;
      ids = [];
      for (const answers of [{ 'cidr-hosts': 0 }, { 'cidr-hosts': 1 }, QUIZ_RIGHT]) {
        const id = await submitted(alice!.token, { taskId: TASKS.quiz, answer: { answers } });
        await waitUntilGraded(api.prisma, [id]);
        ids.push(id);
      }
      ids.push(await submitted(alice!.token, { taskId: TASKS.selfCheck }));
      await waitUntilGraded(api.prisma, ids);
    });

    it('a submission is visible to its student and the cohort staff; 404 for anyone else', async () => {
      const [alice, bob] = cohort.students;
      const path = `/api/v1/submissions/${ids[0]}`;
      expect((await api.request('GET', path, { token: alice!.token })).status).toBe(200);
      expect((await api.request('GET', path, { token: cohort.instructor.token })).status).toBe(200);
      const admin = await api.createUser('admin');
      expect((await api.request('GET', path, { token: admin.token })).status).toBe(200);
      expect((await api.request('GET', path, { token: bob!.token })).status).toBe(404);
      expect((await api.request('GET', path, { token: other.instructor.token })).status).toBe(404);
      expect(
        (await api.request('GET', `/api/v1/submissions/${randomUUID()}`, { token: alice!.token })).status,
      ).toBe(404);
      expect(
        (await api.request('GET', '/api/v1/submissions/not-a-uuid', { token: alice!.token })).status,
      ).toBe(400);
    });

    it('GET /me/submissions pages newest first, filters by task and status', async () => {
      const alice = cohort.students[0]!;
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: { status: number; body: any } = await api.request(
          'GET',
          `/api/v1/me/submissions?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
          { token: alice.token },
        );
        expect(res.status).toBe(200);
        seen.push(...res.body.items.map((item: { id: string }) => item.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual([...ids].reverse());
      const quiz = await api.request('GET', `/api/v1/me/submissions?taskId=${TASKS.quiz}&status=passed`, {
        token: alice.token,
      });
      expect(quiz.body.items).toEqual([
        expect.objectContaining({
          id: ids[2],
          taskId: TASKS.quiz,
          status: 'passed',
          score: 10,
          maxScore: 10,
          userId: alice.id,
          cohortId: cohort.id,
        }),
      ]);
      const bob = await api.request('GET', '/api/v1/me/submissions', { token: cohort.students[1]!.token });
      expect(bob.body).toEqual({ items: [], nextCursor: null });
      const bad = await api.request('GET', '/api/v1/me/submissions?cursor=nonsense', { token: alice.token });
      expect(bad.status).toBe(400);
      expect(bad.body.details).toEqual([{ field: 'cursor', problem: expect.any(String) }]);
    });

    it("GET /cohorts/:id/submissions for the cohort's staff, with filters; 404 for students and other instructors", async () => {
      const path = `/api/v1/cohorts/${cohort.id}/submissions`;
      const all = await api.request('GET', path, { token: cohort.instructor.token });
      expect(all.status).toBe(200);
      expect(all.body.items.map((item: { id: string }) => item.id)).toEqual([...ids].reverse());
      const failed = await api.request('GET', `${path}?status=failed&userId=${cohort.students[0]!.id}`, {
        token: cohort.instructor.token,
      });
      expect(failed.body.items.map((item: { id: string }) => item.id)).toEqual([ids[1], ids[0]]);
      const none = await api.request('GET', `${path}?userId=${cohort.students[1]!.id}`, {
        token: cohort.instructor.token,
      });
      expect(none.body.items).toEqual([]);
      expect((await api.request('GET', path, { token: cohort.students[0]!.token })).status).toBe(404);
      expect((await api.request('GET', path, { token: other.instructor.token })).status).toBe(404);
      expect(
        (await api.request('GET', `${path}?status=nope`, { token: cohort.instructor.token })).status,
      ).toBe(400);
    });
  });

  describe('instructor review', () => {
    it('a review task waits for review; the instructor scores its rubric; progress and events follow', async () => {
      const cohort = await createGradingCohort(api, { students: 1, unlocked: [1, 2, 3, 4] });
      const student = cohort.students[0]!;
      const id = await submitted(student.token, {
        taskId: TASKS.review,
        answer: { url: 'https://example.com/report' },
      });
      const graded = await waitUntilGraded(api.prisma, [id]);
      expect(graded.get(id)).toMatchObject({ status: 'pending_review', score: null });
      expect(
        await api.prisma.taskProgress.findFirstOrThrow({
          where: { userId: student.id, taskSlug: TASKS.review },
        }),
      ).toMatchObject({ status: 'pending_review' });

      const review = (token: string, body: unknown) =>
        api.request('POST', `/api/v1/submissions/${id}/review`, { token, body });
      const full = [
        { id: 'setup', points: 5 },
        { id: 'behaviour', points: 6 },
        { id: 'performance', points: 5 },
        { id: 'policy', points: 4 },
        { id: 'recommendation', points: 2 },
      ];
      expect((await review(student.token, { score: 22, rubric: full })).status).toBe(403);
      const other = await createGradingCohort(api, { students: 0 });
      expect((await review(other.instructor.token, { score: 22, rubric: full })).status).toBe(404);

      const invalid = await review(cohort.instructor.token, {
        score: 31,
        rubric: [
          { id: 'setup', points: 9 },
          { id: 'nope', points: 1 },
          { id: 'setup', points: 1 },
        ],
      });
      expect(invalid.status).toBe(400);
      expect(invalid.body.details.map((detail: { field: string }) => detail.field)).toEqual(
        expect.arrayContaining(['rubric[0].points', 'rubric[1].id', 'rubric[2].id', 'rubric', 'score']),
      );
      const mismatch = await review(cohort.instructor.token, { score: 20, rubric: full });
      expect(mismatch.body.details).toEqual([{ field: 'score', problem: expect.stringContaining('22') }]);

      const done = await review(cohort.instructor.token, {
        score: 22,
        comment: 'Solid measurements.',
        rubric: full,
      });
      expect(done.status).toBe(200);
      expect(done.body).toMatchObject({
        status: 'passed',
        score: 22,
        maxScore: 30,
        finishedAt: expect.any(String),
        review: { reviewerId: cohort.instructor.id, comment: 'Solid measurements.', rubric: full },
      });
      expect((await review(cohort.instructor.token, { score: 22, rubric: full })).body.error).toBe(
        'not_pending_review',
      );
      expect(
        await api.prisma.taskProgress.findFirstOrThrow({
          where: { userId: student.id, taskSlug: TASKS.review },
        }),
      ).toMatchObject({ status: 'passed', points: 22 });
      const gradedEvents = (await events(cohort.id, 'submission.graded')).map((event) => event.payload);
      expect(gradedEvents).toEqual([
        expect.objectContaining({ submissionId: id, status: 'pending_review' }),
        expect.objectContaining({ submissionId: id, status: 'passed', score: 22 }),
      ]);
      expect(await api.prisma.auditLog.count({ where: { action: 'submission.review', targetId: id } })).toBe(
        1,
      );
    });

    it("a quiz's written items: multiple choice scored at once, the review adds the written points", async () => {
      const cohort = await createGradingCohort(api, { students: 1 });
      const student = cohort.students[0]!;
      const quiz = (await api.prisma.curriculumTask.findFirstOrThrow({
        where: { versionId: cohort.versionId, slug: TASKS.writtenQuiz },
        select: { quiz: true, maxPoints: true },
      })) as {
        quiz: { id: string; kind: string; answerIndex?: number; points: number }[];
        maxPoints: number;
      };
      const answers = Object.fromEntries(
        quiz.quiz.map((item) => [
          item.id,
          item.kind === 'written' ? 'Because each namespace has its own stack.' : item.answerIndex!,
        ]),
      );
      const id = await submitted(student.token, { taskId: TASKS.writtenQuiz, answer: { answers } });
      await waitUntilGraded(api.prisma, [id]);
      const pending = await api.request('GET', `/api/v1/submissions/${id}`, { token: student.token });
      const choice = quiz.quiz.filter((item) => item.kind !== 'written');
      const written = quiz.quiz.filter((item) => item.kind === 'written');
      expect(pending.body).toMatchObject({
        status: 'pending_review',
        score: choice.reduce((sum, item) => sum + item.points, 0),
      });
      expect(pending.body.checks.filter((check: { skipped: boolean }) => check.skipped)).toHaveLength(
        written.length,
      );

      const rubric = written.map((item) => ({ id: item.id, points: item.points }));
      const total = rubric.reduce((sum, line) => sum + line.points, 0);
      const done = await api.request('POST', `/api/v1/submissions/${id}/review`, {
        token: cohort.instructor.token,
        body: { score: total, rubric },
      });
      expect(done.status).toBe(200);
      expect(done.body).toMatchObject({ status: 'passed', score: quiz.maxPoints, maxScore: quiz.maxPoints });
    });

    it('409 not_pending_review for a submission that is not waiting for a review', async () => {
      const cohort = await createGradingCohort(api, { students: 1 });
      const id = await submitted(cohort.students[0]!.token, { taskId: TASKS.selfCheck });
      await waitUntilGraded(api.prisma, [id]);
      const res = await api.request('POST', `/api/v1/submissions/${id}/review`, {
        token: cohort.instructor.token,
        body: { score: 1, rubric: [] },
      });
      expect(res.status).toBe(409);
      expect(res.body.error).toBe('not_pending_review');
    });
  });

  describe('delivery: relay, redelivery, lost jobs', () => {
    let cohort: GradingCohort;
    beforeAll(async () => {
      cohort = await createGradingCohort(api, { students: 30 });
    });

    const gradedEventsOf = async (id: string) =>
      (await events(cohort.id, 'submission.graded')).filter(
        (event) => (event.payload as { submissionId: string }).submissionId === id,
      );

    it('NOTIFY wakes the relay: each submission is graded long before the fallback poll (10 s) would run', async () => {
      for (const student of cohort.students.slice(0, 5)) {
        const started = Date.now();
        const id = await submitted(student.token, { taskId: TASKS.selfCheck });
        await waitUntilGraded(api.prisma, [id], 5000);
        expect(Date.now() - started).toBeLessThan(3000);
      }
    });

    it('the fallback poll picks up a row committed without NOTIFY', async () => {
      const relay = new OutboxRelay(api.app.get(SqlClient), worker.get(JobQueue), {
        ...relayOptions(),
        relayPollMs: 200,
      });
      const student = cohort.students[5]!;
      relay.start();
      try {
        await new Promise((resolve) => setTimeout(resolve, 300)); // past its first drain at start
        const id = await insertQueued(student, { notify: false });
        await waitUntilGraded(api.prisma, [id], 5000);
      } finally {
        await relay.stop();
      }
    });

    it('relays running side by side hand every row to the queue exactly once (FOR UPDATE SKIP LOCKED)', async () => {
      const keys = Array.from({ length: 400 }, () => randomUUID());
      await api.prisma.outboxMessage.createMany({
        data: keys.map((key) => ({
          topic: 'grading.grade-submission',
          key,
          payload: {
            submissionId: key,
            userId: key,
            cohortId: key,
            taskId: TASKS.selfCheck,
            environment: false,
          },
        })),
      });
      const relays = [1, 2, 3].map(
        () => new OutboxRelay(api.app.get(SqlClient), worker.get(JobQueue), relayOptions()),
      );
      await Promise.all(
        relays.map(async (relay) => {
          while ((await relay.drainOnce()) > 0);
        }),
      );
      const rows = await api.prisma.outboxMessage.findMany({
        where: { key: { in: keys } },
        select: { attempts: true, processedAt: true },
      });
      expect(rows).toHaveLength(400);
      expect(rows.every((row) => row.attempts === 1 && row.processedAt !== null)).toBe(true);
      const queue = worker.get(JobQueue).queue('grading');
      const jobs = await Promise.all(keys.map((key) => queue.getJob(key)));
      expect(jobs.every((job) => job?.name === 'grading.grade-submission')).toBe(true);
    });

    it('a job delivered again for a finished submission is a no-op; a stale attempt cannot write', async () => {
      const student = cohort.students[6]!;
      const id = await submitted(student.token, { taskId: TASKS.quiz, answer: { answers: QUIZ_RIGHT } });
      await waitUntilGraded(api.prisma, [id]);
      const job = await worker
        .get(JobQueue)
        .queue('grading')
        .add('grading.grade-submission', { submissionId: id, environment: false }, { jobId: `again-${id}` });
      await waitFor('the second delivery', async () => (await job.getState()) === 'completed', 10_000);
      expect((await worker.get(JobQueue).queue('grading').getJob(job.id!))?.returnvalue).toEqual({
        kind: 'skipped',
        reason: 'finished',
      });
      const results = worker.get(SubmissionResults);
      const written = await results.record(
        { id, cohortId: cohort.id, userId: student.id, taskSlug: TASKS.quiz },
        1,
        { status: 'failed', score: 0, maxScore: 10, graderId: null, error: null, checks: [] },
      );
      expect(written).toBe(false);
      expect(await gradedEventsOf(id)).toHaveLength(1);
      expect(await api.prisma.checkResult.count({ where: { submissionId: id } })).toBe(5);
      expect(
        await api.prisma.taskProgress.findFirstOrThrow({
          where: { userId: student.id, taskSlug: TASKS.quiz },
        }),
      ).toMatchObject({ attempts: 1, status: 'passed' });
    });

    it('two attempts of one submission in one group-committed batch: the latest is written, once', async () => {
      const [student, other] = [cohort.students[9]!, cohort.students[10]!];
      const running = async (who: typeof student, attempts: number) =>
        (
          await api.prisma.submission.create({
            data: {
              cohortId: cohort.id,
              userId: who.id,
              enrollmentId: who.enrollmentId,
              taskSlug: TASKS.selfCheck,
              activeKey: `${who.id}:${TASKS.selfCheck}`,
              status: 'running',
              attempts,
              maxScore: 5,
            },
          })
        ).id;
      const [id, blockerId] = [await running(student, 2), await running(other, 1)];
      const results = worker.get(SubmissionResults);
      const outcome = (score: number): FinishedGrading => ({
        status: 'passed',
        score,
        maxScore: 5,
        graderId: null,
        error: null,
        checks: [],
      });
      const submission = (userId: string, submissionId: string) => ({
        id: submissionId,
        cohortId: cohort.id,
        userId,
        taskSlug: TASKS.selfCheck,
      });
      // The first write runs alone; the two that arrive meanwhile share the next batch, the stale
      // attempt (1) after the current one (2).
      const writes = [
        results.record(submission(other.id, blockerId), 1, outcome(5)),
        results.record(submission(student.id, id), 2, outcome(5)),
        results.record(submission(student.id, id), 1, outcome(4)),
      ];
      expect(await Promise.all(writes)).toEqual([true, true, false]);
      expect(await api.prisma.submission.findUniqueOrThrow({ where: { id } })).toMatchObject({
        status: 'passed',
        score: 5,
        activeKey: null,
      });
      expect(await gradedEventsOf(id)).toHaveLength(1);
      expect(
        await api.prisma.taskProgress.findFirstOrThrow({
          where: { userId: student.id, taskSlug: TASKS.selfCheck },
        }),
      ).toMatchObject({ attempts: 1, status: 'passed' });
    });

    it('a submission whose job the queue lost is delivered again by the reconciler, and graded once', async () => {
      const student = cohort.students[7]!;
      const id = await insertQueued(student, { lostJob: true });
      await waitUntilGraded(api.prisma, [id], 15_000);
      expect(await gradedEventsOf(id)).toHaveLength(1);
      expect(await api.prisma.outboxMessage.findFirst({ where: { key: id } })).toMatchObject({ attempts: 2 });
    });

    it(`after ${MAX_DELIVERIES} lost deliveries the submission ends in error instead of looping`, async () => {
      const student = cohort.students[8]!;
      const id = await insertQueued(student, { lostJob: true, deliveries: MAX_DELIVERIES });
      const graded = await waitUntilGraded(api.prisma, [id], 15_000);
      expect(graded.get(id)).toMatchObject({
        status: 'error',
        error: expect.stringContaining('interrupted'),
      });
      expect(await gradedEventsOf(id)).toHaveLength(1);
    });

    /** A queued self-check submission written straight to the database, as the api would (or as Redis lost it). */
    async function insertQueued(
      student: { id: string; enrollmentId: string },
      options: { notify?: boolean; lostJob?: boolean; deliveries?: number },
    ): Promise<string> {
      const longAgo = new Date(Date.now() - 3600_000);
      const id = await queuedRow(
        cohort.id,
        student,
        TASKS.selfCheck,
        5,
        options.lostJob ? longAgo : undefined,
      );
      await api.prisma.outboxMessage.create({
        data: {
          topic: 'grading.grade-submission',
          key: id,
          payload: {
            submissionId: id,
            userId: student.id,
            cohortId: cohort.id,
            taskId: TASKS.selfCheck,
            environment: false,
          },
          ...(options.lostJob ? { processedAt: longAgo, attempts: options.deliveries ?? 1 } : {}),
        },
      });
      if (options.notify) await api.prisma.$executeRaw`SELECT pg_notify('kc_outbox', '')`;
      return id;
    }

    function relayOptions() {
      return {
        databaseUrl: db.url,
        concurrencyPerHostCluster: 1,
        slotLeaseMs: 30_000,
        slotRetryMs: 500,
        maxAttempts: 3,
        retryBaseMs: 100,
        relayPollMs: 60_000,
        reconcileIntervalMs: 60_000,
        reconcileAfterMs: 60_000,
      };
    }
  });

  describe('production environment access', () => {
    it('reaches the workbench through libs/environments (exec through the host cluster); no cluster probe yet', async () => {
      // A worker as deployed (no test graders), serving no queue here: only its bindings are used.
      const production = await NestFactory.createApplicationContext(
        WorkerModule.forRoot(
          WorkerConfig.load({
            ...testWorkerEnv(db.url, { REDIS_PREFIX: `${prefix}:production` }),
            GRADING_TEST_GRADERS: 'false',
            WORKER_QUEUES: 'maintenance',
          }),
        ),
        { logger: false },
      );
      try {
        const cluster = await createHostCluster(api.prisma);
        const cohort = await createGradingCohort(api, {
          students: 1,
          environment: () => ({ hostClusterId: cluster }),
        });
        const student = cohort.students[0]!;
        const targets = production.get(GradingTargets).open(
          {
            submissionId: randomUUID(),
            userId: student.id,
            cohortId: cohort.id,
            taskId: 'phase-1-veth-pair',
          },
          await studentEnvironment(production.get(SqlClient), student.id),
        );
        expect(targets.cluster).toBeUndefined();
        // The host cluster's credentials are test junk: the exec transport fails as an infrastructure error (retried).
        const failure = await targets.workbench!.run(['true']).catch((error: unknown) => error);
        expect(isInfrastructureError(failure)).toBe(true);
      } finally {
        await production.close();
      }
    });
  });
});
