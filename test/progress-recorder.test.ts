import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DomainError } from '@kubecohort/contracts';
import { prismaSql } from '@kubecohort/database';
import { Transactions } from '@kubecohort/realtime';
import { ApiHarness } from './support/api-harness.js';
import {
  attempt,
  cohortEvents,
  createProgressCohort,
  enrollStudent,
  type FixtureTask,
  type ProgressCohort,
  recorder,
} from './support/progress-fixtures.js';

describe('ProgressRecorder.recordAttempt', () => {
  let api: ApiHarness;
  let cohort: ProgressCohort;
  let grader: FixtureTask;

  beforeAll(async () => {
    api = await ApiHarness.start();
    cohort = await createProgressCohort(api, { unlocked: [1, 2, 3, 4] });
    grader = cohort.tasks.find((task) => task.id === 'lab-3-network-policy')!;
  });
  afterAll(() => api.stop());

  const row = (enrollmentId: string, taskSlug: string) =>
    api.prisma.taskProgress.findUniqueOrThrow({
      where: { enrollmentId_taskSlug: { enrollmentId, taskSlug } },
    });

  it("keeps the best attempt's points, counts attempts, and a passed task stays passed", async () => {
    const student = await enrollStudent(api, cohort);
    const first = await recorder(api).recordAttempt(
      attempt(cohort, student, grader, 'failed', { points: 6 }),
    );
    expect(first).toEqual(
      expect.objectContaining({ status: 'failed', attempts: 1, points: 6, maxPoints: grader.maxPoints }),
    );
    const second = await recorder(api).recordAttempt(
      attempt(cohort, student, grader, 'failed', { points: 3 }),
    );
    expect(second).toEqual(expect.objectContaining({ status: 'failed', attempts: 2, points: 6 }));
    const pass = await recorder(api).recordAttempt(
      attempt(cohort, student, grader, 'passed', { points: 18 }),
    );
    expect(pass).toEqual(expect.objectContaining({ status: 'passed', attempts: 3, points: 18 }));
    const after = await recorder(api).recordAttempt(
      attempt(cohort, student, grader, 'failed', { points: 20 }),
    );
    expect(after).toEqual(expect.objectContaining({ status: 'passed', attempts: 4, points: 20 }));

    const stored = await row(student.enrollmentId, grader.id);
    expect(stored).toEqual(expect.objectContaining({ status: 'passed', attempts: 4, points: 20 }));
    expect(stored.completedAt).not.toBeNull();
    expect(stored.startedAt).not.toBeNull();

    const events = (await cohortEvents(api, cohort.id, 'progress.updated')).filter(
      (event) => event.subjectUserId === student.id,
    );
    expect(events.map((event) => event.payload)).toEqual([
      {
        userId: student.id,
        taskId: grader.id,
        status: 'failed',
        attempts: 1,
        points: 6,
        maxPoints: grader.maxPoints,
        reason: 'attempt',
      },
      {
        userId: student.id,
        taskId: grader.id,
        status: 'failed',
        attempts: 2,
        points: 6,
        maxPoints: grader.maxPoints,
        reason: 'attempt',
      },
      {
        userId: student.id,
        taskId: grader.id,
        status: 'passed',
        attempts: 3,
        points: 18,
        maxPoints: grader.maxPoints,
        reason: 'attempt',
      },
      {
        userId: student.id,
        taskId: grader.id,
        status: 'passed',
        attempts: 4,
        points: 20,
        maxPoints: grader.maxPoints,
        reason: 'attempt',
      },
    ]);
  });

  it('flags the student stuck when the same check fails 3 times in a row: one student.stuck event', async () => {
    const student = await enrollStudent(api, cohort);
    const record = (checks: string[]) =>
      recorder(api).recordAttempt(attempt(cohort, student, grader, 'failed', { failedCheckIds: checks }));
    expect(await record(['default-deny', 'dns-egress'])).toEqual(
      expect.objectContaining({ failStreak: 1, failStreakCheck: 'default-deny', becameStuck: false }),
    );
    expect(await record(['dns-egress', 'default-deny'])).toEqual(
      expect.objectContaining({ failStreak: 2, failStreakCheck: 'default-deny', becameStuck: false }),
    );
    expect(
      await cohortEvents(api, cohort.id, 'student.stuck').then((events) =>
        events.filter((event) => event.subjectUserId === student.id),
      ),
    ).toHaveLength(0);
    expect(await record(['default-deny'])).toEqual(
      expect.objectContaining({ failStreak: 3, becameStuck: true, status: 'failed' }),
    );
    // Still stuck: no second event for the 4th failure.
    expect(await record(['default-deny'])).toEqual(
      expect.objectContaining({ failStreak: 4, becameStuck: false }),
    );

    const stuck = (await cohortEvents(api, cohort.id, 'student.stuck')).filter(
      (event) => event.subjectUserId === student.id,
    );
    expect(stuck).toHaveLength(1);
    expect(stuck[0]!.payload).toEqual({
      userId: student.id,
      taskId: grader.id,
      step: grader.step,
      reasons: [expect.stringContaining('"default-deny"')],
    });
    const updates = (await cohortEvents(api, cohort.id, 'progress.updated')).filter(
      (event) => event.subjectUserId === student.id,
    );
    expect(updates).toHaveLength(4);
    // The stuck event was written in the same transaction as the third attempt's progress event.
    expect(stuck[0]!.id).toBe(updates[2]!.id + 1n);
  });

  it('restarts the streak when a different check fails, and ends it on a pass or a review submission', async () => {
    const student = await enrollStudent(api, cohort);
    const fail = (checks: string[]) =>
      recorder(api).recordAttempt(attempt(cohort, student, grader, 'failed', { failedCheckIds: checks }));
    await fail(['a']);
    await fail(['a']);
    expect(await fail(['b'])).toEqual(
      expect.objectContaining({ failStreak: 1, failStreakCheck: 'b', becameStuck: false }),
    );
    await fail(['b']);
    const review = await recorder(api).recordAttempt(attempt(cohort, student, grader, 'pending_review'));
    expect(review).toEqual(
      expect.objectContaining({ status: 'pending_review', failStreak: 0, failStreakCheck: null }),
    );
    expect(await fail(['b'])).toEqual(expect.objectContaining({ failStreak: 1 }));
    const quiz = cohort.tasks.find((task) => task.completion === 'quiz' && task.step === 1)!;
    // A failed attempt without check ids counts against the task as a whole.
    const whole = await recorder(api).recordAttempt(
      attempt(cohort, student, quiz, 'failed', { failedCheckIds: [] }),
    );
    expect(whole).toEqual(expect.objectContaining({ failStreak: 1, failStreakCheck: '*' }));
    expect(await fail(['b'])).toEqual(expect.objectContaining({ failStreak: 2 }));
    expect(await recorder(api).recordAttempt(attempt(cohort, student, grader, 'passed'))).toEqual(
      expect.objectContaining({ failStreak: 0, failStreakCheck: null, status: 'passed' }),
    );
    expect(
      (await cohortEvents(api, cohort.id, 'student.stuck')).filter(
        (event) => event.subjectUserId === student.id,
      ),
    ).toHaveLength(0);
  });

  it("advances the student's current step once every gradeable task of it is passed (self-checks never block)", async () => {
    const student = await enrollStudent(api, cohort);
    const gradeable = (step: number) => cohort.tasks.filter((task) => task.step === step && task.gradeable);
    const selfCheck = cohort.tasks.find((task) => task.step === 1 && !task.gradeable)!;
    expect(selfCheck).toBeDefined();
    const before = await api.prisma.enrollment.findUniqueOrThrow({ where: { id: student.enrollmentId } });

    // Working ahead: step 3 done first does not move a student who is on step 1.
    for (const task of gradeable(3))
      await recorder(api).recordAttempt(attempt(cohort, student, task, 'passed'));
    expect(
      (await api.prisma.enrollment.findUniqueOrThrow({ where: { id: student.enrollmentId } })).currentStep,
    ).toBe(1);

    const [quiz] = gradeable(1);
    const pending = await recorder(api).recordAttempt(attempt(cohort, student, quiz!, 'pending_review'));
    expect(pending.currentStep).toBe(1); // awaiting review is not done
    const passed = await recorder(api).recordAttempt(attempt(cohort, student, quiz!, 'passed'));
    expect(passed.currentStep).toBe(2);
    const moved = await api.prisma.enrollment.findUniqueOrThrow({ where: { id: student.enrollmentId } });
    expect(moved.currentStep).toBe(2);
    expect(moved.stepStartedAt.getTime()).toBeGreaterThan(before.stepStartedAt.getTime());

    const step2 = gradeable(2);
    for (const task of step2.slice(0, -1)) {
      expect((await recorder(api).recordAttempt(attempt(cohort, student, task, 'passed'))).currentStep).toBe(
        2,
      );
    }
    // The last task of step 2 completes it, and step 3 was already done: straight to step 4.
    expect(
      (await recorder(api).recordAttempt(attempt(cohort, student, step2.at(-1)!, 'passed'))).currentStep,
    ).toBe(4);
  });

  it('records a batch of attempts in one pass: several students, several tasks of one, unknown tasks skipped', async () => {
    const [one, two] = [await enrollStudent(api, cohort), await enrollStudent(api, cohort)];
    const [quiz] = cohort.tasks.filter((task) => task.step === 1 && task.gradeable);
    const transactions = api.app.get(Transactions);
    const results = await transactions.run(async (tx, emit) => {
      const sql = prismaSql(tx);
      const lock = (student: typeof one) => recorder(api).lockActiveEnrollment(sql, cohort.id, student.id);
      const [first, second] = [(await lock(one))!, (await lock(two))!];
      return recorder(api).recordAttempts(
        [
          { input: attempt(cohort, one, grader, 'failed', { points: 4 }), enrollment: first },
          { input: attempt(cohort, two, grader, 'failed', { points: 2 }), enrollment: second },
          { input: { ...attempt(cohort, one, grader, 'failed'), taskId: 'no-such-task' }, enrollment: first },
          // The same student's task again, then the task that completes step 1, in the same batch.
          { input: attempt(cohort, one, grader, 'passed', { points: 20 }), enrollment: first },
          { input: attempt(cohort, one, quiz!, 'passed'), enrollment: first },
        ],
        { sql, emit },
      );
    });
    expect(results[0]).toEqual(expect.objectContaining({ status: 'failed', attempts: 1, points: 4 }));
    expect(results[1]).toEqual(expect.objectContaining({ status: 'failed', attempts: 1, points: 2 }));
    expect(results[2]).toBeInstanceOf(DomainError);
    expect(results[3]).toEqual(expect.objectContaining({ status: 'passed', attempts: 2, points: 20 }));
    expect(results[4]).toEqual(expect.objectContaining({ status: 'passed', attempts: 1, currentStep: 2 }));
    expect(await row(one.enrollmentId, grader.id)).toEqual(
      expect.objectContaining({ status: 'passed', attempts: 2, points: 20 }),
    );
    expect(await row(two.enrollmentId, grader.id)).toEqual(
      expect.objectContaining({ status: 'failed', attempts: 1, points: 2 }),
    );
    const enrollments = await api.prisma.enrollment.findMany({
      where: { id: { in: [one.enrollmentId, two.enrollmentId] } },
    });
    expect(Object.fromEntries(enrollments.map((row) => [row.id, row.currentStep]))).toEqual({
      [one.enrollmentId]: 2,
      [two.enrollmentId]: 1,
    });
    const events = (await cohortEvents(api, cohort.id, 'progress.updated')).filter(
      (event) => event.subjectUserId === one.id || event.subjectUserId === two.id,
    );
    expect(events).toHaveLength(4);
  });

  it("takes part in the caller's transaction: rolled back with it, events and all", async () => {
    const student = await enrollStudent(api, cohort);
    const transactions = api.app.get(Transactions);
    await expect(
      transactions.run(async (tx, emit) => {
        await recorder(api).recordAttempt(attempt(cohort, student, grader, 'failed'), {
          sql: prismaSql(tx),
          emit,
        });
        throw new Error('grading pipeline failed after recording');
      }),
    ).rejects.toThrow('grading pipeline failed');
    expect(await api.prisma.taskProgress.count({ where: { enrollmentId: student.enrollmentId } })).toBe(0);
    expect(
      (await cohortEvents(api, cohort.id, 'progress.updated')).filter(
        (event) => event.subjectUserId === student.id,
      ),
    ).toHaveLength(0);

    const result = await transactions.run(async (tx, emit) => {
      await tx.submission.create({
        data: {
          cohortId: cohort.id,
          userId: student.id,
          enrollmentId: student.enrollmentId,
          taskSlug: grader.id,
          status: 'passed',
          score: 20,
          maxScore: 20,
        },
      });
      return recorder(api).recordAttempt(attempt(cohort, student, grader, 'passed', { points: 20 }), {
        sql: prismaSql(tx),
        emit,
      });
    });
    expect(result).toEqual(expect.objectContaining({ status: 'passed', attempts: 1, points: 20 }));
    expect(
      (await cohortEvents(api, cohort.id, 'progress.updated')).filter(
        (event) => event.subjectUserId === student.id,
      ),
    ).toHaveLength(1);
  });

  it('rejects invalid attempts, unknown tasks and students who are not enrolled', async () => {
    const student = await enrollStudent(api, cohort);
    const outsider = await api.createUser('student');
    const invalid = await recorder(api)
      .recordAttempt({
        ...attempt(cohort, student, grader, 'failed'),
        points: grader.maxPoints + 1,
        outcome: 'maybe' as never,
        submissionId: 'x',
      })
      .catch((error: unknown) => error);
    expect(invalid).toBeInstanceOf(DomainError);
    expect((invalid as DomainError).kind).toBe('invalid');
    expect((invalid as DomainError).details.map((detail) => detail.field)).toEqual(
      expect.arrayContaining(['points', 'outcome', 'submissionId']),
    );
    const unknownTask = await recorder(api)
      .recordAttempt({ ...attempt(cohort, student, grader, 'failed'), taskId: 'no-such-task' })
      .catch((error: unknown) => error);
    expect((unknownTask as DomainError).kind).toBe('not_found');
    const notEnrolled = await recorder(api)
      .recordAttempt(attempt(cohort, outsider, grader, 'failed'))
      .catch((error: unknown) => error);
    expect((notEnrolled as DomainError).kind).toBe('not_found');
  });
});

describe('PUT /cohorts/:id/students/:userId/tasks/:taskId (override)', () => {
  let api: ApiHarness;
  let cohort: ProgressCohort;
  let task: FixtureTask;

  beforeAll(async () => {
    api = await ApiHarness.start();
    cohort = await createProgressCohort(api, { unlocked: [1, 2, 3, 4] });
    task = cohort.tasks.find((candidate) => candidate.id === 'lab-2-service-discovery')!;
  });
  afterAll(() => api.stop());

  const path = (userId: string, taskId = task.id) =>
    `/api/v1/cohorts/${cohort.id}/students/${userId}/tasks/${taskId}`;

  it('sets status and points with a reason: audited, progress.updated about the student', async () => {
    const student = await enrollStudent(api, cohort);
    await recorder(api).recordAttempt(
      attempt(cohort, student, task, 'failed', { points: 4, failedCheckIds: ['dns'] }),
    );
    await recorder(api).recordAttempt(
      attempt(cohort, student, task, 'failed', { points: 4, failedCheckIds: ['dns'] }),
    );
    const res = await api.request('PUT', path(student.id), {
      token: cohort.instructor.token,
      body: {
        status: 'passed',
        points: task.maxPoints,
        reason: 'grader bug on the dns check, verified by hand',
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(
      expect.objectContaining({ taskId: task.id, status: 'passed', points: task.maxPoints, attempts: 2 }),
    );
    const stored = await api.prisma.taskProgress.findUniqueOrThrow({
      where: { enrollmentId_taskSlug: { enrollmentId: student.enrollmentId, taskSlug: task.id } },
    });
    expect(stored).toEqual(
      expect.objectContaining({
        overrideReason: 'grader bug on the dns check, verified by hand',
        overriddenById: cohort.instructor.id,
        failStreak: 0,
      }),
    );
    const audit = await api.prisma.auditLog.findMany({
      where: { action: 'progress.override', targetId: stored.id },
    });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toEqual(expect.objectContaining({ actorId: cohort.instructor.id, cohortId: cohort.id }));
    expect(audit[0]!.metadata).toEqual({
      userId: student.id,
      taskId: task.id,
      from: { status: 'failed', points: 4 },
      to: { status: 'passed', points: task.maxPoints },
      reason: 'grader bug on the dns check, verified by hand',
    });
    const event = (await cohortEvents(api, cohort.id, 'progress.updated')).at(-1)!;
    expect(event.subjectUserId).toBe(student.id);
    expect(event.payload).toEqual(
      expect.objectContaining({ status: 'passed', reason: 'override', points: task.maxPoints }),
    );

    // Points only, on a task the student has not touched: a status is needed first.
    const other = cohort.tasks.find((candidate) => candidate.id === 'lab-1-basic-connectivity')!;
    const noStatus = await api.request('PUT', path(student.id, other.id), {
      token: cohort.instructor.token,
      body: { points: 3, reason: 'x' },
    });
    expect(noStatus.status).toBe(400);
    expect(noStatus.body.details).toEqual([expect.objectContaining({ field: 'status' })]);
    const demote = await api.request('PUT', path(student.id), {
      token: cohort.instructor.token,
      body: { status: 'failed', reason: 'plagiarism' },
    });
    expect(demote.body).toEqual(expect.objectContaining({ status: 'failed', points: task.maxPoints }));
    expect(
      (
        await api.prisma.taskProgress.findUniqueOrThrow({
          where: { enrollmentId_taskSlug: { enrollmentId: student.enrollmentId, taskSlug: task.id } },
        })
      ).completedAt,
    ).toBeNull();
  });

  it('validates the body and the task', async () => {
    const student = await enrollStudent(api, cohort);
    const token = cohort.instructor.token;
    const missing = await api.request('PUT', path(student.id), { token, body: { status: 'passed' } });
    expect(missing.status).toBe(400);
    expect(missing.body.details.map((detail: { field: string }) => detail.field)).toContain('reason');
    const wrong = await api.request('PUT', path(student.id), {
      token,
      body: { status: 'locked', points: -1, reason: 'x', colour: 1 },
    });
    expect(wrong.body.details.map((detail: { field: string }) => detail.field)).toEqual(
      expect.arrayContaining(['status', 'points', 'colour']),
    );
    const tooMany = await api.request('PUT', path(student.id), {
      token,
      body: { status: 'passed', points: task.maxPoints + 1, reason: 'x' },
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.details).toEqual([
      { field: 'points', problem: expect.stringContaining(String(task.maxPoints)) },
    ]);
    expect((await api.request('PUT', path(student.id), { token, body: { reason: 'nothing' } })).status).toBe(
      400,
    );
    expect(
      (
        await api.request('PUT', path(student.id, 'no-such-task'), {
          token,
          body: { status: 'passed', reason: 'x' },
        })
      ).status,
    ).toBe(404);
    expect(
      (
        await api.request('PUT', path(student.id, 'BAD ID'), {
          token,
          body: { status: 'passed', reason: 'x' },
        })
      ).status,
    ).toBe(400);
    expect(await api.prisma.taskProgress.count({ where: { enrollmentId: student.enrollmentId } })).toBe(0);
  });

  it('answers 404 to students, other instructors, and for students of another cohort', async () => {
    const student = await enrollStudent(api, cohort);
    const stranger = await enrollStudent(api, await createProgressCohort(api));
    const otherInstructor = await api.createUser('instructor');
    const body = { status: 'passed', reason: 'x' };
    expect((await api.request('PUT', path(student.id), { token: student.token, body })).status).toBe(404);
    expect((await api.request('PUT', path(student.id), { token: otherInstructor.token, body })).status).toBe(
      404,
    );
    expect(
      (await api.request('PUT', path(stranger.id), { token: cohort.instructor.token, body })).status,
    ).toBe(404);
    expect((await api.request('PUT', path(student.id), { body })).status).toBe(401);
    const admin = await api.createUser('admin');
    expect((await api.request('PUT', path(student.id), { token: admin.token, body })).status).toBe(200);
  });
});

describe('ProgressRecorder with a cold curriculum catalog and a small pool', () => {
  it('loads the catalog on the transaction connections it already holds: a burst does not starve the pool', async () => {
    const setup = await ApiHarness.start();
    const cohort = await createProgressCohort(setup, { unlocked: [1, 2, 3, 4] });
    const grader = cohort.tasks.find((task) => task.id === 'lab-3-network-policy')!;
    const students = await Promise.all(Array.from({ length: 6 }, () => enrollStudent(setup, cohort)));
    await setup.stop();
    // A process of its own (its catalog is empty) with two connections: six transactions at once
    // each need the catalog; loaded through a third connection, they would all wait for one.
    const small = await ApiHarness.start({ DATABASE_POOL_MAX: '2' });
    try {
      const results = await Promise.all(
        students.map((student) => recorder(small).recordAttempt(attempt(cohort, student, grader, 'failed'))),
      );
      expect(results.map((result) => result.attempts)).toEqual([1, 1, 1, 1, 1, 1]);
    } finally {
      await small.stop();
    }
  }, 60_000);
});
