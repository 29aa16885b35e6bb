import { describe, expect, it } from '@jest/globals';
import type { ApiClient } from '../../api/api.client.js';
import { CohortDirectory } from '../../cohort.directory.js';
import { FakeContext, FakeDiscordActions, fakeApi, STUDENT } from '../../testing/bot.fakes.js';
import { StaffHandler } from './staff.handler.js';

const GUILD = '200000000000000001';
const ANNOUNCE = '600000000000000001';
const cohort = {
  id: 'cohort-1',
  name: 'Spring',
  activeStudents: 10,
  discord: { guildId: GUILD, forumChannelId: null, instructorChannelId: null, announceChannelId: ANNOUNCE },
};
const member = (role: string, discordUserId = STUDENT.id) => ({
  userId: `user-${role}`,
  displayName: role === 'student' ? 'Ada' : 'Prof',
  role,
  discordUserId,
  discordUsername: role,
  enrollment:
    role === 'student' ? { status: 'active', currentStep: 3, stepStartedAt: '2026-01-01T00:00:00Z' } : null,
  environment: role === 'student' ? { state: 'ready', progressPercent: 100, stateReason: null } : null,
});

function staffApi(role: string, extra: Parameters<typeof fakeApi>[0] = {}) {
  return fakeApi({
    cohortsByGuild: () => Promise.resolve([{ id: 'cohort-1', name: 'Spring', status: 'running' }]),
    cohort: () => Promise.resolve(cohort as never),
    discordMember: (_cohortId, by) =>
      Promise.resolve(
        ('discordUserId' in (by as object) && (by as { discordUserId: string }).discordUserId === STUDENT.id
          ? member(role)
          : member('student', (by as { discordUserId: string }).discordUserId)) as never,
      ),
    ...extra,
  });
}

const handler = (api: ApiClient, actions = new FakeDiscordActions()) =>
  new StaffHandler(api, new CohortDirectory(api), actions.asActions());

describe('StaffHandler', () => {
  it('refuses students, after asking the API who they are in this guild’s cohort', async () => {
    const { api, calls } = staffApi('student');
    await expect(handler(api).stats(new FakeContext('cohort stats'))).rejects.toThrow(
      /for the cohort's instructors/,
    );
    expect(calls.find(([name]) => name === 'discordMember')?.[1]).toEqual([
      'cohort-1',
      { discordUserId: STUDENT.id },
    ]);
    expect(calls.some(([name]) => name === 'funnel')).toBe(false);
  });

  it('refuses outside a guild and in a guild without a cohort', async () => {
    await expect(
      handler(staffApi('instructor').api).stats(new FakeContext('cohort stats', {}, { guildId: null })),
    ).rejects.toThrow(/server/);
    const { api } = fakeApi({ cohortsByGuild: () => Promise.resolve([]) });
    await expect(handler(api).stats(new FakeContext('cohort stats'))).rejects.toThrow(/No cohort is mapped/);
  });

  it('/cohort stats shows the funnel and who is stuck', async () => {
    const { api } = staffApi('instructor', {
      funnel: () =>
        Promise.resolve({
          steps: [
            { step: 1, title: 'Linux networking', started: 10, completed: 8 },
            { step: 2, title: 'Containers', started: 6, completed: 1 },
          ],
        }),
      stuck: () =>
        Promise.resolve({
          items: [{ userId: 'u', displayName: 'Bob', step: 2, taskId: null, reasons: ['slow'] }],
          nextCursor: null,
        }),
    });
    const ctx = new FakeContext('cohort stats');
    await handler(api).stats(ctx);
    expect(ctx.last).toContain('Linux networking');
    expect(ctx.last).toMatch(/started\s+10\s+done\s+8/);
    expect(ctx.last).toContain('Bob (step 2)');
  });

  it('/inspect shows a student’s step, environment and last failures', async () => {
    const target = { id: '100000000000000009', username: 'ada' };
    const { api } = staffApi('admin', {
      cohortSubmissions: () => Promise.resolve({ items: [{ id: 'sub-1' }], nextCursor: null } as never),
      submission: () =>
        Promise.resolve({
          taskId: 'lab-3',
          createdAt: '2026-01-02T00:00:00Z',
          score: 2,
          maxScore: 10,
          checks: [{ title: 'policy blocks b', passed: false, skipped: false, message: 'b reached c' }],
        } as never),
    });
    const ctx = new FakeContext('inspect', { student: target });
    await handler(api).inspect(ctx);
    expect(ctx.last).toContain('Step 3');
    expect(ctx.last).toContain('Environment: ready');
    expect(ctx.last).toContain('`lab-3`');
    expect(ctx.last).toContain('policy blocks b: b reached c');
  });

  it('/broadcast posts in the announcements channel, signed', async () => {
    const actions = new FakeDiscordActions();
    const { api } = staffApi('instructor');
    const ctx = new FakeContext('broadcast', { message: 'Step 3 is open!' });
    await handler(api, actions).broadcast(ctx);
    expect(actions.posts).toEqual([
      { channelId: ANNOUNCE, message: { content: '📣 Step 3 is open!\n— Prof' } },
    ]);
    expect(ctx.last).toContain(`<#${ANNOUNCE}>`);
  });
});
