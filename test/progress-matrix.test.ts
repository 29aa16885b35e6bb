import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { staffedCohorts, type Principal } from '@kubecohort/auth';
import { matrixCell, type ProgressMatrixPage } from '@kubecohort/contracts';
import { SqlClient } from '@kubecohort/database';
import { ProgressMatrixCache } from '@kubecohort/progress';
import { ApiHarness, type TestUser } from './support/api-harness.js';
import {
  attempt,
  createProgressCohort,
  enrollStudent,
  type EnrolledStudent,
  type ProgressCohort,
  recorder,
} from './support/progress-fixtures.js';

describe('GET /cohorts/:id/progress (the matrix)', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await ApiHarness.start();
  });
  afterAll(() => api.stop());

  const matrix = (cohortId: string, token: string, query = '', headers: Record<string, string> = {}) =>
    api.request('GET', `/api/v1/cohorts/${cohortId}/progress${query}`, { token, headers });

  /** Students enrolled one millisecond apart, so their order is known. */
  async function students(cohort: ProgressCohort, count: number): Promise<EnrolledStudent[]> {
    const base = Date.now() - 60_000;
    const list: EnrolledStudent[] = [];
    for (let index = 0; index < count; index += 1) {
      list.push(
        await enrollStudent(api, cohort, {
          enrolledAt: new Date(base + index),
          displayName: `Student ${index}`,
        }),
      );
    }
    return list;
  }

  it('sends task ids and students once, then one status code, attempts, points and time per cell', async () => {
    const cohort = await createProgressCohort(api, { unlocked: [1, 2] });
    const [ada, bob, cy] = await students(cohort, 3);
    const quiz = cohort.tasks.find((task) => task.step === 1 && task.completion === 'quiz')!;
    const lab = cohort.tasks.find((task) => task.id === 'lab-1-basic-connectivity')!;
    await recorder(api).recordAttempt(attempt(cohort, ada!, quiz, 'failed', { points: 4 }));
    await recorder(api).recordAttempt(attempt(cohort, ada!, quiz, 'passed', { points: 8 }));
    await recorder(api).recordAttempt(attempt(cohort, bob!, lab, 'pending_review', { points: 5 }));

    const res = await matrix(cohort.id, cohort.instructor.token);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const page = res.body as ProgressMatrixPage;
    expect(page).toEqual(
      expect.objectContaining({
        cohortId: cohort.id,
        version: cohort.version,
        revision: expect.stringMatching(/^\d+$/),
        nextCursor: null,
      }),
    );
    expect(page.tasks).toEqual(
      cohort.tasks.map((task) => ({ id: task.id, step: task.step, maxPoints: task.maxPoints })),
    );
    expect(page.students).toEqual([
      { userId: ada!.id, displayName: 'Student 0', currentStep: 2 },
      { userId: bob!.id, displayName: 'Student 1', currentStep: 1 },
      { userId: cy!.id, displayName: 'Student 2', currentStep: 1 },
    ]);
    expect(page.cells).toHaveLength(3);
    for (const row of page.cells) expect(row).toHaveLength(cohort.tasks.length);
    const column = (taskId: string) => page.tasks.findIndex((task) => task.id === taskId);
    expect(matrixCell(page, 0, column(quiz.id))).toEqual(
      expect.objectContaining({
        userId: ada!.id,
        taskId: quiz.id,
        status: 'passed',
        attempts: 2,
        points: 8,
        updatedAt: expect.any(Number),
      }),
    );
    expect(Math.abs(page.updatedAt[0]![column(quiz.id)]! - Date.now() / 1000)).toBeLessThan(120);
    expect(matrixCell(page, 1, column(lab.id))).toEqual(
      expect.objectContaining({ status: 'pending_review', attempts: 1, points: 5 }),
    );
    // Untouched cells are derived from the plan: steps 1–2 unlocked, the rest locked.
    const step2Task = cohort.tasks.find((task) => task.step === 2)!;
    expect(matrixCell(page, 2, column(step2Task.id))).toEqual(
      expect.objectContaining({ status: 'available', attempts: 0, points: 0, updatedAt: null }),
    );
    expect(page.cells[2]).toBe(cohort.tasks.map((task) => (task.step <= 2 ? 'A' : 'L')).join(''));
  });

  it('pages by student with a cursor and validates limit and cursor', async () => {
    const cohort = await createProgressCohort(api);
    const enrolled = await students(cohort, 5);
    await api.prisma.enrollment.update({
      where: { id: enrolled[2]!.enrollmentId },
      data: { status: 'unenrolled', activeUserId: null },
    });
    const token = cohort.instructor.token;
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await matrix(
        cohort.id,
        token,
        `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(res.status).toBe(200);
      seen.push(...res.body.students.map((student: { userId: string }) => student.userId));
      expect(res.body.cells).toHaveLength(res.body.students.length);
      cursor = res.body.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(2);
    // Unenrolled students are not in the matrix.
    expect(seen).toEqual([enrolled[0]!.id, enrolled[1]!.id, enrolled[3]!.id, enrolled[4]!.id]);
    expect((await matrix(cohort.id, token)).body.students).toHaveLength(4); // default limit 100

    for (const query of ['?limit=0', '?limit=201', '?limit=abc']) {
      const res = await matrix(cohort.id, token, query);
      expect(res.status).toBe(400);
      expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'limit' })]));
    }
    const badCursor = await matrix(cohort.id, token, '?cursor=not-a-cursor');
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.details).toEqual([{ field: 'cursor', problem: expect.any(String) }]);
    expect((await matrix(cohort.id, token, '?sort=name')).status).toBe(400);
  });

  it('is staff only, scoped in the query: students, other instructors and unknown cohorts get 404', async () => {
    const cohort = await createProgressCohort(api);
    const [student] = await students(cohort, 1);
    const other = await createProgressCohort(api);
    const admin = await api.createUser('admin');
    const reader = await api.createServiceToken(['read-cohorts']);
    const unscoped = await api.createServiceToken(['join-students']);
    expect((await matrix(cohort.id, student!.token)).status).toBe(404);
    expect((await matrix(cohort.id, other.instructor.token)).status).toBe(404);
    expect((await matrix('00000000-0000-7000-8000-000000000000', admin.token)).status).toBe(404);
    expect((await matrix(cohort.id, admin.token)).status).toBe(200);
    expect((await matrix(cohort.id, reader.token)).status).toBe(200);
    expect((await matrix(cohort.id, unscoped.token)).status).toBe(403);
    expect((await api.request('GET', `/api/v1/cohorts/${cohort.id}/progress`)).status).toBe(401);
    expect((await matrix('nope', admin.token)).status).toBe(400);
    await api.prisma.cohort.update({ where: { id: other.id }, data: { deletedAt: new Date() } });
    expect((await matrix(other.id, admin.token)).status).toBe(404);

    // The hot path's SQL scope agrees with staffedCohorts() for every kind of caller.
    const callers: [TestUser | EnrolledStudent, Principal][] = [
      [admin, { kind: 'user', userId: admin.id, role: 'admin' }],
      [cohort.instructor, { kind: 'user', userId: cohort.instructor.id, role: 'instructor' }],
      [other.instructor, { kind: 'user', userId: other.instructor.id, role: 'instructor' }],
      [student!, { kind: 'user', userId: student!.id, role: 'student' }],
    ];
    for (const target of [cohort.id, other.id]) {
      for (const [user, principal] of callers) {
        const visible =
          (await api.prisma.cohort.count({ where: { AND: [{ id: target }, staffedCohorts(principal)] } })) ===
          1;
        expect([user.id, target, (await matrix(target, user.token)).status]).toEqual([
          user.id,
          target,
          visible ? 200 : 404,
        ]);
      }
    }
  });

  it('never serves a stale page: the next read after any recorded change shows it', async () => {
    const cohort = await createProgressCohort(api, { unlocked: [1] });
    const [student] = await students(cohort, 2);
    const token = cohort.instructor.token;
    const quiz = cohort.tasks.find((task) => task.step === 1 && task.completion === 'quiz')!;
    const lab = cohort.tasks.find((task) => task.step === 2 && task.gradeable)!;
    const column = (page: ProgressMatrixPage, id: string) => page.tasks.findIndex((task) => task.id === id);

    const first = await matrix(cohort.id, token);
    expect(first.headers.get('x-cache')).toBe('built');
    const again = await matrix(cohort.id, token);
    expect(again.headers.get('x-cache')).toBe('memory');
    expect(again.text).toBe(first.text);
    const etag = first.headers.get('etag')!;
    // (fetch adds Cache-Control: no-cache to conditional requests unless told otherwise)
    const revalidate = { 'if-none-match': etag, 'cache-control': 'max-age=0' };
    expect((await matrix(cohort.id, token, '', revalidate)).status).toBe(304);

    // 1. A graded attempt through the use case.
    await recorder(api).recordAttempt(attempt(cohort, student!, quiz, 'failed', { points: 3 }));
    const afterAttempt = await matrix(cohort.id, token, '', revalidate);
    expect(afterAttempt.status).toBe(200);
    // Produced from the previous version and the one student the event names.
    expect(afterAttempt.headers.get('x-cache')).toBe('patched');
    expect(matrixCell(afterAttempt.body, 0, column(afterAttempt.body, quiz.id))).toEqual(
      expect.objectContaining({ status: 'failed', attempts: 1, points: 3 }),
    );
    expect(BigInt(afterAttempt.body.revision)).toBeGreaterThan(BigInt(first.body.revision));

    // 2. Many attempts in a row, each read right after its write.
    for (let attemptNumber = 2; attemptNumber <= 6; attemptNumber += 1) {
      await recorder(api).recordAttempt(
        attempt(cohort, student!, quiz, 'failed', { points: 1, failedCheckIds: [`check-${attemptNumber}`] }),
      );
      const page = (await matrix(cohort.id, token)).body as ProgressMatrixPage;
      expect(page.attempts[0]![column(page, quiz.id)]).toBe(attemptNumber);
    }

    // 3. An instructor override through the api.
    const override = await api.request(
      'PUT',
      `/api/v1/cohorts/${cohort.id}/students/${student!.id}/tasks/${quiz.id}`,
      {
        token,
        body: { status: 'passed', points: quiz.maxPoints, reason: 'oral exam' },
      },
    );
    expect(override.status).toBe(200);
    const afterOverride = (await matrix(cohort.id, token)).body as ProgressMatrixPage;
    expect(matrixCell(afterOverride, 0, column(afterOverride, quiz.id))).toEqual(
      expect.objectContaining({ status: 'passed', points: quiz.maxPoints }),
    );
    expect(afterOverride.students[0]!.currentStep).toBe(2);

    // 4. A plan change: derived cells follow the lock.
    expect(matrixCell(afterOverride, 1, column(afterOverride, lab.id)).status).toBe('locked');
    await api.request('PUT', `/api/v1/cohorts/${cohort.id}/plan/steps/2`, { token, body: { locked: false } });
    const unlockRead = await matrix(cohort.id, token);
    expect(unlockRead.headers.get('x-cache')).toBe('built');
    const afterUnlock = unlockRead.body as ProgressMatrixPage;
    expect(matrixCell(afterUnlock, 1, column(afterUnlock, lab.id)).status).toBe('available');

    // 5. A student starting a task.
    await api.request('POST', `/api/v1/me/tasks/${lab.id}/start`, { token: student!.token });
    const afterStart = (await matrix(cohort.id, token)).body as ProgressMatrixPage;
    expect(matrixCell(afterStart, 0, column(afterStart, lab.id)).status).toBe('in_progress');

    // 6. A scheduled unlock passing (no event) changes the key too.
    const step3 = cohort.tasks.find((task) => task.step === 3)!;
    await api.prisma.cohortStep.update({
      where: { cohortId_stepNumber: { cohortId: cohort.id, stepNumber: 3 } },
      data: { unlocksAt: new Date(Date.now() - 1000) },
    });
    const afterSchedule = (await matrix(cohort.id, token)).body as ProgressMatrixPage;
    expect(matrixCell(afterSchedule, 1, column(afterSchedule, step3.id)).status).toBe('available');

    const stats = api.app.get(ProgressMatrixCache).stats();
    expect(stats.requests).toBeGreaterThan(0);
    expect(stats.memoryHits).toBeGreaterThan(0);
  });

  it('patches pages exactly: the same cells as a page built from scratch', async () => {
    const cohort = await createProgressCohort(api, { unlocked: [1, 2, 3] });
    const enrolled = await students(cohort, 4);
    const token = cohort.instructor.token;
    const gradeable = cohort.tasks.filter((task) => task.gradeable && task.step <= 3);
    await matrix(cohort.id, token, '?limit=3');
    let round = 0;
    for (const task of gradeable.slice(0, 8)) {
      const student = enrolled[round % 4]!;
      round += 1;
      await recorder(api).recordAttempt(
        attempt(cohort, student, task, round % 3 === 0 ? 'failed' : 'passed', {
          points: round % 3 === 0 ? 1 : undefined,
        }),
      );
      const patched = await matrix(cohort.id, token, '?limit=3');
      expect(['patched', 'built']).toContain(patched.headers.get('x-cache'));
    }
    const patched = (await matrix(cohort.id, token, '?limit=3')).body as ProgressMatrixPage;
    // Another page size is another key: built from scratch now.
    const fresh = await matrix(cohort.id, token, '?limit=4');
    expect(fresh.headers.get('x-cache')).toBe('built');
    const built = fresh.body as ProgressMatrixPage;
    expect(patched.revision).toBe(built.revision);
    for (const part of ['students', 'cells', 'attempts', 'points', 'updatedAt'] as const) {
      expect(patched[part]).toEqual(built[part].slice(0, 3));
    }
    expect(patched.students.map((student) => student.currentStep)).not.toEqual([1, 1, 1]);
  });

  it('stays fresh under concurrent reads: every read sent after a write returns shows it', async () => {
    const cohort = await createProgressCohort(api, { unlocked: [1] });
    const [student] = await students(cohort, 1);
    const quiz = cohort.tasks.find((task) => task.step === 1 && task.completion === 'quiz')!;
    const token = cohort.instructor.token;
    let stop = false;
    // Readers that keep a read in flight at all times, so later reads meet running ones.
    const background = Array.from({ length: 6 }, async () => {
      while (!stop) await matrix(cohort.id, token);
    });
    for (let attemptNumber = 1; attemptNumber <= 5; attemptNumber += 1) {
      await recorder(api).recordAttempt(
        attempt(cohort, student!, quiz, 'failed', { failedCheckIds: [`c${attemptNumber}`] }),
      );
      const pages = await Promise.all(Array.from({ length: 8 }, () => matrix(cohort.id, token)));
      for (const res of pages) {
        const page = res.body as ProgressMatrixPage;
        expect(page.attempts[0]![page.tasks.findIndex((task) => task.id === quiz.id)]).toBe(attemptNumber);
      }
    }
    stop = true;
    await Promise.all(background);
  });

  it('runs its hot path (head, then the patch of a kept page) as named statements', async () => {
    const cohort = await createProgressCohort(api, { unlocked: [1] });
    const [student] = await students(cohort, 1);
    const quiz = cohort.tasks.find((task) => task.step === 1 && task.completion === 'quiz')!;
    const query = jest.spyOn(api.app.get(SqlClient), 'query');
    try {
      expect((await matrix(cohort.id, cohort.instructor.token)).status).toBe(200);
      await recorder(api).recordAttempt(attempt(cohort, student!, quiz, 'passed'));
      expect((await matrix(cohort.id, cohort.instructor.token)).status).toBe(200);
      expect(query.mock.calls.map(([statement]) => statement.name)).toEqual(
        expect.arrayContaining(['progress_matrix_head_v1', 'progress_matrix_changes_v1']),
      );
    } finally {
      query.mockRestore();
    }
  });

  it('serves concurrent reads of a new version from one build', async () => {
    const cohort = await createProgressCohort(api, { unlocked: [1] });
    const [student] = await students(cohort, 3);
    const quiz = cohort.tasks.find((task) => task.step === 1 && task.completion === 'quiz')!;
    await recorder(api).recordAttempt(attempt(cohort, student!, quiz, 'passed'));
    const cache = api.app.get(ProgressMatrixCache);
    const before = cache.stats();
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => matrix(cohort.id, cohort.instructor.token)),
    );
    const after = cache.stats();
    expect(responses.every((res) => res.status === 200 && res.text === responses[0]!.text)).toBe(true);
    expect(after.builds + after.patches - before.builds - before.patches).toBe(1);
    expect(after.requests - before.requests).toBe(8);
  });
});
