import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiHarness } from './support/api-harness.js';
import {
  cohortEvents,
  createProgressCohort,
  curriculum,
  enrollStudent,
  type ProgressCohort,
} from './support/progress-fixtures.js';

const HOUR = 3600_000;

describe('curriculum and cohort plans', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await ApiHarness.start();
    await curriculum(api);
  });
  afterAll(() => api.stop());

  describe('GET /curriculum', () => {
    it('returns the latest version: steps with their tasks, phases and labs', async () => {
      const student = await api.createUser('student');
      const latest = await api.prisma.curriculumVersion.findFirstOrThrow({ orderBy: { version: 'desc' } });
      const res = await api.request('GET', '/api/v1/curriculum', { token: student.token });
      expect(res.status).toBe(200);
      expect(res.body.version).toBe(latest.version);
      expect(res.body.steps).toHaveLength(7);
      expect(res.body.steps.map((step: { number: number }) => step.number)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      const lab3 = res.body.steps[3].tasks.find((task: { id: string }) => task.id === 'lab-3-network-policy');
      expect(lab3).toEqual(
        expect.objectContaining({
          id: 'lab-3-network-policy',
          completion: 'grader',
          gradeable: true,
          maxPoints: expect.any(Number),
          title: expect.any(String),
        }),
      );
      expect(res.body.phases.length).toBeGreaterThan(0);
      expect(res.body.labs.length).toBeGreaterThan(0);
      expect(res.body.labs[0]).toEqual(
        expect.objectContaining({ number: 1, step: expect.any(Number), goals: expect.any(Array) }),
      );
    });

    it('returns a given version, 404 for an unknown one, 400 for a malformed one, 401 without a token', async () => {
      const { version } = await curriculum(api);
      const user = await api.createUser('instructor');
      const pinned = await api.request('GET', `/api/v1/curriculum?version=${version}`, { token: user.token });
      expect(pinned.status).toBe(200);
      expect(pinned.body.version).toBe(version);
      expect(
        (await api.request('GET', '/api/v1/curriculum?version=999999', { token: user.token })).status,
      ).toBe(404);
      const bad = await api.request('GET', '/api/v1/curriculum?version=abc', { token: user.token });
      expect(bad.status).toBe(400);
      expect(bad.body.details).toEqual(
        expect.arrayContaining([expect.objectContaining({ field: 'version' })]),
      );
      const unknown = await api.request('GET', '/api/v1/curriculum?colour=red', { token: user.token });
      expect(unknown.status).toBe(400);
      expect((await api.request('GET', '/api/v1/curriculum')).status).toBe(401);
    });
  });

  describe('GET /cohorts/:id/plan', () => {
    it("gives staff the cohort's pinned version with each step's effective lock, unlock time and deadline", async () => {
      const cohort = await createProgressCohort(api, { unlocked: [1] });
      const deadline = new Date(Date.now() + 7 * 24 * HOUR);
      const unlocksAt = new Date(Date.now() - HOUR);
      await api.prisma.cohortStep.update({
        where: { cohortId_stepNumber: { cohortId: cohort.id, stepNumber: 1 } },
        data: { deadline },
      });
      await api.prisma.cohortStep.update({
        where: { cohortId_stepNumber: { cohortId: cohort.id, stepNumber: 2 } },
        data: { unlocksAt },
      });
      const res = await api.request('GET', `/api/v1/cohorts/${cohort.id}/plan`, {
        token: cohort.instructor.token,
      });
      expect(res.status).toBe(200);
      expect(res.body.version).toBe(cohort.version);
      expect(res.body.steps).toHaveLength(7);
      expect(res.body.steps[0]).toEqual(
        expect.objectContaining({
          number: 1,
          locked: false,
          deadline: deadline.toISOString(),
          unlocksAt: null,
        }),
      );
      // A step whose unlock time has passed counts as unlocked, whatever its flag says.
      expect(res.body.steps[1]).toEqual(
        expect.objectContaining({ number: 2, locked: false, unlocksAt: unlocksAt.toISOString() }),
      );
      expect(res.body.steps[2]).toEqual(expect.objectContaining({ number: 3, locked: true, deadline: null }));
      expect(res.body.steps[0].tasks[0]).toEqual(
        expect.objectContaining({ id: expect.any(String), completion: expect.any(String) }),
      );
      expect(res.body.steps[0].tasks[0].progress).toBeUndefined();
      expect(res.body.currentStep).toBeUndefined();
    });

    it('gives a student their own extensions, current step and status per task', async () => {
      const cohort = await createProgressCohort(api, { unlocked: [1, 2] });
      const student = await enrollStudent(api, cohort);
      const other = await enrollStudent(api, cohort);
      const quiz = cohort.tasks.find((task) => task.step === 1 && task.completion === 'quiz')!;
      const extended = new Date(Date.now() + 10 * 24 * HOUR);
      await api.prisma.deadlineExtension.create({
        data: {
          enrollmentId: student.enrollmentId,
          stepNumber: 2,
          deadline: extended,
          reason: 'travel',
          grantedById: cohort.instructor.id,
        },
      });
      await api.prisma.deadlineExtension.create({
        data: {
          enrollmentId: other.enrollmentId,
          stepNumber: 3,
          deadline: extended,
          reason: 'other',
          grantedById: cohort.instructor.id,
        },
      });
      await api.prisma.taskProgress.create({
        data: {
          cohortId: cohort.id,
          enrollmentId: student.enrollmentId,
          userId: student.id,
          taskSlug: quiz.id,
          status: 'failed',
          attempts: 2,
          points: 4,
          maxPoints: quiz.maxPoints,
        },
      });
      const res = await api.request('GET', `/api/v1/cohorts/${cohort.id}/plan`, { token: student.token });
      expect(res.status).toBe(200);
      expect(res.body.currentStep).toBe(1);
      const [step1, step2, step3] = res.body.steps;
      expect(step2.extension).toEqual({ deadline: extended.toISOString(), reason: 'travel' });
      expect(step2.effectiveDeadline).toBe(extended.toISOString());
      expect(step3.extension).toBeNull(); // another student's extension is not theirs
      const quizView = step1.tasks.find((task: { id: string }) => task.id === quiz.id);
      expect(quizView.progress).toEqual(
        expect.objectContaining({ status: 'failed', attempts: 2, points: 4 }),
      );
      expect(step2.tasks[0].progress.status).toBe('available');
      expect(step3.tasks[0].progress.status).toBe('locked');
    });

    it("answers 404 for another cohort's plan and 400 for a malformed id", async () => {
      const cohort = await createProgressCohort(api);
      const elsewhere = await createProgressCohort(api);
      const outsider = await enrollStudent(api, elsewhere);
      expect(
        (await api.request('GET', `/api/v1/cohorts/${cohort.id}/plan`, { token: elsewhere.instructor.token }))
          .status,
      ).toBe(404);
      expect(
        (await api.request('GET', `/api/v1/cohorts/${cohort.id}/plan`, { token: outsider.token })).status,
      ).toBe(404);
      const admin = await api.createUser('admin');
      expect(
        (await api.request('GET', `/api/v1/cohorts/${cohort.id}/plan`, { token: admin.token })).status,
      ).toBe(200);
      const bad = await api.request('GET', '/api/v1/cohorts/not-a-uuid/plan', { token: admin.token });
      expect(bad.status).toBe(400);
      expect(bad.body.details).toEqual([{ field: 'id', problem: 'must be a UUID' }]);
      expect((await api.request('GET', `/api/v1/cohorts/${cohort.id}/plan`)).status).toBe(401);
    });
  });

  describe('PUT /cohorts/:id/plan/steps/:step', () => {
    it('locks, unlocks, schedules and sets deadlines, writing plan.updated and an audit entry', async () => {
      const cohort = await createProgressCohort(api, { unlocked: [1] });
      const path = (step: number) => `/api/v1/cohorts/${cohort.id}/plan/steps/${step}`;
      const token = cohort.instructor.token;

      const unlock = await api.request('PUT', path(2), { token, body: { locked: false } });
      expect(unlock.status).toBe(200);
      expect(unlock.body).toEqual(expect.objectContaining({ number: 2, locked: false, deadline: null }));

      const past = new Date(Date.now() - HOUR).toISOString();
      const scheduledPast = await api.request('PUT', path(3), {
        token,
        body: { locked: true, unlocksAt: past },
      });
      expect(scheduledPast.body).toEqual(expect.objectContaining({ locked: false, unlocksAt: past }));

      const future = new Date(Date.now() + 48 * HOUR).toISOString();
      const deadline = new Date(Date.now() + 96 * HOUR).toISOString();
      const scheduled = await api.request('PUT', path(4), { token, body: { unlocksAt: future, deadline } });
      expect(scheduled.status).toBe(200);
      expect(scheduled.body).toEqual(
        expect.objectContaining({ number: 4, locked: true, unlocksAt: future, deadline }),
      );
      const cleared = await api.request('PUT', path(4), { token, body: { deadline: null } });
      expect(cleared.body).toEqual(expect.objectContaining({ deadline: null, unlocksAt: future }));

      const events = await cohortEvents(api, cohort.id, 'plan.updated');
      expect(events.map((event) => event.payload)).toEqual([
        { step: 2, locked: false, deadline: null },
        { step: 3, locked: false, deadline: null },
        { step: 4, locked: true, deadline },
        { step: 4, locked: true, deadline: null },
      ]);
      expect(events.every((event) => event.subjectUserId === null)).toBe(true);
      const audit = await api.prisma.auditLog.findMany({
        where: { cohortId: cohort.id, action: 'plan.step.update' },
        orderBy: { id: 'asc' },
      });
      expect(audit).toHaveLength(4);
      expect(audit[0]).toEqual(
        expect.objectContaining({ actorId: cohort.instructor.id, targetId: `${cohort.id}:2` }),
      );

      const plan = await api.request('GET', `/api/v1/cohorts/${cohort.id}/plan`, { token });
      expect(plan.body.steps.map((step: { locked: boolean }) => step.locked)).toEqual([
        false,
        false,
        false,
        true,
        true,
        true,
        true,
      ]);
    });

    it('validates the body and the step', async () => {
      const cohort = await createProgressCohort(api);
      const token = cohort.instructor.token;
      const put = (step: string, body: unknown) =>
        api.request('PUT', `/api/v1/cohorts/${cohort.id}/plan/steps/${step}`, { token, body });

      const empty = await put('2', {});
      expect(empty.status).toBe(400);
      expect(empty.body.details).toEqual([
        { field: 'body', problem: expect.stringContaining('at least one') },
      ]);
      const wrong = await put('2', { locked: 'yes', unlocksAt: 'tomorrow', deadline: 5, colour: 'red' });
      expect(wrong.status).toBe(400);
      expect(wrong.body.details.map((detail: { field: string }) => detail.field)).toEqual(
        expect.arrayContaining(['locked', 'unlocksAt', 'deadline', 'colour']),
      );
      const badStep = await put('zero', { locked: false });
      expect(badStep.status).toBe(400);
      expect(badStep.body.details).toEqual([{ field: 'step', problem: expect.any(String) }]);
      expect((await put('0', { locked: false })).status).toBe(400);
      expect((await put('99', { locked: false })).status).toBe(404);
    });

    it('is for the cohort staff only: students and other instructors get 404', async () => {
      const cohort = await createProgressCohort(api);
      const student = await enrollStudent(api, cohort);
      const other = await api.createUser('instructor');
      for (const token of [student.token, other.token]) {
        const res = await api.request('PUT', `/api/v1/cohorts/${cohort.id}/plan/steps/2`, {
          token,
          body: { locked: false },
        });
        expect(res.status).toBe(404);
      }
      const admin = await api.createUser('admin');
      expect(
        (
          await api.request('PUT', `/api/v1/cohorts/${cohort.id}/plan/steps/2`, {
            token: admin.token,
            body: { locked: false },
          })
        ).status,
      ).toBe(200);
      const service = await api.createServiceToken(['read-cohorts']);
      expect(
        (
          await api.request('PUT', `/api/v1/cohorts/${cohort.id}/plan/steps/2`, {
            token: service.token,
            body: { locked: false },
          })
        ).status,
      ).toBe(403);
      expect(await cohortEvents(api, cohort.id, 'plan.updated')).toHaveLength(1);
    });
  });

  describe('PUT /cohorts/:id/students/:userId/steps/:step/deadline', () => {
    it("extends one student's deadline: audited, plan.updated about that student", async () => {
      const cohort = await createProgressCohort(api);
      const student = await enrollStudent(api, cohort);
      const deadline = new Date(Date.now() + 5 * 24 * HOUR).toISOString();
      const path = `/api/v1/cohorts/${cohort.id}/students/${student.id}/steps/2/deadline`;
      const res = await api.request('PUT', path, {
        token: cohort.instructor.token,
        body: { deadline, reason: 'family emergency' },
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual(
        expect.objectContaining({
          userId: student.id,
          step: 2,
          deadline,
          reason: 'family emergency',
          grantedById: cohort.instructor.id,
        }),
      );
      // A second extension of the same step replaces the first.
      const later = new Date(Date.now() + 6 * 24 * HOUR).toISOString();
      expect(
        (
          await api.request('PUT', path, {
            token: cohort.instructor.token,
            body: { deadline: later, reason: 'still ill' },
          })
        ).status,
      ).toBe(200);

      const events = await cohortEvents(api, cohort.id, 'plan.updated');
      expect(events).toHaveLength(2);
      expect(events[1]!.payload).toEqual({ step: 2, locked: true, deadline: later, userId: student.id });
      expect(events[1]!.subjectUserId).toBe(student.id);
      const audit = await api.prisma.auditLog.findMany({
        where: { action: 'plan.deadline.extend', targetId: student.enrollmentId },
        orderBy: { id: 'asc' },
      });
      expect(audit).toHaveLength(2);
      expect(audit[1]!.metadata).toEqual({
        userId: student.id,
        step: 2,
        deadline: later,
        reason: 'still ill',
      });

      const plan = await api.request('GET', `/api/v1/cohorts/${cohort.id}/plan`, { token: student.token });
      expect(plan.body.steps[1].extension).toEqual({ deadline: later, reason: 'still ill' });
    });

    it('validates, and answers 404 for students outside the cohort and for non-staff', async () => {
      const cohort = await createProgressCohort(api);
      const student = await enrollStudent(api, cohort);
      const stranger = await enrollStudent(api, await createProgressCohort(api));
      const token = cohort.instructor.token;
      const path = (userId: string, step = '2') =>
        `/api/v1/cohorts/${cohort.id}/students/${userId}/steps/${step}/deadline`;
      const deadline = new Date(Date.now() + 24 * HOUR).toISOString();

      const invalid = await api.request('PUT', path(student.id), { token, body: { deadline: 'soon' } });
      expect(invalid.status).toBe(400);
      expect(invalid.body.details.map((detail: { field: string }) => detail.field)).toEqual(
        expect.arrayContaining(['deadline', 'reason']),
      );
      expect(
        (await api.request('PUT', path(student.id), { token, body: { deadline, reason: '' } })).status,
      ).toBe(400);
      expect(
        (await api.request('PUT', path('nope'), { token, body: { deadline, reason: 'x' } })).status,
      ).toBe(400);
      expect(
        (await api.request('PUT', path(stranger.id), { token, body: { deadline, reason: 'x' } })).status,
      ).toBe(404);
      expect(
        (await api.request('PUT', path(student.id, '42'), { token, body: { deadline, reason: 'x' } })).status,
      ).toBe(404);
      expect(
        (
          await api.request('PUT', path(student.id), {
            token: student.token,
            body: { deadline, reason: 'x' },
          })
        ).status,
      ).toBe(404);
      expect(
        await api.prisma.deadlineExtension.count({ where: { enrollmentId: student.enrollmentId } }),
      ).toBe(0);
    });
  });

  describe("students' tasks", () => {
    let cohort: ProgressCohort;
    beforeAll(async () => {
      cohort = await createProgressCohort(api, { unlocked: [1] });
    });

    it('refuses to start a task of a locked step with 409 step_locked naming the step', async () => {
      const student = await enrollStudent(api, cohort);
      const task = cohort.tasks.find((candidate) => candidate.step === 3)!;
      const res = await api.request('POST', `/api/v1/me/tasks/${task.id}/start`, { token: student.token });
      expect(res.status).toBe(409);
      expect(res.body.error).toBe('step_locked');
      expect(res.body.message).toContain('step 3');
      expect(res.body.message).toContain(cohort.steps[2]!.title);
      expect(await api.prisma.taskProgress.count({ where: { enrollmentId: student.enrollmentId } })).toBe(0);
    });

    it('starts a task of an unlocked step once (idempotent), with one progress.updated event', async () => {
      const student = await enrollStudent(api, cohort);
      const task = cohort.tasks.find((candidate) => candidate.step === 1)!;
      const first = await api.request('POST', `/api/v1/me/tasks/${task.id}/start`, { token: student.token });
      expect(first.status).toBe(200);
      expect(first.body).toEqual(
        expect.objectContaining({ taskId: task.id, status: 'in_progress', attempts: 0, points: 0 }),
      );
      const again = await api.request('POST', `/api/v1/me/tasks/${task.id}/start`, { token: student.token });
      expect(again.status).toBe(200);
      expect(again.body.status).toBe('in_progress');
      const events = (await cohortEvents(api, cohort.id, 'progress.updated')).filter(
        (event) => event.subjectUserId === student.id,
      );
      expect(events).toHaveLength(1);
      expect(events[0]!.payload).toEqual(
        expect.objectContaining({
          userId: student.id,
          taskId: task.id,
          status: 'in_progress',
          reason: 'start',
        }),
      );
    });

    it('counts a step whose unlock time has passed as unlocked', async () => {
      const scheduled = await createProgressCohort(api, { unlocked: [1] });
      await api.prisma.cohortStep.update({
        where: { cohortId_stepNumber: { cohortId: scheduled.id, stepNumber: 2 } },
        data: { unlocksAt: new Date(Date.now() - 1000) },
      });
      const student = await enrollStudent(api, scheduled);
      const task = scheduled.tasks.find((candidate) => candidate.step === 2)!;
      expect(
        (await api.request('POST', `/api/v1/me/tasks/${task.id}/start`, { token: student.token })).status,
      ).toBe(200);
      const future = scheduled.tasks.find((candidate) => candidate.step === 3)!;
      await api.prisma.cohortStep.update({
        where: { cohortId_stepNumber: { cohortId: scheduled.id, stepNumber: 3 } },
        data: { unlocksAt: new Date(Date.now() + HOUR) },
      });
      const locked = await api.request('POST', `/api/v1/me/tasks/${future.id}/start`, {
        token: student.token,
      });
      expect(locked.status).toBe(409);
      expect(locked.body.message).toContain('unlocks at');
    });

    it('GET /me/tasks/:taskId returns the instructions and progress, never quiz answers', async () => {
      const student = await enrollStudent(api, cohort);
      const quiz = cohort.tasks.find((candidate) => candidate.completion === 'quiz' && candidate.step === 1)!;
      const res = await api.request('GET', `/api/v1/me/tasks/${quiz.id}`, { token: student.token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual(
        expect.objectContaining({
          id: quiz.id,
          step: 1,
          completion: 'quiz',
          locked: false,
          instructions: expect.stringContaining('##'),
        }),
      );
      expect(res.body.progress).toEqual(expect.objectContaining({ status: 'available', attempts: 0 }));
      expect(res.body.quiz.length).toBeGreaterThan(0);
      for (const item of res.body.quiz) {
        expect(item).not.toHaveProperty('answerIndex');
        expect(item).not.toHaveProperty('explanation');
        expect(item).not.toHaveProperty('guidance');
      }
      const lockedTask = cohort.tasks.find((candidate) => candidate.step === 4)!;
      const locked = await api.request('GET', `/api/v1/me/tasks/${lockedTask.id}`, { token: student.token });
      expect(locked.body).toEqual(
        expect.objectContaining({ locked: true, progress: expect.objectContaining({ status: 'locked' }) }),
      );
      expect(
        (await api.request('GET', '/api/v1/me/tasks/no-such-task', { token: student.token })).status,
      ).toBe(404);
      const bad = await api.request('GET', '/api/v1/me/tasks/Not_A_Slug', { token: student.token });
      expect(bad.status).toBe(400);
      expect(bad.body.details[0].field).toBe('taskId');
      const instructor = await api.request('GET', `/api/v1/me/tasks/${quiz.id}`, {
        token: cohort.instructor.token,
      });
      expect(instructor.status).toBe(404);
      expect(instructor.body.error).toBe('not_enrolled');
    });

    it('GET /me/progress lists every task of the version with stored or derived statuses', async () => {
      const student = await enrollStudent(api, cohort);
      const task = cohort.tasks.find((candidate) => candidate.step === 1 && candidate.gradeable)!;
      await api.prisma.taskProgress.create({
        data: {
          cohortId: cohort.id,
          enrollmentId: student.enrollmentId,
          userId: student.id,
          taskSlug: task.id,
          status: 'passed',
          attempts: 1,
          points: 7,
          maxPoints: task.maxPoints,
        },
      });
      const res = await api.request('GET', '/api/v1/me/progress', { token: student.token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual(
        expect.objectContaining({ cohortId: cohort.id, version: cohort.version, currentStep: 1, points: 7 }),
      );
      expect(res.body.tasks).toHaveLength(cohort.tasks.length);
      expect(res.body.tasks.map((view: { taskId: string }) => view.taskId)).toEqual(
        cohort.tasks.map((candidate) => candidate.id),
      );
      const byId = new Map(res.body.tasks.map((view: { taskId: string }) => [view.taskId, view]));
      expect(byId.get(task.id)).toEqual(
        expect.objectContaining({ status: 'passed', points: 7, attempts: 1 }),
      );
      const step1Other = cohort.tasks.find((candidate) => candidate.step === 1 && candidate.id !== task.id)!;
      expect(byId.get(step1Other.id)).toEqual(
        expect.objectContaining({ status: 'available', updatedAt: null }),
      );
      expect(byId.get(cohort.tasks.find((candidate) => candidate.step === 5)!.id)).toEqual(
        expect.objectContaining({ status: 'locked' }),
      );
      const admin = await api.createUser('admin');
      expect((await api.request('GET', '/api/v1/me/progress', { token: admin.token })).status).toBe(404);
      expect((await api.request('GET', '/api/v1/me/progress')).status).toBe(401);
    });
  });
});
