import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiHarness } from './support/api-harness.js';
import { createCohort, discordId, type CohortFixture } from './support/cohort-fixtures.js';

const V1 = '/api/v1';
const REQUIRED_ENV = { ENCRYPTION_KEYS: `bot-test:${Buffer.alloc(32, 5).toString('base64')}` };

/** What the bot reads besides the student routes: the Discord directory and the event catch-up. */
describe('bot routes: GET /cohorts/:id/discord-members and /cohorts/:id/events', () => {
  let api: ApiHarness;
  let cohort: CohortFixture;
  let other: CohortFixture;
  let bot: { token: string };
  const studentDiscord = discordId();
  const instructorDiscord = discordId();
  const adminDiscord = discordId();
  let studentId: string;
  let adminId: string;

  beforeAll(async () => {
    api = await ApiHarness.start(REQUIRED_ENV);
    cohort = await createCohort(api);
    other = await createCohort(api);
    bot = await api.createServiceToken(['act-as-student', 'join-students', 'read-cohorts']);
    const joined = await api.request('POST', `${V1}/cohorts/join/discord`, {
      token: bot.token,
      body: { inviteCode: cohort.invite.code, discordUserId: studentDiscord, discordUsername: 'ada_l' },
    });
    expect(joined.status).toBe(201);
    studentId = joined.body.userId as string;
    await api.prisma.discordLink.create({
      data: { userId: cohort.instructor.id, discordUserId: instructorDiscord, discordUsername: 'teacher' },
    });
    const admin = await api.createUser('admin');
    adminId = admin.id;
    await api.prisma.discordLink.create({
      data: { userId: admin.id, discordUserId: adminDiscord, discordUsername: 'root' },
    });
  });
  afterAll(() => api.stop());

  const members = (cohortId: string, query: string, token = bot.token) =>
    api.request('GET', `${V1}/cohorts/${cohortId}/discord-members${query}`, { token });

  it('finds a student by Discord id, with enrollment', async () => {
    const res = await members(cohort.id, `?discordUserId=${studentDiscord}`);
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      expect.objectContaining({
        userId: studentId,
        role: 'student',
        discordUserId: studentDiscord,
        discordUsername: 'ada_l',
        enrollment: expect.objectContaining({ status: 'active', currentStep: 1 }),
        environment: null,
      }),
    ]);
  });

  it('finds the instructor of the cohort and any admin as staff; nobody of another cohort', async () => {
    const instructor = await members(cohort.id, `?discordUserId=${instructorDiscord}`);
    expect(instructor.body.items).toEqual([
      expect.objectContaining({ userId: cohort.instructor.id, role: 'instructor', enrollment: null }),
    ]);
    const admin = await members(cohort.id, `?discordUserId=${adminDiscord}`);
    expect(admin.body.items).toEqual([expect.objectContaining({ userId: adminId, role: 'admin' })]);
    // The instructor teaches `cohort`, not `other`; the student is enrolled in `cohort` only.
    expect((await members(other.id, `?discordUserId=${instructorDiscord}`)).body.items).toEqual([]);
    expect((await members(other.id, `?discordUserId=${studentDiscord}`)).body.items).toEqual([]);
    expect((await members(cohort.id, `?discordUserId=${discordId()}`)).body.items).toEqual([]);
  });

  it('finds a member by user id (a DM target for an event)', async () => {
    const res = await members(cohort.id, `?userId=${studentId}`);
    expect(res.body.items).toEqual([expect.objectContaining({ discordUserId: studentDiscord })]);
  });

  it('lists the linked instructors and students, not admins, and pages', async () => {
    const all = await members(cohort.id, '');
    expect(all.status).toBe(200);
    expect(all.body.items.map((item: { role: string }) => item.role).sort()).toEqual([
      'instructor',
      'student',
    ]);
    const first = await members(cohort.id, '?limit=1');
    expect(first.body.items).toHaveLength(1);
    const second = await members(cohort.id, `?limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.items[0].userId).not.toBe(first.body.items[0].userId);
  });

  it('is for staff and services: the instructor may read it, the student and other instructors get 404', async () => {
    expect((await members(cohort.id, '', cohort.instructor.token)).status).toBe(200);
    expect((await members(cohort.id, '', other.instructor.token)).status).toBe(404);
    const asStudent = await api.request('GET', `${V1}/cohorts/${cohort.id}/discord-members`, {
      token: bot.token,
      headers: { 'x-act-as-discord': studentDiscord },
    });
    expect(asStudent.status).toBe(404);
    const noScope = await api.createServiceToken(['join-students']);
    expect((await members(cohort.id, '', noScope.token)).status).toBe(403);
  });

  it('rejects a malformed Discord id', async () => {
    const res = await members(cohort.id, '?discordUserId=abc');
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([expect.objectContaining({ field: 'discordUserId' })]);
  });

  describe('events', () => {
    const events = (cohortId: string, query: string, token = bot.token) =>
      api.request('GET', `${V1}/cohorts/${cohortId}/events${query}`, { token });

    it('gives the head without `after`, then the events after an id in order', async () => {
      const start = await events(cohort.id, '');
      expect(start.status).toBe(200);
      expect(start.body).toEqual({ items: [], head: expect.stringMatching(/^\d+$/), gapBefore: null });
      // Two events: renaming the cohort writes cohort.updated.
      for (const name of ['Renamed once', 'Renamed twice']) {
        const patched = await api.request('PATCH', `${V1}/cohorts/${cohort.id}`, {
          token: cohort.instructor.token,
          body: { name: `${name} ${cohort.id.slice(0, 6)}` },
        });
        expect(patched.status).toBe(200);
      }
      const after = await events(cohort.id, `?after=${start.body.head}`);
      expect(after.status).toBe(200);
      expect(after.body.items.map((event: { type: string }) => event.type)).toEqual([
        'cohort.updated',
        'cohort.updated',
      ]);
      const ids = after.body.items.map((event: { id: string }) => BigInt(event.id));
      expect(ids[1]).toBe(ids[0] + 1n);
      expect(after.body.head).toBe(String(ids[1]));
      expect(after.body.gapBefore).toBeNull();
      const limited = await events(cohort.id, `?after=${start.body.head}&limit=1`);
      expect(limited.body.items).toHaveLength(1);
    });

    it('says when events in between were pruned', async () => {
      const head = BigInt((await events(cohort.id, '')).body.head as string);
      await api.request('PATCH', `${V1}/cohorts/${cohort.id}`, {
        token: cohort.instructor.token,
        body: { name: `Pruned ${cohort.id.slice(0, 6)}` },
      });
      await api.prisma.event.deleteMany({ where: { cohortId: cohort.id, id: { lte: head + 1n } } });
      const res = await events(cohort.id, `?after=${head - 1n}`);
      expect(res.body.items).toEqual([]);
      expect(res.body.gapBefore).toBe(String(head + 2n));
    });

    it('is refused to students and to other cohorts’ instructors', async () => {
      expect((await events(cohort.id, '?after=0', other.instructor.token)).status).toBe(404);
      const asStudent = await api.request('GET', `${V1}/cohorts/${cohort.id}/events?after=0`, {
        token: bot.token,
        headers: { 'x-act-as-discord': studentDiscord },
      });
      expect(asStudent.status).toBe(404);
      expect((await events(cohort.id, '?after=x')).status).toBe(400);
    });
  });
});
