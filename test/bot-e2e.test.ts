import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SecretBox } from '@kubecohort/auth';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { BotConfig } from '../apps/bot/src/bot.config.js';
import { BotModule } from '../apps/bot/src/bot.module.js';
import { DiscordListener } from '../apps/bot/src/discord/discord.listener.js';
import { DiscordClient } from '../apps/bot/src/discord.client.js';
import { EventNotifier } from '../apps/bot/src/notifications/event.notifier.js';
import { NotificationStore } from '../apps/bot/src/notifications/notification.store.js';
import { FakeDiscord, type FakeUser, type RecordedRequest } from './fake-discord/index.js';
import { ApiHarness } from './support/api-harness.js';
import { createCohort, type CohortFixture } from './support/cohort-fixtures.js';
import { createPrivateDatabase, type PrivateDatabase } from './support/grading-database.js';
import {
  startInProcessWorker,
  TASKS,
  TEST_ENCRYPTION_KEYS,
  testWorkerEnv,
  waitFor,
  waitUntilGraded,
} from './support/grading-fixtures.js';

const V1 = '/api/v1';
const KUBECONFIG = `apiVersion: v1\nkind: Config\nclusters:\n- name: vc\n  cluster: {server: 'https://127.0.0.1:31443'}\nusers:\n- name: ada\n  user: {token: bot-e2e-secret-${randomUUID()}}\n`;

/**
 * The Discord bot end to end: the real discord.js client (the bot's own Nest app) against a local
 * fake of Discord's REST API and gateway, with the real api, grading worker, PostgreSQL and Redis
 * behind it. Assertions read what the bot sent to Discord (the fake records every request) and
 * what the api stored.
 */
describe('Discord bot end to end', () => {
  let db: PrivateDatabase;
  let api: ApiHarness;
  let worker: INestApplicationContext;
  let fake: FakeDiscord;
  let bot: INestApplicationContext | null = null;
  let cohort: CohortFixture;
  let botToken: string;
  let ada: FakeUser;
  let grace: FakeUser;
  let prof: FakeUser;
  const prefix = `${process.env.REDIS_PREFIX ?? 'kc-test'}:bot-${randomUUID().slice(0, 8)}`;

  async function startBot(): Promise<INestApplicationContext> {
    const config = BotConfig.load({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      REDIS_PREFIX: prefix,
      API_URL: api.url,
      BOT_API_TOKEN: botToken,
      DISCORD_TOKEN: 'fake-discord-bot-token',
      DISCORD_API_URL: fake.restBase,
      SUBMIT_POLL_MS: '300',
      SUBMIT_WAIT_SECONDS: '60',
    });
    // BOT_E2E_LOGS=1 shows the bot's own logs while debugging this suite.
    const app = await NestFactory.createApplicationContext(BotModule.forRoot(config), {
      logger: process.env.BOT_E2E_LOGS ? ['error', 'warn', 'log'] : false,
    });
    await app.get(DiscordListener).start();
    await waitFor(
      'the bot to be ready on Discord',
      () => Promise.resolve(app.get(DiscordClient).connected),
      15_000,
    );
    return app;
  }

  async function stopBot(): Promise<void> {
    await bot?.close();
    bot = null;
  }

  const contentOf = (request: RecordedRequest): string =>
    (request.body as { content?: string } | undefined)?.content ?? '';
  const guildChannelIds = () => Object.values(fake.channels).map((channel) => channel.id);

  beforeAll(async () => {
    db = await createPrivateDatabase('bot');
    api = await ApiHarness.start({
      ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
      DATABASE_URL: db.url,
      REDIS_PREFIX: prefix,
    });
    worker = await startInProcessWorker(testWorkerEnv(db.url, { REDIS_PREFIX: prefix }));
    fake = await FakeDiscord.start();
    cohort = await createCohort(api);
    const mapped = await api.request('PATCH', `${V1}/cohorts/${cohort.id}`, {
      token: cohort.instructor.token,
      body: {
        discord: {
          guildId: fake.guildId,
          forumChannelId: fake.channels.forum.id,
          instructorChannelId: fake.channels.instructors.id,
          announceChannelId: fake.channels.announcements.id,
        },
      },
    });
    expect(mapped.status).toBe(200);
    botToken = (await api.createServiceToken(['act-as-student', 'join-students', 'read-cohorts'])).token;
    ada = fake.addUser('ada');
    grace = fake.addUser('grace');
    prof = fake.addUser('prof');
    await api.prisma.discordLink.create({
      data: { userId: cohort.instructor.id, discordUserId: prof.id, discordUsername: 'prof' },
    });
    bot = await startBot();
  }, 120_000);

  afterAll(async () => {
    await stopBot();
    await worker?.close();
    await fake?.stop();
    await api?.stop();
    await db?.drop();
  });

  it('/join links the Discord account and enrolls the student', async () => {
    for (const student of [ada, grace]) {
      const join = await fake.command(student, 'join', { code: cohort.invite.code });
      await join.edit(new RegExp(`Welcome to \\*\\*${cohort.name}\\*\\*`));
      expect(await join.ephemeral()).toBe(true);
    }
    const link = await api.prisma.discordLink.findUnique({
      where: { discordUserId: ada.id },
      include: { user: { include: { activeEnrollment: true } } },
    });
    expect(link?.discordUsername).toBe('ada');
    expect(link?.user.activeEnrollment?.cohortId).toBe(cohort.id);
  });

  it('autocompletes task ids from the student’s plan', async () => {
    const typing = await fake.autocomplete(ada, 'lab submit', { task: 'networking' }, 'task');
    const callback = await typing.callback();
    expect(callback.body.type).toBe(8);
    expect(callback.body.data.choices).toEqual(
      expect.arrayContaining([expect.objectContaining({ value: TASKS.quiz })]),
    );
  });

  it('/lab submit replies at once, then edits the reply with the graded result', async () => {
    const submit = await fake.command(ada, 'lab submit', {
      task: TASKS.quiz,
      answer: 'cidr-hosts=1, dns-record=0, dns-transport=1, tcp-udp=1, longest-prefix=1',
    });
    const callback = await submit.callback();
    expect(callback.body).toEqual({ type: 5, data: { flags: 64 } }); // deferred, only for the student
    await submit.edit(/grading…/);
    const graded = await submit.edit(/score/, 60_000);
    const text = contentOf(graded);
    expect(text).toContain(`**${TASKS.quiz}**`);
    expect(text).toContain('score **8/10**');
    expect(text).toMatch(/❌ \*\*.+\*\*: Not the right answer/);
    expect(text).toMatch(/💡 .*AAAA/);

    // The reply showed the result, so the notifier does not DM it as well.
    const submission = await api.prisma.submission.findFirstOrThrow({
      where: { taskSlug: TASKS.quiz, user: { discordLink: { discordUserId: ada.id } } },
    });
    await waitFor('the graded event to be handled', async () => {
      await bot!.get(EventNotifier).catchUpAll();
      const event = await api.prisma.event.findFirst({
        where: {
          cohortId: cohort.id,
          type: 'submission.graded',
          payload: { path: ['submissionId'], equals: submission.id },
        },
      });
      const cursor = await bot!.get(NotificationStore).cursor(cohort.id);
      return event !== null && cursor !== null && BigInt(cursor) >= event.id;
    });
    const dm = fake.dmChannelOf(ada.id);
    expect(dm ? fake.channelPosts(dm.id).filter((post) => contentOf(post).includes('graded')) : []).toEqual(
      [],
    );
  });

  it('/lab submit of a locked step answers with a friendly explanation', async () => {
    const locked = await fake.command(ada, 'lab submit', { task: TASKS.review });
    const reply = await locked.edit(/🔒/);
    expect(contentOf(reply)).toMatch(/step \d+ is locked/);
  });

  it('/ask opens a forum post, mirrors it as a question, and replies there become answers', async () => {
    const title = `Pods cannot resolve DNS ${randomUUID().slice(0, 6)}`;
    const ask = await fake.command(ada, 'ask', {
      title,
      body: 'nslookup kubernetes.default times out from my pod',
      task: TASKS.quiz,
      tags: 'dns',
    });
    const created = await fake.waitFor(
      (request) =>
        request.method === 'POST' && request.path === `/channels/${fake.channels.forum.id}/threads`,
    );
    expect(created.body).toMatchObject({
      name: title,
      message: { content: expect.stringContaining('nslookup') },
    });
    const reply = await ask.edit(/Your question is up/);
    const threadId = /<#(\d+)>/.exec(contentOf(reply))![1]!;

    const questions = await api.request(
      'GET',
      `${V1}/cohorts/${cohort.id}/questions?discordThreadId=${threadId}`,
      {
        token: cohort.instructor.token,
      },
    );
    expect(questions.status).toBe(200);
    expect(questions.body.items).toEqual([
      expect.objectContaining({ title, taskId: TASKS.quiz, tags: ['dns'], discordThreadId: threadId }),
    ]);
    const questionId = questions.body.items[0].id as string;

    const messageId = await fake.say(
      grace,
      fake.channel(threadId)!,
      'Allow egress to kube-dns on port 53 (UDP and TCP).',
    );
    const answer = await waitFor('the reply to be mirrored as an answer', () =>
      api.prisma.answer
        .findFirst({ where: { questionId, discordMessageId: messageId } })
        .then((row) => row ?? undefined),
    );
    expect(answer.body).toBe('Allow egress to kube-dns on port 53 (UDP and TCP).');

    // The asker accepts it from the post.
    const accept = await fake.command(ada, 'accept', { answer: answer.id }, fake.channel(threadId));
    await accept.edit(/Accepted the answer/);
    const question = await api.request('GET', `${V1}/questions/${questionId}`, {
      token: cohort.instructor.token,
    });
    expect(question.body).toMatchObject({ acceptedAnswerId: answer.id, status: 'solved' });
  });

  describe('/env kubeconfig never goes to a channel', () => {
    beforeAll(async () => {
      const link = await api.prisma.discordLink.findUniqueOrThrow({ where: { discordUserId: ada.id } });
      await api.prisma.environment.create({
        data: {
          cohortId: cohort.id,
          userId: link.userId,
          activeUserId: link.userId,
          state: 'ready',
          progressPercent: 100,
          namespace: `kc-bot-${randomUUID().slice(0, 8)}`,
          vclusterName: 'vc',
          serverUrl: 'https://127.0.0.1:31443',
          kubeconfigEncrypted: api.app.get(SecretBox).encrypt(KUBECONFIG),
        },
      });
    });

    function assertNotInAnyChannel(): void {
      const leaks = fake.requests.filter(
        (request) =>
          guildChannelIds().some((id) => request.path.startsWith(`/channels/${id}`)) &&
          (JSON.stringify(request.body ?? '').includes('bot-e2e-secret') ||
            request.files.some((file) => file.content.includes('bot-e2e-secret'))),
      );
      expect(leaks).toEqual([]);
    }

    it('sends it by direct message; the ephemeral reply says so without it', async () => {
      const asked = await fake.command(ada, 'env kubeconfig');
      expect(await asked.ephemeral()).toBe(true);
      await asked.edit(/sent your kubeconfig to you by direct message/);
      const dm = fake.dmChannelOf(ada.id)!;
      const sent = fake.channelPosts(dm.id).find((post) => post.files.length > 0)!;
      expect(sent.files).toEqual([expect.objectContaining({ name: 'kubeconfig.yaml', content: KUBECONFIG })]);
      expect(asked.requests().some((request) => request.files.length > 0)).toBe(false);
      assertNotInAnyChannel();
    });

    it('falls back to a file in the ephemeral reply when DMs are closed', async () => {
      fake.closeDms(ada.id);
      const asked = await fake.command(ada, 'env kubeconfig');
      const reply = await asked.edit(/only you can see/);
      expect(await asked.ephemeral()).toBe(true);
      expect(reply.files).toEqual([
        expect.objectContaining({ name: 'kubeconfig.yaml', content: KUBECONFIG }),
      ]);
      assertNotInAnyChannel();
    });
  });

  it('instructors get /cohort stats once the API confirms they are staff; students do not', async () => {
    const stats = await fake.command(prof, 'cohort stats');
    const reply = await stats.edit(/active students/);
    expect(contentOf(reply)).toContain(cohort.name);
    expect(contentOf(reply)).toMatch(/started\s+\d+\s+done/);

    const refused = await fake.command(grace, 'cohort stats');
    await refused.edit(/for the cohort's instructors/);

    const broadcast = await fake.command(prof, 'broadcast', { message: 'Step 2 opens tomorrow' });
    await broadcast.edit(/Posted in/);
    const post = await fake.waitFor(
      (request) => request.path === `/channels/${fake.channels.announcements.id}/messages`,
    );
    expect(contentOf(post)).toContain('Step 2 opens tomorrow');
  });

  it('a grading finished while the bot was down reaches the student by DM after the restart, once', async () => {
    await stopBot();
    const submitted = await api.request('POST', `${V1}/submissions`, {
      token: botToken,
      headers: { 'x-act-as-discord': grace.id },
      body: { taskId: TASKS.selfCheck },
    });
    expect(submitted.status).toBe(202);
    await waitUntilGraded(api.prisma, [submitted.body.id as string]);

    bot = await startBot();
    const dm = await fake.waitFor(
      (request) =>
        request.method === 'POST' &&
        request.path === `/channels/${fake.dmChannelOf(grace.id)?.id}/messages` &&
        contentOf(request).includes(TASKS.selfCheck),
      30_000,
    );
    expect(contentOf(dm)).toMatch(/graded[\s\S]*passed/);

    // A second restart replays nothing: the cursor and the claim both say it was sent.
    await stopBot();
    bot = await startBot();
    await bot.get(EventNotifier).catchUpAll();
    const dms = fake
      .channelPosts(fake.dmChannelOf(grace.id)!.id)
      .filter((post) => contentOf(post).includes(TASKS.selfCheck));
    expect(dms).toHaveLength(1);
  });
});
