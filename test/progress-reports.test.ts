import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseCsv } from '@kubecohort/cohorts';
import { ApiHarness } from './support/api-harness.js';
import {
  attempt,
  createProgressCohort,
  enrollStudent,
  type EnrolledStudent,
  type FixtureTask,
  type ProgressCohort,
  recorder,
} from './support/progress-fixtures.js';

const HOUR = 3600_000;

describe('cohort progress reports', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await ApiHarness.start();
  });
  afterAll(() => api.stop());

  const gradeable = (cohort: ProgressCohort, step: number) =>
    cohort.tasks.filter((task) => task.step === step && task.gradeable);

  /** Stored rows as the recorder would leave them, with chosen completion times. */
  async function passed(
    cohort: ProgressCohort,
    student: EnrolledStudent,
    tasks: FixtureTask[],
    completedAt: Date,
  ): Promise<void> {
    await api.prisma.taskProgress.createMany({
      data: tasks.map((task) => ({
        cohortId: cohort.id,
        enrollmentId: student.enrollmentId,
        userId: student.id,
        taskSlug: task.id,
        status: 'passed' as const,
        attempts: 1,
        points: task.maxPoints,
        maxPoints: task.maxPoints,
        startedAt: completedAt,
        completedAt,
      })),
    });
  }

  describe('GET /cohorts/:id/funnel', () => {
    it('counts per step the students who started it and those who completed it', async () => {
      const cohort = await createProgressCohort(api, { unlocked: [1, 2, 3] });
      // The first student never starts anything.
      const [, quizOnly, step2Done, dropped] = [
        await enrollStudent(api, cohort),
        await enrollStudent(api, cohort),
        await enrollStudent(api, cohort),
        await enrollStudent(api, cohort),
      ];
      for (const task of gradeable(cohort, 1))
        await recorder(api).recordAttempt(attempt(cohort, quizOnly, task, 'passed'));
      for (const task of [...gradeable(cohort, 1), ...gradeable(cohort, 2)]) {
        await recorder(api).recordAttempt(attempt(cohort, step2Done, task, 'passed'));
      }
      // One attempt on a step-3 task starts step 3 without finishing it.
      await recorder(api).recordAttempt(attempt(cohort, step2Done, gradeable(cohort, 3)[0]!, 'failed'));
      // Unenrolled students are not counted.
      for (const task of gradeable(cohort, 1))
        await recorder(api).recordAttempt(attempt(cohort, dropped, task, 'passed'));
      await api.prisma.enrollment.update({
        where: { id: dropped.enrollmentId },
        data: { status: 'unenrolled', activeUserId: null },
      });

      const res = await api.request('GET', `/api/v1/cohorts/${cohort.id}/funnel`, {
        token: cohort.instructor.token,
      });
      expect(res.status).toBe(200);
      expect(res.body.steps).toHaveLength(7);
      expect(
        res.body.steps.map((step: { step: number; started: number; completed: number }) => [
          step.step,
          step.started,
          step.completed,
        ]),
      ).toEqual([
        [1, 3, 2],
        [2, 2, 1],
        [3, 1, 0],
        [4, 0, 0],
        [5, 0, 0],
        [6, 0, 0],
        [7, 0, 0],
      ]);
      expect(res.body.steps[0].title).toBe(cohort.steps[0]!.title);
    });

    it('is staff only', async () => {
      const cohort = await createProgressCohort(api);
      const student = await enrollStudent(api, cohort);
      const other = await api.createUser('instructor');
      expect(
        (await api.request('GET', `/api/v1/cohorts/${cohort.id}/funnel`, { token: student.token })).status,
      ).toBe(404);
      expect(
        (await api.request('GET', `/api/v1/cohorts/${cohort.id}/funnel`, { token: other.token })).status,
      ).toBe(404);
      expect((await api.request('GET', '/api/v1/cohorts/x/funnel', { token: other.token })).status).toBe(400);
    });
  });

  describe('GET /cohorts/:id/stuck', () => {
    it('lists a student whose same check failed 3 times in a row, with the task and why', async () => {
      const cohort = await createProgressCohort(api, { unlocked: [1, 2, 3, 4] });
      const stuck = await enrollStudent(api, cohort, { displayName: 'Stuck Stella' });
      const trying = await enrollStudent(api, cohort);
      const lab = cohort.tasks.find((task) => task.id === 'lab-3-network-policy')!;
      for (let index = 0; index < 3; index += 1) {
        await recorder(api).recordAttempt(
          attempt(cohort, stuck, lab, 'failed', { failedCheckIds: ['default-deny'] }),
        );
        await recorder(api).recordAttempt(
          attempt(cohort, trying, lab, 'failed', { failedCheckIds: [`check-${index}`] }),
        );
      }
      const res = await api.request('GET', `/api/v1/cohorts/${cohort.id}/stuck`, {
        token: cohort.instructor.token,
      });
      expect(res.status).toBe(200);
      expect(res.body.nextCursor).toBeNull();
      expect(res.body.items).toEqual([
        {
          userId: stuck.id,
          displayName: 'Stuck Stella',
          step: 1,
          taskId: lab.id,
          reasons: [
            expect.stringMatching(
              /check "default-deny" of task lab-3-network-policy failed 3 times in a row/,
            ),
          ],
        },
      ]);
      // Passing the task clears it.
      await recorder(api).recordAttempt(attempt(cohort, stuck, lab, 'passed'));
      expect(
        (await api.request('GET', `/api/v1/cohorts/${cohort.id}/stuck`, { token: cohort.instructor.token }))
          .body.items,
      ).toEqual([]);
    });

    it('flags time on the current step beyond the 75th percentile of those who finished it, once 5 have', async () => {
      const cohort = await createProgressCohort(api, { unlocked: [1, 2, 3] });
      const now = Date.now();
      const enrolledAt = new Date(now - 200 * HOUR);
      const step1Done = new Date(now - 100 * HOUR);
      // Five students finished step 2 in 1, 2, 3, 4 and 5 hours: the 75th percentile is 4 h.
      for (const hours of [1, 2, 3, 4, 5]) {
        const finisher = await enrollStudent(api, cohort, {
          enrolledAt,
          currentStep: 3,
          stepStartedAt: new Date(step1Done.getTime() + hours * HOUR),
        });
        await passed(cohort, finisher, gradeable(cohort, 1), step1Done);
        await passed(cohort, finisher, gradeable(cohort, 2), new Date(step1Done.getTime() + hours * HOUR));
      }
      const onStep2 = async (name: string, hours: number) => {
        const student = await enrollStudent(api, cohort, {
          displayName: name,
          enrolledAt,
          currentStep: 2,
          stepStartedAt: new Date(now - hours * HOUR),
        });
        await passed(cohort, student, gradeable(cohort, 1), new Date(now - hours * HOUR));
        return student;
      };
      const slow = await onStep2('Slow Sam', 4.5);
      await onStep2('Quick Quinn', 3.5);
      // Only waiting for reviews: not stuck, however long.
      const waiting = await onStep2('Waiting Wes', 30);
      await api.prisma.taskProgress.createMany({
        data: gradeable(cohort, 2).map((task) => ({
          cohortId: cohort.id,
          enrollmentId: waiting.enrollmentId,
          userId: waiting.id,
          taskSlug: task.id,
          status: 'pending_review' as const,
          attempts: 1,
          maxPoints: task.maxPoints,
        })),
      });

      const res = await api.request('GET', `/api/v1/cohorts/${cohort.id}/stuck`, {
        token: cohort.instructor.token,
      });
      expect(res.status).toBe(200);
      expect(res.body.items).toEqual([
        {
          userId: slow.id,
          displayName: 'Slow Sam',
          step: 2,
          taskId: null,
          reasons: [
            expect.stringMatching(
              /^on step 2 .* for 4\.5 h; 75% of the 5 students who finished it took 4\.0 h or less$/,
            ),
          ],
        },
      ]);

      // A locked current step means waiting, not stuck.
      await api.prisma.cohortStep.update({
        where: { cohortId_stepNumber: { cohortId: cohort.id, stepNumber: 2 } },
        data: { locked: true },
      });
      expect(
        (await api.request('GET', `/api/v1/cohorts/${cohort.id}/stuck`, { token: cohort.instructor.token }))
          .body.items,
      ).toEqual([]);
    });

    it('does not apply the time rule before 5 students finished the step', async () => {
      const cohort = await createProgressCohort(api, { unlocked: [1, 2] });
      const now = Date.now();
      const enrolledAt = new Date(now - 200 * HOUR);
      const step1Done = new Date(now - 100 * HOUR);
      for (const hours of [1, 1, 1, 1]) {
        const finisher = await enrollStudent(api, cohort, { enrolledAt, currentStep: 3 });
        await passed(cohort, finisher, gradeable(cohort, 1), step1Done);
        await passed(cohort, finisher, gradeable(cohort, 2), new Date(step1Done.getTime() + hours * HOUR));
      }
      await enrollStudent(api, cohort, {
        enrolledAt,
        currentStep: 2,
        stepStartedAt: new Date(now - 90 * HOUR),
      });
      const res = await api.request('GET', `/api/v1/cohorts/${cohort.id}/stuck`, {
        token: cohort.instructor.token,
      });
      expect(res.status).toBe(200);
      expect(res.body.items).toEqual([]);
    });

    it('is staff only', async () => {
      const cohort = await createProgressCohort(api);
      const student = await enrollStudent(api, cohort);
      expect(
        (await api.request('GET', `/api/v1/cohorts/${cohort.id}/stuck`, { token: student.token })).status,
      ).toBe(404);
      expect((await api.request('GET', `/api/v1/cohorts/${cohort.id}/stuck`)).status).toBe(401);
    });
  });

  describe('GET /cohorts/:id/export.csv', () => {
    it('exports points per task and a total as spreadsheet-safe RFC 4180 CSV', async () => {
      const cohort = await createProgressCohort(api, {
        unlocked: [1, 2],
        name: 'Spring "24", Berlin/Remote',
      });
      const names = [
        '=HYPERLINK("http://evil.example","click")',
        '+1+1',
        '-2',
        '@SUM(A1:A2)',
        '\tTabbed',
        'Doe, Jane "JJ"',
        'Line\r\nBreak',
        'Plain Name',
      ];
      const students: EnrolledStudent[] = [];
      const base = Date.now() - 60_000;
      for (const [index, name] of names.entries()) {
        students.push(
          await enrollStudent(api, cohort, { displayName: name, enrolledAt: new Date(base + index) }),
        );
      }
      const quiz = cohort.tasks.find((task) => task.step === 1 && task.completion === 'quiz')!;
      const lab = cohort.tasks.find((task) => task.step === 2 && task.completion === 'grader')!;
      await recorder(api).recordAttempt(attempt(cohort, students[5]!, quiz, 'failed', { points: 3 }));
      await recorder(api).recordAttempt(attempt(cohort, students[5]!, lab, 'passed', { points: 9 }));
      await recorder(api).recordAttempt(
        attempt(cohort, students[0]!, quiz, 'passed', { points: quiz.maxPoints }),
      );

      const res = await api.request('GET', `/api/v1/cohorts/${cohort.id}/export.csv`, {
        token: cohort.instructor.token,
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(res.headers.get('content-disposition')).toMatch(
        /^attachment; filename="progress-spring-24-berlinremote-\d{4}-\d{2}-\d{2}\.csv"$/,
      );
      expect(res.text.endsWith('\r\n')).toBe(true);

      const records = parseCsv(res.text);
      expect(records.every((record) => 'fields' in record)).toBe(true);
      const rows = records.map((record) => ('fields' in record ? record.fields : []));
      expect(rows[0]).toEqual([
        'user_id',
        'display_name',
        'email',
        'current_step',
        ...cohort.tasks.map((task) => task.id),
        'total',
      ]);
      expect(rows).toHaveLength(1 + names.length);
      const width = rows[0]!.length;
      expect(rows.every((row) => row.length === width)).toBe(true);
      const byUser = new Map(rows.slice(1).map((row) => [row[0], row]));

      // Formula-looking names are neutralised with a leading quote; everything else is exact.
      expect(rows.slice(1).map((row) => row[1])).toEqual([
        `'=HYPERLINK("http://evil.example","click")`,
        "'+1+1",
        "'-2",
        "'@SUM(A1:A2)",
        "'\tTabbed",
        'Doe, Jane "JJ"',
        'Line\r\nBreak',
        'Plain Name',
      ]);
      const column = (taskId: string) => rows[0]!.indexOf(taskId);
      const jane = byUser.get(students[5]!.id)!;
      expect(jane[2]).toBe(students[5]!.email);
      expect(jane[column(quiz.id)]).toBe('3');
      expect(jane[column(lab.id)]).toBe('9');
      expect(jane[width - 1]).toBe('12');
      expect(jane[column(cohort.tasks.at(-1)!.id)]).toBe(''); // never touched
      const first = byUser.get(students[0]!.id)!;
      expect(first[3]).toBe('2'); // passed step 1's only gradeable task
      expect(first[width - 1]).toBe(String(quiz.maxPoints));
      expect(byUser.get(students[7]!.id)![width - 1]).toBe('0');
      // No cell of the file starts a formula.
      for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);

      const audit = await api.prisma.auditLog.findMany({
        where: { action: 'progress.export', targetId: cohort.id },
      });
      expect(audit).toHaveLength(1);
      expect(audit[0]!.metadata).toEqual({
        format: 'csv',
        students: names.length,
        tasks: cohort.tasks.length,
      });
    });

    it('is staff only', async () => {
      const cohort = await createProgressCohort(api);
      const student = await enrollStudent(api, cohort);
      expect(
        (await api.request('GET', `/api/v1/cohorts/${cohort.id}/export.csv`, { token: student.token }))
          .status,
      ).toBe(404);
      const reader = await api.createServiceToken(['read-cohorts']);
      expect(
        (await api.request('GET', `/api/v1/cohorts/${cohort.id}/export.csv`, { token: reader.token })).status,
      ).toBe(403);
      const other = await api.createUser('instructor');
      expect(
        (await api.request('GET', `/api/v1/cohorts/${cohort.id}/export.csv`, { token: other.token })).status,
      ).toBe(404);
    });
  });
});
