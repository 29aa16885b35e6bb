import { beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { ApiClient } from '../../api/api.client.js';
import { ApiError } from '../../api/api.error.js';
import { CohortDirectory } from '../../cohort.directory.js';
import { FakeContext, FakeDiscordActions, fakeApi, STUDENT } from '../../testing/bot.fakes.js';
import { parseTags, QaHandler } from './qa.handler.js';

const GUILD = '200000000000000001';
const FORUM = '400000000000000001';
const THREAD = '410000000000000001';

const me = {
  id: 'user-1',
  email: null,
  displayName: 'Ada',
  role: 'student' as const,
  discord: { userId: STUDENT.id, username: STUDENT.username },
  enrollment: {
    id: 'en-1',
    cohortId: 'cohort-1',
    cohortName: 'Spring',
    status: 'active' as const,
    currentStep: 2,
  },
};
const cohort = {
  id: 'cohort-1',
  name: 'Spring',
  discord: { guildId: GUILD, forumChannelId: FORUM, instructorChannelId: null, announceChannelId: null },
};
const question = (id: string, similar: unknown[] = []) => ({
  id,
  title: 'DNS fails',
  status: 'open',
  similar,
});

function handler(api: ApiClient, actions = new FakeDiscordActions()) {
  return { qa: new QaHandler(api, new CohortDirectory(api), actions.asActions()), actions };
}

describe('QaHandler', () => {
  beforeAll(() => Logger.overrideLogger(false));

  describe('/ask', () => {
    it('opens a post in the cohort’s forum and mirrors it as a question with the thread id', async () => {
      const { api, calls } = fakeApi({
        me: () => Promise.resolve(me),
        cohort: () => Promise.resolve(cohort as never),
        ask: () =>
          Promise.resolve(
            question('q-1', [
              { id: 'q-0', title: 'Old DNS question', status: 'solved', answerCount: 2 },
            ]) as never,
          ),
      });
      const { qa, actions } = handler(api);
      const ctx = new FakeContext('ask', {
        title: 'DNS fails',
        body: 'nslookup times out @everyone',
        task: 'lab-5',
        tags: 'dns, #CoreDNS',
      });
      await qa.ask(ctx);

      expect(actions.threads).toHaveLength(1);
      const thread = actions.threads[0]!;
      expect(thread).toMatchObject({ forumChannelId: FORUM, name: 'DNS fails' });
      expect(thread.content).toContain('nslookup times out');
      expect(thread.content).not.toContain('@everyone');
      const ask = calls.find(([name]) => name === 'ask')!;
      expect(ask[1]).toEqual([
        { discordUserId: STUDENT.id },
        'cohort-1',
        {
          title: 'DNS fails',
          body: 'nslookup times out @everyone',
          taskId: 'lab-5',
          tags: ['dns', 'coredns'],
          discordThreadId: thread.id,
        },
      ]);
      expect(ctx.last).toContain(`<#${thread.id}>`);
      expect(ctx.last).toContain('Old DNS question');
    });

    it('takes the post down again when the API refuses the question', async () => {
      const { api } = fakeApi({
        me: () => Promise.resolve(me),
        cohort: () => Promise.resolve(cohort as never),
        ask: () => Promise.reject(new ApiError(429, 'rate_limited', 'slow down', [], 30)),
      });
      const { qa, actions } = handler(api);
      await expect(qa.ask(new FakeContext('ask', { title: 'DNS fails', body: 'x' }))).rejects.toMatchObject({
        status: 429,
      });
      expect(actions.deleted).toEqual([actions.threads[0]!.id]);
    });

    it('says so when the cohort has no forum', async () => {
      const { api } = fakeApi({
        me: () => Promise.resolve(me),
        cohort: () =>
          Promise.resolve({ ...cohort, discord: { ...cohort.discord, forumChannelId: null } } as never),
      });
      await expect(
        handler(api).qa.ask(new FakeContext('ask', { title: 'DNS fails', body: 'x' })),
      ).rejects.toThrow(/not set up/);
    });
  });

  describe('mirroring replies in a question’s post', () => {
    const reply = (overrides: Partial<Parameters<QaHandler['mirror']>[0]> = {}) => ({
      id: '420000000000000001',
      threadId: THREAD,
      parentId: FORUM,
      guildId: GUILD,
      author: { id: '100000000000000002', username: 'grace', bot: false },
      content: 'Check the NetworkPolicy egress to port 53.',
      ...overrides,
    });
    const mirrorApi = (answer: (...args: unknown[]) => Promise<unknown>) =>
      fakeApi({
        cohortsByGuild: () => Promise.resolve([{ id: 'cohort-1', name: 'Spring', status: 'running' }]),
        cohort: () => Promise.resolve(cohort as never),
        questionByThread: (_cohortId, threadId) =>
          Promise.resolve(threadId === THREAD ? (question('q-1') as never) : null),
        answer: answer as never,
      });

    it('posts the reply as an answer by its author, with the message id', async () => {
      const { api, calls } = mirrorApi(() => Promise.resolve({ id: 'a-1' }));
      await handler(api).qa.mirror(reply());
      expect(calls.find(([name]) => name === 'answer')?.[1]).toEqual([
        { discordUserId: '100000000000000002' },
        'q-1',
        { body: 'Check the NetworkPolicy egress to port 53.', discordMessageId: '420000000000000001' },
      ]);
    });

    it('leaves alone bots, the post’s first message, other threads, and replies the API will not take', async () => {
      const { api, calls } = mirrorApi(() =>
        Promise.reject(new ApiError(403, 'act_as_not_student', 'staff')),
      );
      const { qa } = handler(api);
      await qa.mirror(reply({ author: { id: '1', username: 'bot', bot: true } }));
      await qa.mirror(reply({ id: THREAD }));
      await qa.mirror(reply({ threadId: '499999999999999999' }));
      expect(calls.filter(([name]) => name === 'answer')).toEqual([]);
      await expect(qa.mirror(reply())).resolves.toBeUndefined(); // a staff reply: not mirrored, no error
    });
  });

  it('/search lists matches with links to their posts', async () => {
    const { api } = fakeApi({
      me: () => Promise.resolve(me),
      searchQuestions: () =>
        Promise.resolve({
          items: [
            {
              id: 'q-1',
              title: 'DNS fails in ns b',
              status: 'solved',
              discordThreadId: THREAD,
              answerCount: 3,
            },
          ],
          nextCursor: null,
        } as never),
    });
    const ctx = new FakeContext('search', { query: 'dns' });
    await handler(api).qa.search(ctx);
    expect(ctx.last).toContain('✅ DNS fails in ns b');
    expect(ctx.last).toContain(`<#${THREAD}>`);
  });

  it('/accept inside the post accepts the chosen answer for the asker, publicly', async () => {
    const { api, calls } = fakeApi({
      cohortsByGuild: () => Promise.resolve([{ id: 'cohort-1', name: 'Spring', status: 'running' }]),
      cohort: () => Promise.resolve(cohort as never),
      questionByThread: () => Promise.resolve(question('q-1') as never),
      accept: () => Promise.resolve({ answers: [{ id: 'a-1', author: { displayName: 'Grace' } }] } as never),
    });
    const ctx = new FakeContext('accept', { answer: 'a-1' }, { channelId: THREAD, threadParentId: FORUM });
    await handler(api).qa.accept(ctx);
    expect(ctx.deferred).toEqual({ ephemeral: false });
    expect(calls.find(([name]) => name === 'accept')?.[1]).toEqual([
      { discordUserId: STUDENT.id },
      'q-1',
      'a-1',
    ]);
    expect(ctx.last).toContain('Grace');
  });

  it('parses tags', () => {
    expect(parseTags('dns, #Calico  dns')).toEqual(['dns', 'calico']);
    expect(parseTags('')).toBeUndefined();
  });
});
