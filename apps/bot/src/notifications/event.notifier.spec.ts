import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { BotEvent, EventPage } from '../api/api.types.js';
import { CohortDirectory } from '../cohort.directory.js';
import { FakeDiscordActions, FakeEventStream, FakeNotificationStore, fakeApi } from '../testing/bot.fakes.js';
import { EventNotifier } from './event.notifier.js';

const GUILD = '200000000000000001';
const INSTRUCTORS = '700000000000000001';
const COHORT = 'cohort-1';
const STUDENT_DISCORD = '100000000000000005';

const cohort = {
  id: COHORT,
  name: 'Spring',
  discord: {
    guildId: GUILD,
    forumChannelId: null,
    instructorChannelId: INSTRUCTORS,
    announceChannelId: null,
  },
};

const graded = (id: string, submissionId = `sub-${id}`): BotEvent => ({
  id,
  type: 'submission.graded',
  cohortId: COHORT,
  at: '2026-01-01T10:00:00Z',
  payload: {
    submissionId,
    userId: 'user-1',
    taskId: 'lab-1',
    status: 'failed',
    score: 3,
    maxScore: 10,
    failedChecks: [{ id: 'veth', message: 'veth0 missing' }],
  },
  subjectUserId: 'user-1',
});

const other = (id: string): BotEvent => ({
  id,
  type: 'progress.updated',
  cohortId: COHORT,
  at: '2026-01-01T10:00:00Z',
  payload: { userId: 'user-1', taskId: 'lab-1', status: 'failed', attempts: 1, points: 3, maxPoints: 10 },
  subjectUserId: 'user-1',
});

/** A world: the API's event log of one cohort, and fakes of the bot's side effects. */
function world(log: BotEvent[]) {
  const store = new FakeNotificationStore();
  const stream = new FakeEventStream();
  const actions = new FakeDiscordActions();
  const { api, calls } = fakeApi({
    cohortsByGuild: (guildId) =>
      Promise.resolve(guildId === GUILD ? [{ id: COHORT, name: 'Spring', status: 'running' }] : []),
    cohort: () => Promise.resolve(cohort as never),
    events: (_cohortId, after, limit = 200) => {
      const head = log.at(-1)?.id ?? '0';
      if (after === null) return Promise.resolve<EventPage>({ items: [], head, gapBefore: null });
      const items = log.filter((event) => BigInt(event.id) > BigInt(after)).slice(0, limit);
      return Promise.resolve<EventPage>({ items, head, gapBefore: null });
    },
    discordMember: () =>
      Promise.resolve({
        userId: 'user-1',
        displayName: 'Ada',
        role: 'student',
        discordUserId: STUDENT_DISCORD,
        discordUsername: 'ada',
        enrollment: null,
        environment: null,
      } as never),
    submission: (id) =>
      Promise.resolve({
        id,
        taskId: 'lab-1',
        status: 'failed',
        score: 3,
        maxScore: 10,
        error: null,
        checks: [
          {
            id: 'veth',
            title: 'veth pair',
            passed: false,
            skipped: false,
            message: 'veth0 missing',
            hint: 'ip link add',
          },
        ],
      } as never),
  });
  const notifier = new EventNotifier(
    api,
    store.asStore(),
    stream.asStream(),
    new CohortDirectory(api),
    actions.asActions(),
  );
  return { store, stream, actions, notifier, calls, log };
}

describe('EventNotifier', () => {
  let notifier: EventNotifier | undefined;
  beforeAll(() => Logger.overrideLogger(false));
  afterEach(() => notifier?.onModuleDestroy());

  it('starts a cohort seen for the first time at its head: no history is replayed', async () => {
    const w = world([graded('1'), graded('2')]);
    notifier = w.notifier;
    await w.notifier.start([GUILD]);
    expect(w.store.cursors.get(COHORT)).toBe('2');
    expect(w.actions.dms).toEqual([]);
  });

  it('catches up after a restart from the stored cursor, DMing each grading once with its hint', async () => {
    const w = world([other('1'), graded('2'), other('3'), graded('4')]);
    notifier = w.notifier;
    w.store.cursors.set(COHORT, '1');
    await w.notifier.start([GUILD]);
    expect(w.actions.dms.map((dm) => dm.userId)).toEqual([STUDENT_DISCORD, STUDENT_DISCORD]);
    expect(w.actions.dms[0]!.message.content).toContain('veth0 missing');
    expect(w.actions.dms[0]!.message.content).toContain('ip link add');
    expect(w.store.cursors.get(COHORT)).toBe('4');
    // A second catch-up (or a second replica) sends nothing again.
    w.store.cursors.set(COHORT, '1');
    await w.notifier.catchUpAll();
    expect(w.actions.dms).toHaveLength(2);
  });

  it('handles the next live event at once and reads a gap from the API', async () => {
    const log = [other('1')];
    const w = world(log);
    notifier = w.notifier;
    await w.notifier.start([GUILD]);
    log.push(graded('2'));
    w.stream.emit(graded('2'));
    await w.notifier.idle();
    expect(w.actions.dms).toHaveLength(1);
    // Events 3 and 4 were committed, only 4 came through Redis: 3 is read from the API.
    log.push(graded('3', 'sub-x'), graded('4', 'sub-y'));
    w.stream.emit(graded('4', 'sub-y'));
    await w.notifier.idle();
    expect(w.actions.dms).toHaveLength(3);
    expect(w.store.cursors.get(COHORT)).toBe('4');
    // A late duplicate of 3 is ignored.
    w.stream.emit(graded('3', 'sub-x'));
    await w.notifier.idle();
    expect(w.actions.dms).toHaveLength(3);
  });

  it('leaves a grading to the /lab submit reply waiting for it', async () => {
    const log = [other('1')];
    const w = world(log);
    notifier = w.notifier;
    await w.notifier.start([GUILD]);
    await w.store.awaitResult(STUDENT_DISCORD, 'lab-1', Date.now() + 60_000);
    log.push(graded('2'));
    w.stream.emit(graded('2'));
    await w.notifier.idle();
    expect(w.actions.dms).toEqual([]);
  });

  it('DMs a result the reply already delivered only once: the delivery is claimed', async () => {
    const log = [other('1')];
    const w = world(log);
    notifier = w.notifier;
    await w.notifier.start([GUILD]);
    await w.store.claimDelivery('sub-2');
    log.push(graded('2'));
    w.stream.emit(graded('2'));
    await w.notifier.idle();
    expect(w.actions.dms).toEqual([]);
  });

  it('posts a stuck student to the instructors’ channel and DMs an environment that is ready', async () => {
    const log: BotEvent[] = [other('1')];
    const w = world(log);
    notifier = w.notifier;
    await w.notifier.start([GUILD]);
    const stuck: BotEvent = {
      id: '2',
      type: 'student.stuck',
      cohortId: COHORT,
      at: '2026-01-01T10:00:00Z',
      payload: { userId: 'user-1', taskId: 'lab-3', step: 3, reasons: ['check dns failed 3 times in a row'] },
      subjectUserId: 'user-1',
    };
    const ready: BotEvent = {
      id: '3',
      type: 'environment.changed',
      cohortId: COHORT,
      at: '2026-01-01T10:00:00Z',
      payload: {
        environmentId: 'env-1',
        userId: 'user-1',
        state: 'ready',
        progressStep: null,
        progressPercent: 100,
      },
      subjectUserId: 'user-1',
    };
    log.push(stuck, ready);
    w.stream.emit(stuck);
    w.stream.emit(ready);
    await w.notifier.idle();
    expect(w.actions.posts).toEqual([
      {
        channelId: INSTRUCTORS,
        message: {
          content: expect.stringMatching(/Ada.*stuck on step 3, task `lab-3`[\s\S]*dns failed 3 times/),
        },
      },
    ]);
    expect(w.actions.dms).toEqual([
      { userId: STUDENT_DISCORD, message: { content: expect.stringContaining('environment is ready') } },
    ]);
  });

  it('ignores cohorts not mapped to the bot’s guilds', async () => {
    const w = world([]);
    notifier = w.notifier;
    await w.notifier.start(['299999999999999999']);
    w.stream.emit(graded('1'));
    await w.notifier.idle();
    expect(w.actions.dms).toEqual([]);
    expect(w.store.cursors.size).toBe(0);
  });
});
