import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { ApiHarness } from './support/api-harness.js';
import {
  answer,
  ask,
  createQaCohort,
  enroll,
  linkDiscord,
  qaAudit,
  qaEvents,
  recordGrading,
  snowflake,
  taskOf,
} from './support/qa-fixtures.js';

const LAB3 = 'lab-3-network-policy';
const LAB2 = 'lab-2-service-discovery';

describe('Q&A: asking, reading, moderating questions', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await ApiHarness.start();
  });
  afterAll(() => api.stop());

  describe('POST /cohorts/:id/questions', () => {
    it("creates the question with the asker's step and last finished grading of the task, and writes question.created", async () => {
      const cohort = await createQaCohort(api);
      const lab3 = taskOf(cohort, LAB3);
      const student = await enroll(api, cohort, { currentStep: 3 });
      const hour = 3600_000;
      await recordGrading(api, cohort, student, LAB3, {
        status: 'passed',
        score: 10,
        maxScore: 10,
        createdAt: new Date(Date.now() - 3 * hour),
      });
      const last = await recordGrading(api, cohort, student, LAB3, {
        status: 'failed',
        score: 4,
        maxScore: 10,
        createdAt: new Date(Date.now() - hour),
        checks: [
          { checkId: 'namespace-exists', passed: true },
          {
            checkId: 'default-deny',
            title: 'Default deny in place',
            passed: false,
            message: 'pod frontend reached backend:8080',
          },
          { checkId: 'dns-allowed', passed: false, message: 'DNS lookups time out' },
          { checkId: 'egress-ok', passed: false, skipped: true },
        ],
      });
      // Still queued: not a grading yet.
      await recordGrading(api, cohort, student, LAB3, { status: 'queued' });
      // Another task's grading is not this question's business.
      await recordGrading(api, cohort, student, LAB2, { status: 'failed', score: 0, maxScore: 5 });

      const created = await ask(api, student, cohort.id, {
        title: '  Why does my default-deny policy block DNS?  ',
        body: 'After applying the policy nothing resolves.',
        taskId: LAB3,
        tags: ['DNS', 'network-policy', 'dns'],
      });
      expect(created).toEqual(
        expect.objectContaining({
          id: expect.any(String),
          cohortId: cohort.id,
          author: { id: student.id, displayName: student.displayName },
          title: 'Why does my default-deny policy block DNS?',
          taskId: LAB3,
          step: lab3.step,
          tags: ['dns', 'network-policy'],
          status: 'open',
          answerCount: 0,
          acceptedAnswerId: null,
          solvedAt: null,
          solvedBy: null,
          locked: false,
          discordThreadId: null,
          similar: [],
        }),
      );
      expect(created.context).toEqual({
        step: 3,
        task: { id: LAB3, title: lab3.title, step: lab3.step },
        lastGrading: {
          submissionId: last,
          status: 'failed',
          score: 4,
          maxScore: 10,
          at: expect.any(String),
          failedChecks: [
            {
              id: 'default-deny',
              title: 'Default deny in place',
              message: 'pod frontend reached backend:8080',
            },
            { id: 'dns-allowed', title: 'dns-allowed', message: 'DNS lookups time out' },
          ],
        },
      });

      const events = await qaEvents(api, cohort.id, 'question.created');
      expect(events).toHaveLength(1);
      expect(events[0]!.subjectUserId).toBeNull();
      expect(events[0]!.payload).toEqual({
        questionId: created.id,
        userId: student.id,
        title: created.title,
        taskId: LAB3,
      });

      const fetched = await api.request('GET', `/api/v1/questions/${created.id}`, { token: student.token });
      expect(fetched.status).toBe(200);
      expect(fetched.body.context).toEqual(created.context);
    });

    it('takes a step for questions about a step; without task or step both stay null; no grading without a task', async () => {
      const cohort = await createQaCohort(api);
      const student = await enroll(api, cohort, { currentStep: 2 });
      const onStep = await ask(api, student, cohort.id, {
        title: 'Step two reading list?',
        body: 'Which chapters?',
        step: 2,
      });
      expect(onStep).toEqual(
        expect.objectContaining({
          taskId: null,
          step: 2,
          context: { step: 2, task: null, lastGrading: null },
        }),
      );
      const general = await ask(api, student, cohort.id, { title: 'Office hours?', body: 'When are they?' });
      expect(general).toEqual(expect.objectContaining({ taskId: null, step: null, tags: [] }));
      // A task wins over a step.
      const both = await ask(api, student, cohort.id, {
        title: 'Lab two question',
        body: '...',
        taskId: LAB2,
        step: 7,
      });
      expect(both.step).toBe(taskOf(cohort, LAB2).step);
      expect(both.context.lastGrading).toBeNull();
    });

    it('lets the staff of the cohort ask (no enrolment: step null); instructors of other cohorts and strangers get 404', async () => {
      const cohort = await createQaCohort(api);
      const byInstructor = await ask(api, cohort.instructor, cohort.id, {
        title: 'Pinned: how to ask',
        body: 'Read this first.',
      });
      expect(byInstructor.context).toEqual({ step: null, task: null, lastGrading: null });
      const admin = await api.createUser('admin');
      await ask(api, admin, cohort.id, { title: 'Admin note here', body: 'Hello.' });

      const other = await createQaCohort(api);
      const outsider = await enroll(api, other);
      for (const user of [outsider, other.instructor]) {
        const res = await api.request('POST', `/api/v1/cohorts/${cohort.id}/questions`, {
          token: user.token,
          body: { title: 'Not my cohort', body: 'x' },
        });
        expect(res.status).toBe(404);
      }
      const unknown = await api.request('POST', `/api/v1/cohorts/${randomUUID()}/questions`, {
        token: outsider.token,
        body: { title: 'Nowhere to ask', body: 'x' },
      });
      expect(unknown.status).toBe(404);
      // An unenrolled student no longer belongs to the cohort.
      const leaver = await enroll(api, cohort);
      await api.prisma.enrollment.update({
        where: { id: leaver.enrollmentId },
        data: { status: 'unenrolled', activeUserId: null },
      });
      expect(
        (
          await api.request('POST', `/api/v1/cohorts/${cohort.id}/questions`, {
            token: leaver.token,
            body: { title: 'Still here?', body: 'x' },
          })
        ).status,
      ).toBe(404);
    });

    it('validates the body field by field; 401 without a token; 400 for a malformed cohort id', async () => {
      const cohort = await createQaCohort(api);
      const student = await enroll(api, cohort);
      const path = `/api/v1/cohorts/${cohort.id}/questions`;
      const bad = await api.request('POST', path, {
        token: student.token,
        body: { title: 'ab', taskId: 'Lab 3!', tags: ['ok', 'Not Valid'], colour: 'red' },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toBe('validation_failed');
      const fields = (bad.body.details as { field: string }[]).map((detail) => detail.field);
      expect(fields).toEqual(expect.arrayContaining(['title', 'body', 'taskId', 'tags', 'colour']));

      const tooMany = await api.request('POST', path, {
        token: student.token,
        body: { title: 'Many tags', body: 'x', tags: ['a', 'b', 'c', 'd', 'e', 'f'] },
      });
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.details).toEqual([expect.objectContaining({ field: 'tags' })]);

      const blank = await api.request('POST', path, {
        token: student.token,
        body: { title: '     ', body: 'x' },
      });
      expect(blank.status).toBe(400);

      const unknownTask = await api.request('POST', path, {
        token: student.token,
        body: { title: 'Unknown task', body: 'x', taskId: 'lab-99-does-not-exist' },
      });
      expect(unknownTask.status).toBe(400);
      expect(unknownTask.body.details).toEqual([
        { field: 'taskId', problem: "is not a task of this cohort's curriculum" },
      ]);

      const unknownStep = await api.request('POST', path, {
        token: student.token,
        body: { title: 'Unknown step', body: 'x', step: 42 },
      });
      expect(unknownStep.status).toBe(400);
      expect(unknownStep.body.details).toEqual([expect.objectContaining({ field: 'step' })]);

      expect((await api.request('POST', path, { body: { title: 'No token', body: 'x' } })).status).toBe(401);
      const malformed = await api.request('POST', '/api/v1/cohorts/not-a-uuid/questions', {
        token: student.token,
        body: { title: 'Bad id', body: 'x' },
      });
      expect(malformed.status).toBe(400);
      expect(malformed.body.details).toEqual([expect.objectContaining({ field: 'id' })]);
      expect(await api.prisma.question.count({ where: { cohortId: cohort.id } })).toBe(0);
    });

    it('suggests up to three similar earlier questions of the same cohort, never itself', async () => {
      const cohort = await createQaCohort(api);
      const [alice, bob] = [await enroll(api, cohort), await enroll(api, cohort)];
      const dns1 = await ask(api, alice, cohort.id, {
        title: 'CoreDNS pods crash loop',
        body: 'CoreDNS keeps restarting.',
      });
      const dns2 = await ask(api, alice, cohort.id, {
        title: 'DNS lookups time out from pods',
        body: 'nslookup hangs.',
      });
      const dns3 = await ask(api, alice, cohort.id, {
        title: 'Service DNS name does not resolve',
        body: 'curl fails.',
      });
      const dns4 = await ask(api, alice, cohort.id, {
        title: 'Headless service DNS records',
        body: 'SRV records?',
      });
      await ask(api, alice, cohort.id, { title: 'Calico BGP peering', body: 'Peers stay idle.' });
      const other = await createQaCohort(api);
      await ask(api, await enroll(api, other), other.id, {
        title: 'DNS pods resolve nothing',
        body: 'DNS DNS DNS',
      });

      const created = await ask(api, bob, cohort.id, {
        title: 'Pods cannot resolve DNS names',
        body: 'Lookups fail.',
      });
      // Most shared title words first: dns3 (dns, name, resolve), dns2 (dns, pods), then one-word
      // matches newest first (dns4 before dns1); the Calico question shares nothing.
      expect((created.similar as { id: string }[]).map((item) => item.id)).toEqual([
        dns3.id,
        dns2.id,
        dns4.id,
      ]);
      expect(created.similar[0]).toEqual(
        expect.objectContaining({
          title: expect.any(String),
          status: 'open',
          answerCount: 0,
          acceptedAnswerId: null,
          taskId: null,
        }),
      );

      const route = await api.request(
        'GET',
        `/api/v1/cohorts/${cohort.id}/questions/similar?title=${encodeURIComponent('dns resolve')}&limit=10`,
        { token: alice.token },
      );
      expect(route.status).toBe(200);
      const routeIds = (route.body as { id: string }[]).map((item) => item.id);
      // "CoreDNS" is another word than "DNS": dns1 does not match.
      expect(new Set(routeIds)).toEqual(new Set([dns2.id, dns3.id, dns4.id, created.id]));
      expect(routeIds).not.toContain(dns1.id);
      expect(routeIds.slice(0, 2).sort()).toEqual([dns3.id, created.id].sort());

      const bad = await api.request('GET', `/api/v1/cohorts/${cohort.id}/questions/similar?limit=50`, {
        token: alice.token,
      });
      expect(bad.status).toBe(400);
      expect(new Set((bad.body.details as { field: string }[]).map((detail) => detail.field))).toEqual(
        new Set(['limit', 'title']),
      );
      const outsider = await enroll(api, other);
      expect(
        (
          await api.request('GET', `/api/v1/cohorts/${cohort.id}/questions/similar?title=dns`, {
            token: outsider.token,
          })
        ).status,
      ).toBe(404);
    });

    it('rate limits asking per caller (429 with Retry-After)', async () => {
      const cohort = await createQaCohort(api);
      const student = await enroll(api, cohort);
      const statuses: number[] = [];
      for (let i = 0; i < 11; i += 1) {
        const res = await api.request('POST', `/api/v1/cohorts/${cohort.id}/questions`, {
          token: student.token,
          body: { title: `Question number ${i}`, body: 'x' },
        });
        statuses.push(res.status);
        if (res.status === 429) {
          expect(res.body.error).toBe('rate_limited');
          expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
        }
      }
      expect(statuses.slice(0, 10)).toEqual(Array(10).fill(201));
      expect(statuses[10]).toBe(429);
      // Another student is not affected.
      await ask(api, await enroll(api, cohort), cohort.id, { title: 'Unaffected', body: 'x' });
    });
  });

  describe('Discord mirroring ids', () => {
    it('are set by the bot acting for the student, unique, and findable; web clients may not set them', async () => {
      const cohort = await createQaCohort(api);
      const student = await enroll(api, cohort);
      const discordUserId = await linkDiscord(api, student.id);
      const bot = await api.createServiceToken(['act-as-student']);
      const asBot = { 'x-act-as-discord': discordUserId };
      const threadId = snowflake();
      const path = `/api/v1/cohorts/${cohort.id}/questions`;

      const web = await api.request('POST', path, {
        token: student.token,
        body: { title: 'From the web', body: 'x', discordThreadId: threadId },
      });
      expect(web.status).toBe(403);
      expect(web.body.error).toBe('discord_ids_bot_only');

      const mirrored = await api.request('POST', path, {
        token: bot.token,
        headers: asBot,
        body: { title: 'Mirrored from Discord', body: 'x', discordThreadId: threadId },
      });
      expect(mirrored.status).toBe(201);
      expect(mirrored.body).toEqual(
        expect.objectContaining({
          discordThreadId: threadId,
          author: expect.objectContaining({ id: student.id }),
        }),
      );
      const again = await api.request('POST', path, {
        token: bot.token,
        headers: asBot,
        body: { title: 'Mirrored twice', body: 'x', discordThreadId: threadId },
      });
      expect(again.status).toBe(409);
      expect(again.body.error).toBe('discord_thread_taken');

      // Two mirrors of one new thread at once: one wins, the other is told the thread is taken.
      const raceThread = snowflake();
      const race = await Promise.all(
        [1, 2].map((n) =>
          api.request('POST', path, {
            token: bot.token,
            headers: asBot,
            body: { title: `Race ${n} for a thread`, body: 'x', discordThreadId: raceThread },
          }),
        ),
      );
      expect(race.map((res) => res.status).sort()).toEqual([201, 409]);
      expect(race.find((res) => res.status === 409)!.body.error).toBe('discord_thread_taken');

      const found = await api.request('GET', `${path}?discordThreadId=${threadId}`, {
        token: bot.token,
        headers: asBot,
      });
      expect(found.status).toBe(200);
      expect(found.body.items.map((item: { id: string }) => item.id)).toEqual([mirrored.body.id]);

      const messageId = snowflake();
      const answerPath = `/api/v1/questions/${mirrored.body.id}/answers`;
      const webAnswer = await api.request('POST', answerPath, {
        token: student.token,
        body: { body: 'x', discordMessageId: messageId },
      });
      expect(webAnswer.status).toBe(403);
      const botAnswer = await api.request('POST', answerPath, {
        token: bot.token,
        headers: asBot,
        body: { body: 'reply', discordMessageId: messageId },
      });
      expect(botAnswer.status).toBe(201);
      expect(botAnswer.body.discordMessageId).toBe(messageId);
      const dup = await api.request('POST', answerPath, {
        token: bot.token,
        headers: asBot,
        body: { body: 'reply', discordMessageId: messageId },
      });
      expect(dup.status).toBe(409);
      expect(dup.body.error).toBe('discord_message_taken');
      const badId = await api.request('POST', path, {
        token: bot.token,
        headers: asBot,
        body: { title: 'Bad id', body: 'x', discordThreadId: 'abc' },
      });
      expect(badId.status).toBe(400);
      expect(badId.body.details).toEqual([expect.objectContaining({ field: 'discordThreadId' })]);
    });

    it('service tokens without act-as may read with read-cohorts but never write', async () => {
      const cohort = await createQaCohort(api);
      const student = await enroll(api, cohort);
      const question = await ask(api, student, cohort.id, { title: 'Readable by the bot', body: 'x' });
      const reader = await api.createServiceToken(['read-cohorts']);
      expect(
        (await api.request('GET', `/api/v1/cohorts/${cohort.id}/questions`, { token: reader.token })).status,
      ).toBe(200);
      expect(
        (await api.request('GET', `/api/v1/questions/${question.id}`, { token: reader.token })).status,
      ).toBe(200);
      expect(
        (await api.request('GET', `/api/v1/cohorts/${cohort.id}/faq`, { token: reader.token })).status,
      ).toBe(200);
      const write = await api.request('POST', `/api/v1/cohorts/${cohort.id}/questions`, {
        token: reader.token,
        body: { title: 'Nope', body: 'x' },
      });
      expect(write.status).toBe(403);
      const other = await api.createServiceToken(['join-students']);
      expect(
        (await api.request('GET', `/api/v1/cohorts/${cohort.id}/questions`, { token: other.token })).status,
      ).toBe(403);
    });
  });

  it('documents every Q&A route in the OpenAPI document', async () => {
    const doc = await api.request('GET', '/api/docs-json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/cohorts/{id}/questions',
        '/api/v1/cohorts/{id}/questions/similar',
        '/api/v1/cohorts/{id}/faq',
        '/api/v1/questions/{id}',
        '/api/v1/questions/{id}/answers',
        '/api/v1/questions/{id}/accept',
        '/api/v1/questions/{id}/lock',
        '/api/v1/questions/{id}/unlock',
        '/api/v1/answers/{id}',
        '/api/v1/answers/{id}/vote',
        '/api/v1/answers/{id}/endorse',
      ]),
    );
    expect(doc.body.components.schemas.AskedQuestionDto.properties.similar).toBeDefined();
  });

  describe('GET /cohorts/:id/questions', () => {
    it('lists newest first with stable cursor pages and filters (unanswered, taskId, tag)', async () => {
      const cohort = await createQaCohort(api);
      const [alice, bob] = [await enroll(api, cohort), await enroll(api, cohort)];
      const q1 = await ask(api, alice, cohort.id, {
        title: 'First question here',
        body: 'x',
        taskId: LAB3,
        tags: ['dns'],
      });
      const q2 = await ask(api, alice, cohort.id, { title: 'Second question here', body: 'x', taskId: LAB2 });
      const q3 = await ask(api, bob, cohort.id, {
        title: 'Third question here',
        body: 'x',
        tags: ['dns', 'calico'],
      });
      const q4 = await ask(api, bob, cohort.id, { title: 'Fourth question here', body: 'x', taskId: LAB3 });
      const q5 = await ask(api, bob, cohort.id, { title: 'Fifth question here', body: 'x' });
      await answer(api, bob, q1.id);
      await answer(api, alice, q4.id);
      const deleted = await ask(api, bob, cohort.id, { title: 'Deleted question', body: 'x' });
      expect(
        (await api.request('DELETE', `/api/v1/questions/${deleted.id}`, { token: bob.token })).status,
      ).toBe(204);
      const other = await createQaCohort(api);
      await ask(api, await enroll(api, other), other.id, { title: 'Elsewhere', body: 'x' });

      const path = `/api/v1/cohorts/${cohort.id}/questions`;
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { status: number; body: any } = await api.request(
          'GET',
          `${path}?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
          { token: alice.token },
        );
        expect(page.status).toBe(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.items.map((item: { id: string }) => item.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual([q5.id, q4.id, q3.id, q2.id, q1.id]);

      const ids = async (query: string) => {
        const res = await api.request('GET', `${path}?${query}`, { token: cohort.instructor.token });
        expect(res.status).toBe(200);
        return res.body.items.map((item: { id: string }) => item.id);
      };
      expect(await ids('unanswered=true')).toEqual([q5.id, q3.id, q2.id]);
      expect(await ids('unanswered=false')).toHaveLength(5);
      expect(await ids(`taskId=${LAB3}`)).toEqual([q4.id, q1.id]);
      expect(await ids('tag=DNS')).toEqual([q3.id, q1.id]);
      expect(await ids(`tag=dns&unanswered=true`)).toEqual([q3.id]);
      const listed = await api.request('GET', `${path}?limit=1`, { token: alice.token });
      expect(listed.body.items[0]).toEqual(
        expect.objectContaining({ id: q5.id, answerCount: 0, status: 'open', context: expect.any(Object) }),
      );
    });

    it('rejects bad cursors and query values with field details; 404 for another cohort, 401 without a token', async () => {
      const cohort = await createQaCohort(api);
      const student = await enroll(api, cohort);
      const path = `/api/v1/cohorts/${cohort.id}/questions`;
      const badCursor = await api.request('GET', `${path}?cursor=not-a-cursor`, { token: student.token });
      expect(badCursor.status).toBe(400);
      expect(badCursor.body.details).toEqual([expect.objectContaining({ field: 'cursor' })]);
      const badQuery = await api.request('GET', `${path}?unanswered=maybe&limit=0&tag=No%20Spaces&sort=old`, {
        token: student.token,
      });
      expect(badQuery.status).toBe(400);
      expect((badQuery.body.details as { field: string }[]).map((detail) => detail.field).sort()).toEqual([
        'limit',
        'sort',
        'tag',
        'unanswered',
      ]);
      const other = await createQaCohort(api);
      expect(
        (await api.request('GET', `/api/v1/cohorts/${other.id}/questions`, { token: student.token })).status,
      ).toBe(404);
      expect(
        (
          await api.request('GET', `/api/v1/cohorts/${other.id}/questions`, {
            token: cohort.instructor.token,
          })
        ).status,
      ).toBe(404);
      expect((await api.request('GET', path)).status).toBe(401);
    });
  });

  describe('GET /questions/:id', () => {
    it('returns 404 for questions of other cohorts, deleted ones and unknown ids; 400 for malformed ids', async () => {
      const cohort = await createQaCohort(api);
      const student = await enroll(api, cohort);
      const question = await ask(api, student, cohort.id, { title: 'Visible only here', body: 'x' });
      const other = await createQaCohort(api);
      for (const user of [await enroll(api, other), other.instructor]) {
        expect(
          (await api.request('GET', `/api/v1/questions/${question.id}`, { token: user.token })).status,
        ).toBe(404);
      }
      const admin = await api.createUser('admin');
      expect(
        (await api.request('GET', `/api/v1/questions/${question.id}`, { token: admin.token })).status,
      ).toBe(200);
      expect(
        (await api.request('GET', `/api/v1/questions/${randomUUID()}`, { token: student.token })).status,
      ).toBe(404);
      expect((await api.request('GET', '/api/v1/questions/123', { token: student.token })).status).toBe(400);
      await api.prisma.question.update({ where: { id: question.id }, data: { deletedAt: new Date() } });
      expect(
        (await api.request('GET', `/api/v1/questions/${question.id}`, { token: student.token })).status,
      ).toBe(404);
    });
  });

  describe('moderation', () => {
    it('PATCH: the asker while unanswered, the staff always (audited); others 403, other cohorts 404', async () => {
      const cohort = await createQaCohort(api);
      const [asker, peer] = [await enroll(api, cohort), await enroll(api, cohort)];
      const question = await ask(api, asker, cohort.id, {
        title: 'Original title',
        body: 'original body',
        tags: ['dns'],
      });
      const path = `/api/v1/questions/${question.id}`;

      const edited = await api.request('PATCH', path, {
        token: asker.token,
        body: { title: 'Better title', tags: ['calico', 'bgp'] },
      });
      expect(edited.status).toBe(200);
      expect(edited.body).toEqual(
        expect.objectContaining({ title: 'Better title', body: 'original body', tags: ['bgp', 'calico'] }),
      );
      // The search document follows the edit.
      const found = await api.request('GET', `/api/v1/cohorts/${cohort.id}/questions?q=better`, {
        token: asker.token,
      });
      expect(found.body.items.map((item: { id: string }) => item.id)).toEqual([question.id]);

      expect(
        (await api.request('PATCH', path, { token: peer.token, body: { body: 'hijack' } })).body.error,
      ).toBe('not_author');
      expect((await api.request('PATCH', path, { token: peer.token, body: { body: 'hijack' } })).status).toBe(
        403,
      );
      const empty = await api.request('PATCH', path, { token: asker.token, body: {} });
      expect(empty.status).toBe(400);
      const invalid = await api.request('PATCH', path, {
        token: asker.token,
        body: { title: 'x', status: 'solved' },
      });
      expect(invalid.status).toBe(400);
      expect((invalid.body.details as { field: string }[]).map((detail) => detail.field).sort()).toEqual([
        'status',
        'title',
      ]);

      await answer(api, peer, question.id);
      const late = await api.request('PATCH', path, {
        token: asker.token,
        body: { body: 'changed after an answer' },
      });
      expect(late.status).toBe(409);
      expect(late.body.error).toBe('question_answered');

      const byStaff = await api.request('PATCH', path, {
        token: cohort.instructor.token,
        body: { body: 'Cleaned up by staff' },
      });
      expect(byStaff.status).toBe(200);
      expect(byStaff.body.body).toBe('Cleaned up by staff');
      const audit = await qaAudit(api, 'qa.question.edit', question.id);
      expect(audit).toHaveLength(1);
      expect(audit[0]).toEqual(
        expect.objectContaining({
          actorId: cohort.instructor.id,
          cohortId: cohort.id,
          metadata: { fields: ['body'] },
        }),
      );

      const other = await createQaCohort(api);
      expect(
        (await api.request('PATCH', path, { token: other.instructor.token, body: { body: 'x' } })).status,
      ).toBe(404);
    });

    it('DELETE (soft): the asker while unanswered, the staff always; others 403', async () => {
      const cohort = await createQaCohort(api);
      const [asker, peer] = [await enroll(api, cohort), await enroll(api, cohort)];
      const mine = await ask(api, asker, cohort.id, { title: 'Asked by mistake', body: 'x' });
      expect(
        (await api.request('DELETE', `/api/v1/questions/${mine.id}`, { token: peer.token })).status,
      ).toBe(403);
      expect(
        (await api.request('DELETE', `/api/v1/questions/${mine.id}`, { token: asker.token })).status,
      ).toBe(204);
      expect((await api.request('GET', `/api/v1/questions/${mine.id}`, { token: asker.token })).status).toBe(
        404,
      );
      expect(await api.prisma.question.findUnique({ where: { id: mine.id } })).toEqual(
        expect.objectContaining({ deletedAt: expect.any(Date) }),
      );

      const answered = await ask(api, asker, cohort.id, { title: 'Answered already', body: 'x' });
      await answer(api, peer, answered.id);
      const refused = await api.request('DELETE', `/api/v1/questions/${answered.id}`, { token: asker.token });
      expect(refused.status).toBe(409);
      expect(
        (await api.request('DELETE', `/api/v1/questions/${answered.id}`, { token: cohort.instructor.token }))
          .status,
      ).toBe(204);
      expect(await qaAudit(api, 'qa.question.delete', answered.id)).toHaveLength(1);
      expect(
        (await api.request('DELETE', `/api/v1/questions/${answered.id}`, { token: cohort.instructor.token }))
          .status,
      ).toBe(404);
    });

    it('lock stops answers and the asker’s edits until unlocked; only staff lock (audited)', async () => {
      const cohort = await createQaCohort(api);
      const [asker, peer] = [await enroll(api, cohort), await enroll(api, cohort)];
      const question = await ask(api, asker, cohort.id, { title: 'Heated debate', body: 'x' });
      const path = `/api/v1/questions/${question.id}`;

      const denied = await api.request('POST', `${path}/lock`, { token: asker.token });
      expect(denied.status).toBe(403);
      expect(denied.body.error).toBe('staff_only');
      const locked = await api.request('POST', `${path}/lock`, { token: cohort.instructor.token });
      expect(locked.status).toBe(200);
      expect(locked.body).toEqual(expect.objectContaining({ locked: true, lockedAt: expect.any(String) }));
      expect(
        (await api.request('POST', `${path}/lock`, { token: cohort.instructor.token })).body.lockedAt,
      ).toBe(locked.body.lockedAt);

      const refused = await api.request('POST', `${path}/answers`, {
        token: peer.token,
        body: { body: 'let me in' },
      });
      expect(refused.status).toBe(409);
      expect(refused.body.error).toBe('question_locked');
      expect((await api.request('PATCH', path, { token: asker.token, body: { body: 'edit' } })).status).toBe(
        409,
      );
      expect(await qaEvents(api, cohort.id, 'question.answered')).toHaveLength(0);

      const unlocked = await api.request('POST', `${path}/unlock`, { token: cohort.instructor.token });
      expect(unlocked.status).toBe(200);
      expect(unlocked.body.locked).toBe(false);
      await answer(api, peer, question.id, 'now it works');
      expect((await qaAudit(api, 'qa.question.lock', question.id)).length).toBe(1);
      expect((await qaAudit(api, 'qa.question.unlock', question.id)).length).toBe(1);

      const other = await createQaCohort(api);
      expect((await api.request('POST', `${path}/lock`, { token: other.instructor.token })).status).toBe(404);
    });
  });
});
