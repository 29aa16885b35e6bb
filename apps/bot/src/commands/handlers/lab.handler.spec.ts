import { describe, expect, it } from '@jest/globals';
import { ApiError } from '../../api/api.error.js';
import type { StudentTaskView, SubmissionView, TaskProgressView } from '../../api/api.types.js';
import { BotConfig } from '../../bot.config.js';
import type { SubmissionWaiter } from '../../notifications/submission.waiter.js';
import { fakeApi, FakeContext, FakeNotificationStore, STUDENT } from '../../testing/bot.fakes.js';
import { LabHandler } from './lab.handler.js';

const progress = (taskId: string, status: TaskProgressView['status'], step = 1): TaskProgressView => ({
  taskId,
  step,
  status,
  attempts: 0,
  points: 0,
  maxPoints: 10,
  updatedAt: status === 'in_progress' ? '2026-01-01T10:00:00Z' : null,
});

const taskView = (id: string, overrides: Partial<StudentTaskView> = {}): StudentTaskView => ({
  id,
  title: `Title of ${id}`,
  summary: 'summary',
  step: 1,
  completion: 'grader',
  maxPoints: 10,
  gradeable: true,
  instructions: `Do ${id}.`,
  hints: ['first hint', 'second hint'],
  rubric: null,
  quiz: null,
  locked: false,
  progress: progress(id, 'in_progress'),
  ...overrides,
});

const graded: SubmissionView = {
  id: 'sub-1',
  cohortId: 'c',
  userId: 'u',
  taskId: 'lab-1',
  status: 'failed',
  score: 3,
  maxScore: 10,
  answer: null,
  error: null,
  checks: [
    {
      id: 'veth',
      title: 'veth pair exists',
      passed: false,
      skipped: false,
      points: 0,
      maxPoints: 7,
      message: 'veth0 not found in ns1',
      hint: 'ip link add veth0 type veth peer name veth1',
      evidence: {},
    },
  ],
  review: null,
  createdAt: '2026-01-01T10:00:00Z',
  startedAt: null,
  finishedAt: '2026-01-01T10:00:05Z',
};

function waiter(result: SubmissionView | null): SubmissionWaiter & { waited: string[] } {
  const waited: string[] = [];
  return {
    waited,
    wait: (id: string) => {
      waited.push(id);
      return Promise.resolve(result);
    },
  } as unknown as SubmissionWaiter & { waited: string[] };
}

const config = BotConfig.load({ SUBMIT_WAIT_SECONDS: '30' });

describe('LabHandler', () => {
  describe('/lab submit', () => {
    it('replies at once, then edits the reply with the score and each failed check with its hint', async () => {
      const store = new FakeNotificationStore();
      const { api, calls } = fakeApi({
        submit: () => Promise.resolve({ id: 'sub-1', status: 'queued' }),
      });
      const ctx = new FakeContext('lab submit', { task: 'lab-1' });
      await new LabHandler(api, waiter(graded), store.asStore(), config).submit(ctx);

      expect(ctx.deferred).toEqual({ ephemeral: true });
      expect(calls[0]).toEqual([
        'submit',
        [{ discordUserId: STUDENT.id }, { taskId: 'lab-1', answer: undefined }],
      ]);
      expect(ctx.responses[0]?.content).toContain('grading…');
      expect(ctx.last).toContain('3/10');
      expect(ctx.last).toContain('veth0 not found in ns1');
      expect(ctx.last).toContain('ip link add veth0');
      // The reply showed it: the result is claimed, so no DM follows; the await is over.
      expect(store.claims.has('delivered:sub-1')).toBe(true);
      expect(store.awaits.size).toBe(0);
    });

    it('marks the result as awaited by this reply before submitting', async () => {
      const store = new FakeNotificationStore();
      let awaitedAtSubmit: number | null = null;
      const { api } = fakeApi({
        submit: async () => {
          awaitedAtSubmit = await store.awaiting(STUDENT.id, 'lab-1');
          return { id: 'sub-1', status: 'queued' };
        },
      });
      await new LabHandler(api, waiter(graded), store.asStore(), config).submit(
        new FakeContext('lab submit', { task: 'lab-1' }),
      );
      expect(awaitedAtSubmit).toBeGreaterThan(Date.now());
    });

    it('promises a DM when grading outlasts the wait, leaving the delivery unclaimed', async () => {
      const store = new FakeNotificationStore();
      const { api } = fakeApi({
        submit: () => Promise.resolve({ id: 'sub-2', status: 'queued' }),
        submission: () => Promise.resolve({ ...graded, id: 'sub-2', status: 'running' }),
      });
      const ctx = new FakeContext('lab submit', { task: 'lab-1' });
      await new LabHandler(api, waiter(null), store.asStore(), config).submit(ctx);
      expect(ctx.last).toContain('direct message');
      expect(store.claims.has('delivered:sub-2')).toBe(false);
      expect(store.awaits.size).toBe(0);
    });

    it('shows a result that lands right at the deadline', async () => {
      const store = new FakeNotificationStore();
      const { api } = fakeApi({
        submit: () => Promise.resolve({ id: 'sub-3', status: 'queued' }),
        submission: () => Promise.resolve({ ...graded, id: 'sub-3' }),
      });
      const ctx = new FakeContext('lab submit', { task: 'lab-1' });
      await new LabHandler(api, waiter(null), store.asStore(), config).submit(ctx);
      expect(ctx.last).toContain('veth0 not found');
    });

    it('sends quiz answers parsed from the option', async () => {
      const { api, calls } = fakeApi({
        task: () => Promise.resolve(taskView('quiz-1', { completion: 'quiz' })),
        submit: () => Promise.resolve({ id: 'sub-4', status: 'queued' }),
      });
      await new LabHandler(api, waiter(graded), new FakeNotificationStore().asStore(), config).submit(
        new FakeContext('lab submit', { task: 'quiz-1', answer: 'cidr=1, dns=2' }),
      );
      expect(calls.find(([name]) => name === 'submit')?.[1][1]).toEqual({
        taskId: 'quiz-1',
        answer: { answers: { cidr: 1, dns: 2 } },
      });
    });

    it('lets a refused submission through to the router and stops awaiting it', async () => {
      const store = new FakeNotificationStore();
      const { api } = fakeApi({
        submit: () => Promise.reject(new ApiError(409, 'step_locked', 'step 2 is locked')),
      });
      await expect(
        new LabHandler(api, waiter(graded), store.asStore(), config).submit(
          new FakeContext('lab submit', { task: 'lab-9' }),
        ),
      ).rejects.toMatchObject({ code: 'step_locked' });
      expect(store.awaits.size).toBe(0);
    });
  });

  describe('/lab current, next, hint', () => {
    const tasks = [progress('a', 'passed'), progress('b', 'in_progress'), progress('c', 'available')];

    it('shows the current task with its instructions', async () => {
      const { api } = fakeApi({
        myProgress: () =>
          Promise.resolve({
            cohortId: 'c',
            version: 1,
            currentStep: 1,
            stepStartedAt: '',
            points: 0,
            maxPoints: 30,
            tasks,
          }),
        task: (_as, id) => Promise.resolve(taskView(id)),
      });
      const ctx = new FakeContext('lab current');
      await new LabHandler(api, waiter(null), new FakeNotificationStore().asStore(), config).current(ctx);
      expect(ctx.last).toContain('Current task: Title of b');
      expect(ctx.last).toContain('Do b.');
    });

    it('starts the next task and shows it', async () => {
      const { api, calls } = fakeApi({
        myProgress: () =>
          Promise.resolve({
            cohortId: 'c',
            version: 1,
            currentStep: 1,
            stepStartedAt: '',
            points: 0,
            maxPoints: 30,
            tasks,
          }),
        startTask: (_as, id) => Promise.resolve(progress(id, 'in_progress')),
        task: (_as, id) => Promise.resolve(taskView(id)),
      });
      const ctx = new FakeContext('lab next');
      await new LabHandler(api, waiter(null), new FakeNotificationStore().asStore(), config).next(ctx);
      expect(calls.map(([name, args]) => [name, args[1]])).toContainEqual(['startTask', 'c']);
      expect(ctx.last).toContain('Next task: Title of c');
    });

    it('shows hints as spoilers', async () => {
      const { api } = fakeApi({ task: (_as, id) => Promise.resolve(taskView(id)) });
      const ctx = new FakeContext('lab hint', { task: 'b' });
      await new LabHandler(api, waiter(null), new FakeNotificationStore().asStore(), config).hint(ctx);
      expect(ctx.last).toContain('||first hint||');
      expect(ctx.last).toContain('||second hint||');
    });
  });
});
