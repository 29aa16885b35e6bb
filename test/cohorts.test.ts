import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { ApiHarness, type TestUser } from './support/api-harness.js';
import {
  auditOf,
  type CohortFixture,
  createCohort,
  discordId,
  eventsOf,
  freshIp,
  joinStudent,
  seedCurriculum,
  uniqueEmail,
} from './support/cohort-fixtures.js';

const V1 = '/api/v1';

describe('cohorts: CRUD, plan steps, invites, students, instructors, unenroll, erase, scoping', () => {
  let api: ApiHarness;
  let admin: TestUser;

  beforeAll(async () => {
    api = await ApiHarness.start();
    admin = await api.createUser('admin');
    await seedCurriculum(api);
  });
  afterAll(() => api.stop());

  /** Cohort A with a student, and cohort B with its own instructor and student: the usual intruders. */
  async function twoCohorts() {
    const a = await createCohort(api);
    const b = await createCohort(api);
    const studentA = await joinStudent(api, a);
    const studentB = await joinStudent(api, b);
    return { a, b, studentA, studentB };
  }

  describe('POST /cohorts', () => {
    it('creates a draft on the latest curriculum with seven steps (step 1 open) and assigns the creating instructor', async () => {
      const instructor = await api.createUser('instructor');
      const res = await api.request('POST', `${V1}/cohorts`, {
        token: instructor.token,
        body: { name: '  Spring cohort ' },
      });
      expect(res.status).toBe(201);
      const latest = await api.prisma.curriculumVersion.findFirstOrThrow({ orderBy: { version: 'desc' } });
      expect(res.body).toMatchObject({
        view: 'staff',
        name: 'Spring cohort',
        status: 'draft',
        timeZone: 'UTC',
        startsAt: null,
        endsAt: null,
        curriculumVersion: { id: latest.id, version: latest.version },
        instructors: [{ userId: instructor.id, displayName: expect.any(String) }],
        discord: { guildId: null, forumChannelId: null, instructorChannelId: null, announceChannelId: null },
        cpuHoursBudget: null,
        activeStudents: 0,
      });
      expect(res.body.steps).toEqual(
        [1, 2, 3, 4, 5, 6, 7].map((step) => ({ step, locked: step !== 1, unlocksAt: null, deadline: null })),
      );
      expect(await api.prisma.cohortStep.count({ where: { cohortId: res.body.id } })).toBe(7);
      expect(await auditOf(api, 'cohort.create', res.body.id)).toHaveLength(1);
    });

    it('takes optional schedule fields; an admin creator is not assigned', async () => {
      const res = await api.request('POST', `${V1}/cohorts`, {
        token: admin.token,
        body: {
          name: 'Berlin',
          timeZone: 'europe/berlin',
          startsAt: '2026-03-01T09:00:00+01:00',
          endsAt: '2026-05-01T09:00:00Z',
          cpuHoursBudget: 500,
        },
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        timeZone: 'Europe/Berlin',
        startsAt: '2026-03-01T08:00:00.000Z',
        endsAt: '2026-05-01T09:00:00.000Z',
        cpuHoursBudget: 500,
        instructors: [],
      });
    });

    it('validates: name required, IANA zone, instants with offsets, end after start', async () => {
      const instructor = await api.createUser('instructor');
      const missing = await api.request('POST', `${V1}/cohorts`, {
        token: instructor.token,
        body: { timeZone: 'Mars/Olympus', startsAt: '2026-03-01', cpuHoursBudget: -1 },
      });
      expect(missing.status).toBe(400);
      expect(missing.body.details.map((detail: { field: string }) => detail.field)).toEqual(
        expect.arrayContaining(['name', 'timeZone', 'startsAt', 'cpuHoursBudget']),
      );
      const window = await api.request('POST', `${V1}/cohorts`, {
        token: instructor.token,
        body: { name: 'x', startsAt: '2026-05-01T00:00:00Z', endsAt: '2026-04-01T00:00:00Z' },
      });
      expect(window.status).toBe(400);
      expect(window.body.details).toEqual([{ field: 'endsAt', problem: 'must be after startsAt' }]);
    });

    it('is for staff: students 403, no token 401, service tokens 403', async () => {
      const student = await api.createUser('student');
      expect(
        (await api.request('POST', `${V1}/cohorts`, { token: student.token, body: { name: 'x' } })).status,
      ).toBe(403);
      expect((await api.request('POST', `${V1}/cohorts`, { body: { name: 'x' } })).status).toBe(401);
      const reader = await api.createServiceToken(['read-cohorts']);
      expect(
        (await api.request('POST', `${V1}/cohorts`, { token: reader.token, body: { name: 'x' } })).status,
      ).toBe(403);
    });
  });

  describe('GET /cohorts and /cohorts/:id', () => {
    it('lists only visible cohorts: admin all, instructor taught, student own', async () => {
      const { a, b, studentA } = await twoCohorts();
      // Every page, since other suites create cohorts in the same database meanwhile.
      const ids = async (token: string) => {
        const all: string[] = [];
        let cursor: string | null = null;
        do {
          const res = await api.request(
            'GET',
            `${V1}/cohorts?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
            { token },
          );
          expect(res.status).toBe(200);
          all.push(...(res.body.items as { id: string }[]).map((item) => item.id));
          cursor = res.body.nextCursor as string | null;
        } while (cursor);
        return all;
      };
      expect(await ids(admin.token)).toEqual(expect.arrayContaining([a.id, b.id]));
      expect(await ids(a.instructor.token)).toEqual([a.id]);
      expect(await ids(studentA.token)).toEqual([a.id]);
      expect(await ids((await api.createUser('student')).token)).toEqual([]);
    });

    it('paginates with an opaque cursor and rejects a broken one', async () => {
      const instructor = await api.createUser('instructor');
      for (let i = 0; i < 3; i += 1) await createCohort(api, { instructor });
      const first = await api.request('GET', `${V1}/cohorts?limit=2`, { token: instructor.token });
      expect(first.body.items).toHaveLength(2);
      expect(first.body.items[0]).toEqual({
        id: expect.any(String),
        name: expect.any(String),
        status: 'draft',
        timeZone: 'UTC',
        startsAt: null,
        endsAt: null,
        createdAt: expect.any(String),
      });
      const second = await api.request('GET', `${V1}/cohorts?limit=2&cursor=${first.body.nextCursor}`, {
        token: instructor.token,
      });
      expect(second.body.items).toHaveLength(1);
      expect(second.body.nextCursor).toBeNull();
      const broken = await api.request('GET', `${V1}/cohorts?cursor=%%%`, { token: instructor.token });
      expect(broken.status).toBe(400);
      expect(broken.body.details).toEqual([{ field: 'cursor', problem: expect.any(String) }]);
    });

    it('lets a service with read-cohorts find the cohort mapped to a Discord guild', async () => {
      const cohort = await createCohort(api);
      const guildId = discordId();
      await api.request('PATCH', `${V1}/cohorts/${cohort.id}`, {
        token: cohort.instructor.token,
        body: { discord: { guildId } },
      });
      const reader = await api.createServiceToken(['read-cohorts']);
      const res = await api.request('GET', `${V1}/cohorts?guildId=${guildId}`, { token: reader.token });
      expect(res.body.items.map((item: { id: string }) => item.id)).toEqual([cohort.id]);
      const one = await api.request('GET', `${V1}/cohorts/${cohort.id}`, { token: reader.token });
      expect(one.body).toMatchObject({ view: 'staff', discord: { guildId } });
      const joiner = await api.createServiceToken(['join-students']);
      expect((await api.request('GET', `${V1}/cohorts`, { token: joiner.token })).status).toBe(403);
    });

    it('shows members their cohort (students a public subset) and others 404', async () => {
      const { a, b, studentA, studentB } = await twoCohorts();
      const staff = await api.request('GET', `${V1}/cohorts/${a.id}`, { token: a.instructor.token });
      expect(staff.status).toBe(200);
      expect(staff.body.view).toBe('staff');
      const student = await api.request('GET', `${V1}/cohorts/${a.id}`, { token: studentA.token });
      expect(student.status).toBe(200);
      expect(Object.keys(student.body).sort()).toEqual([
        'curriculumVersion',
        'endsAt',
        'id',
        'instructors',
        'name',
        'startsAt',
        'status',
        'steps',
        'timeZone',
        'view',
      ]);
      expect(student.body.view).toBe('student');
      for (const token of [b.instructor.token, studentB.token]) {
        const res = await api.request('GET', `${V1}/cohorts/${a.id}`, { token });
        expect(res.status).toBe(404);
        expect(res.body).toEqual({ error: 'not_found', message: 'cohort not found', details: [] });
      }
      expect((await api.request('GET', `${V1}/cohorts/${a.id}`)).status).toBe(401);
      const bad = await api.request('GET', `${V1}/cohorts/not-a-uuid`, { token: admin.token });
      expect(bad.status).toBe(400);
      expect(bad.body.details).toEqual([{ field: 'id', problem: 'must be a UUID' }]);
    });
  });

  describe('PATCH /cohorts/:id', () => {
    it('edits schedule, status, steps, Discord mapping and budgets, writing cohort.updated and plan.updated', async () => {
      const cohort = await createCohort(api);
      const guildId = discordId();
      const res = await api.request('PATCH', `${V1}/cohorts/${cohort.id}`, {
        token: cohort.instructor.token,
        body: {
          name: 'Renamed',
          status: 'active',
          timeZone: 'America/New_York',
          startsAt: '2026-02-01T14:00:00Z',
          endsAt: '2026-04-01T14:00:00Z',
          steps: [
            { step: 1, deadline: '2026-02-15T23:59:00-05:00' },
            { step: 2, unlocksAt: '2026-02-16T14:00:00Z', deadline: '2026-02-28T23:59:00-05:00' },
            { step: 3, locked: false },
          ],
          discord: {
            guildId,
            forumChannelId: discordId(),
            instructorChannelId: discordId(),
            announceChannelId: discordId(),
          },
          cpuHoursBudget: 1000,
          memoryGibHoursBudget: 4000,
        },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        name: 'Renamed',
        status: 'active',
        timeZone: 'America/New_York',
        startsAt: '2026-02-01T14:00:00.000Z',
        cpuHoursBudget: 1000,
        memoryGibHoursBudget: 4000,
        discord: { guildId },
      });
      expect(res.body.steps.slice(0, 3)).toEqual([
        { step: 1, locked: false, unlocksAt: null, deadline: '2026-02-16T04:59:00.000Z' },
        {
          step: 2,
          locked: true,
          unlocksAt: '2026-02-16T14:00:00.000Z',
          deadline: '2026-03-01T04:59:00.000Z',
        },
        { step: 3, locked: false, unlocksAt: null, deadline: null },
      ]);
      const updated = await eventsOf(api, cohort.id, 'cohort.updated');
      expect(updated).toHaveLength(1);
      expect((updated[0]!.payload as { fields: string[] }).fields.sort()).toEqual(
        [
          'cpuHoursBudget',
          'discord',
          'endsAt',
          'memoryGibHoursBudget',
          'name',
          'startsAt',
          'status',
          'steps',
          'timeZone',
        ].sort(),
      );
      expect(updated[0]!.subjectUserId).toBeNull();
      const plan = await eventsOf(api, cohort.id, 'plan.updated');
      expect(plan.map((event) => event.payload)).toEqual([
        { step: 1, locked: false, deadline: '2026-02-16T04:59:00.000Z' },
        { step: 2, locked: true, deadline: '2026-03-01T04:59:00.000Z' },
        { step: 3, locked: false, deadline: null },
      ]);
      expect(await auditOf(api, 'cohort.update', cohort.id)).toHaveLength(1);

      // Nothing changed: no event. null clears.
      await api.request('PATCH', `${V1}/cohorts/${cohort.id}`, {
        token: cohort.instructor.token,
        body: { name: 'Renamed', steps: [{ step: 3, locked: false }] },
      });
      expect(await eventsOf(api, cohort.id, 'cohort.updated')).toHaveLength(1);
      const cleared = await api.request('PATCH', `${V1}/cohorts/${cohort.id}`, {
        token: cohort.instructor.token,
        body: { steps: [{ step: 1, deadline: null }], cpuHoursBudget: null },
      });
      expect(cleared.body.steps[0].deadline).toBeNull();
      expect(cleared.body.cpuHoursBudget).toBeNull();
      expect(await eventsOf(api, cohort.id, 'plan.updated')).toHaveLength(4);
    });

    it('validates the patch field by field', async () => {
      const cohort = await createCohort(api);
      const patch = (body: unknown) =>
        api.request('PATCH', `${V1}/cohorts/${cohort.id}`, { token: cohort.instructor.token, body });
      const shape = await patch({
        status: 'paused',
        timeZone: 'Nowhere/City',
        steps: [{ step: 0, deadline: 'tomorrow' }],
        discord: { guildId: 'abc' },
        extra: 1,
      });
      expect(shape.status).toBe(400);
      expect(shape.body.details.map((detail: { field: string }) => detail.field)).toEqual(
        expect.arrayContaining([
          'status',
          'timeZone',
          'steps.0.step',
          'steps.0.deadline',
          'discord.guildId',
          'extra',
        ]),
      );
      await patch({ startsAt: '2026-03-01T00:00:00Z' });
      const window = await patch({ endsAt: '2026-02-01T00:00:00Z' });
      expect([window.status, window.body.details]).toEqual([
        400,
        [{ field: 'endsAt', problem: 'must be after startsAt' }],
      ]);
      const unknownStep = await patch({ steps: [{ step: 9, locked: false }] });
      expect(unknownStep.status).toBe(400);
      expect(unknownStep.body.details[0].field).toBe('steps.0.step');
      const duplicate = await patch({
        steps: [
          { step: 2, locked: false },
          { step: 2, locked: true },
        ],
      });
      expect(duplicate.body.details).toEqual([{ field: 'steps.1.step', problem: 'appears more than once' }]);
    });

    it("is for the cohort's staff: instructor of B and student of B get 404, students 403", async () => {
      const { a, b, studentA, studentB } = await twoCohorts();
      expect(
        (
          await api.request('PATCH', `${V1}/cohorts/${a.id}`, {
            token: b.instructor.token,
            body: { name: 'x' },
          })
        ).status,
      ).toBe(404);
      expect(
        (await api.request('PATCH', `${V1}/cohorts/${a.id}`, { token: studentB.token, body: { name: 'x' } }))
          .status,
      ).toBe(403);
      expect(
        (await api.request('PATCH', `${V1}/cohorts/${a.id}`, { token: studentA.token, body: { name: 'x' } }))
          .status,
      ).toBe(403);
      expect((await api.request('PATCH', `${V1}/cohorts/${a.id}`, { body: { name: 'x' } })).status).toBe(401);
      expect(
        (
          await api.request('PATCH', `${V1}/cohorts/${a.id}`, {
            token: admin.token,
            body: { name: 'by admin' },
          })
        ).status,
      ).toBe(200);
    });
  });

  describe('DELETE /cohorts/:id', () => {
    it('soft-deletes for its instructors: hidden afterwards, students released, invites dead', async () => {
      const { a, b, studentA } = await twoCohorts();
      expect(
        (await api.request('DELETE', `${V1}/cohorts/${a.id}`, { token: b.instructor.token })).status,
      ).toBe(404);
      expect((await api.request('DELETE', `${V1}/cohorts/${a.id}`, { token: studentA.token })).status).toBe(
        403,
      );
      expect(
        (await api.request('DELETE', `${V1}/cohorts/${a.id}`, { token: a.instructor.token })).status,
      ).toBe(204);
      expect((await api.prisma.cohort.findUniqueOrThrow({ where: { id: a.id } })).deletedAt).not.toBeNull();
      expect((await api.request('GET', `${V1}/cohorts/${a.id}`, { token: admin.token })).status).toBe(404);
      expect((await api.request('DELETE', `${V1}/cohorts/${a.id}`, { token: admin.token })).status).toBe(404);
      const me = await api.request('GET', `${V1}/me`, { token: studentA.token });
      expect(me.body.enrollment).toBeNull();
      const rejoin = await api.request('POST', `${V1}/auth/join`, {
        headers: freshIp(),
        body: { inviteCode: a.invite.code, displayName: 'x', email: uniqueEmail(), password: 'password-123' },
      });
      expect([rejoin.status, rejoin.body.error]).toEqual([404, 'invite_invalid']);
      // The released student may join another cohort.
      const moved = await api.request('POST', `${V1}/auth/join`, {
        headers: freshIp(),
        body: {
          inviteCode: b.invite.code,
          displayName: 'x',
          email: studentA.email,
          password: studentA.password,
        },
      });
      expect(moved.status).toBe(201);
      expect(await auditOf(api, 'cohort.delete', a.id)).toHaveLength(1);
    });
  });

  describe('invites', () => {
    it('creates, lists and revokes invite codes', async () => {
      const cohort = await createCohort(api);
      const expiresAt = new Date(Date.now() + 86400_000).toISOString();
      const created = await api.request('POST', `${V1}/cohorts/${cohort.id}/invites`, {
        token: cohort.instructor.token,
        body: { expiresAt, maxUses: 25 },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({
        id: expect.any(String),
        code: expect.stringMatching(/^[A-Z2-9]{8}$/),
        expiresAt,
        maxUses: 25,
        uses: 0,
      });
      const list = await api.request('GET', `${V1}/cohorts/${cohort.id}/invites`, {
        token: cohort.instructor.token,
      });
      expect(list.status).toBe(200);
      expect(list.body.items.map((invite: { id: string }) => invite.id)).toEqual([
        created.body.id,
        cohort.invite.id,
      ]);
      expect(list.body.nextCursor).toBeNull();
      expect(
        (
          await api.request('DELETE', `${V1}/cohorts/${cohort.id}/invites/${created.body.id}`, {
            token: cohort.instructor.token,
          })
        ).status,
      ).toBe(204);
      expect(
        (
          await api.request('DELETE', `${V1}/cohorts/${cohort.id}/invites/${created.body.id}`, {
            token: cohort.instructor.token,
          })
        ).status,
      ).toBe(204);
      const after = await api.request('GET', `${V1}/cohorts/${cohort.id}/invites`, {
        token: cohort.instructor.token,
      });
      expect(after.body.items[0].revokedAt).toEqual(expect.any(String));
      expect(await auditOf(api, 'invite.revoke', created.body.id)).toHaveLength(1);
    });

    it('validates expiry in the future and maxUses', async () => {
      const cohort = await createCohort(api);
      const past = await api.request('POST', `${V1}/cohorts/${cohort.id}/invites`, {
        token: cohort.instructor.token,
        body: { expiresAt: '2020-01-01T00:00:00Z' },
      });
      expect([past.status, past.body.details]).toEqual([
        400,
        [{ field: 'expiresAt', problem: 'must be in the future' }],
      ]);
      const bad = await api.request('POST', `${V1}/cohorts/${cohort.id}/invites`, {
        token: cohort.instructor.token,
        body: { maxUses: 0 },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.details[0].field).toBe('maxUses');
    });

    it("keeps other cohorts' invites out of reach", async () => {
      const { a, b, studentA } = await twoCohorts();
      expect(
        (await api.request('GET', `${V1}/cohorts/${a.id}/invites`, { token: b.instructor.token })).status,
      ).toBe(404);
      expect(
        (await api.request('POST', `${V1}/cohorts/${a.id}/invites`, { token: b.instructor.token, body: {} }))
          .status,
      ).toBe(404);
      expect(
        (
          await api.request('DELETE', `${V1}/cohorts/${a.id}/invites/${a.invite.id}`, {
            token: b.instructor.token,
          })
        ).status,
      ).toBe(404);
      // B's real invite id under A's path, even for an admin who sees both.
      expect(
        (await api.request('DELETE', `${V1}/cohorts/${a.id}/invites/${b.invite.id}`, { token: admin.token }))
          .status,
      ).toBe(404);
      expect(
        (await api.request('GET', `${V1}/cohorts/${a.id}/invites`, { token: studentA.token })).status,
      ).toBe(403);
      expect((await api.request('GET', `${V1}/cohorts/${a.id}/invites`)).status).toBe(401);
      expect(
        (await api.prisma.inviteCode.findUniqueOrThrow({ where: { id: b.invite.id } })).revokedAt,
      ).toBeNull();
    });
  });

  describe('GET /cohorts/:id/students', () => {
    it("lists the cohort's students in enrollment order, page by page", async () => {
      const cohort = await createCohort(api);
      const first = await joinStudent(api, cohort, { displayName: 'First' });
      const second = await joinStudent(api, cohort, { displayName: 'Second' });
      const third = await joinStudent(api, cohort, { displayName: 'Third' });
      await api.prisma.discordLink.create({
        data: { userId: second.id, discordUserId: discordId(), discordUsername: 'second#0' },
      });
      const page1 = await api.request('GET', `${V1}/cohorts/${cohort.id}/students?limit=2`, {
        token: cohort.instructor.token,
      });
      expect(page1.status).toBe(200);
      expect(page1.body.items).toEqual([
        {
          userId: first.id,
          displayName: 'First',
          email: first.email,
          discordUsername: null,
          expectedDiscordUsername: null,
          status: 'active',
          enrolledAt: expect.any(String),
          currentStep: 1,
        },
        expect.objectContaining({ userId: second.id, discordUsername: 'second#0' }),
      ]);
      const page2 = await api.request(
        'GET',
        `${V1}/cohorts/${cohort.id}/students?limit=2&cursor=${page1.body.nextCursor}`,
        { token: cohort.instructor.token },
      );
      expect(page2.body.items.map((row: { userId: string }) => row.userId)).toEqual([third.id]);
      expect(page2.body.nextCursor).toBeNull();
      await api.request('DELETE', `${V1}/cohorts/${cohort.id}/students/${third.id}`, {
        token: cohort.instructor.token,
      });
      const active = await api.request('GET', `${V1}/cohorts/${cohort.id}/students?status=active`, {
        token: cohort.instructor.token,
      });
      expect(active.body.items).toHaveLength(2);
      const bad = await api.request(
        'GET',
        `${V1}/cohorts/${cohort.id}/students?cursor=${Buffer.from('{"t":"x"}').toString('base64url')}`,
        { token: cohort.instructor.token },
      );
      expect([bad.status, bad.body.details[0]?.field]).toEqual([400, 'cursor']);
    });

    it('is for staff of the cohort', async () => {
      const { a, b, studentA, studentB } = await twoCohorts();
      expect(
        (await api.request('GET', `${V1}/cohorts/${a.id}/students`, { token: b.instructor.token })).status,
      ).toBe(404);
      expect(
        (await api.request('GET', `${V1}/cohorts/${a.id}/students`, { token: studentA.token })).status,
      ).toBe(403);
      expect(
        (await api.request('GET', `${V1}/cohorts/${a.id}/students`, { token: studentB.token })).status,
      ).toBe(403);
      expect(
        (await api.request('GET', `${V1}/cohorts/${a.id}/students`, { token: admin.token })).status,
      ).toBe(200);
    });
  });

  describe('instructors', () => {
    it('admins assign and remove instructors (idempotently); only staff accounts can teach', async () => {
      const { a, b } = await twoCohorts();
      const path = `${V1}/cohorts/${a.id}/instructors/${b.instructor.id}`;
      expect((await api.request('GET', `${V1}/cohorts/${a.id}`, { token: b.instructor.token })).status).toBe(
        404,
      );
      expect((await api.request('PUT', path, { token: admin.token })).status).toBe(204);
      expect((await api.request('PUT', path, { token: admin.token })).status).toBe(204);
      expect(
        (await api.request('GET', `${V1}/cohorts/${a.id}/students`, { token: b.instructor.token })).status,
      ).toBe(200);
      expect(await auditOf(api, 'cohort.instructor.assign', b.instructor.id)).toHaveLength(1);
      expect((await api.request('DELETE', path, { token: admin.token })).status).toBe(204);
      expect((await api.request('GET', `${V1}/cohorts/${a.id}`, { token: b.instructor.token })).status).toBe(
        404,
      );

      const student = await api.createUser('student');
      const notStaff = await api.request('PUT', `${V1}/cohorts/${a.id}/instructors/${student.id}`, {
        token: admin.token,
      });
      expect([notStaff.status, notStaff.body.error]).toEqual([409, 'not_staff']);
      expect(
        (
          await api.request('PUT', `${V1}/cohorts/${a.id}/instructors/${randomUUID()}`, {
            token: admin.token,
          })
        ).status,
      ).toBe(404);
      expect(
        (
          await api.request('PUT', `${V1}/cohorts/${randomUUID()}/instructors/${b.instructor.id}`, {
            token: admin.token,
          })
        ).status,
      ).toBe(404);
      const otherAdmin = await api.createUser('admin');
      expect(
        (
          await api.request('PUT', `${V1}/cohorts/${a.id}/instructors/${otherAdmin.id}`, {
            token: admin.token,
          })
        ).status,
      ).toBe(204);
    });

    it('is for admins only', async () => {
      const { a, b } = await twoCohorts();
      expect(
        (
          await api.request('PUT', `${V1}/cohorts/${a.id}/instructors/${b.instructor.id}`, {
            token: a.instructor.token,
          })
        ).status,
      ).toBe(403);
      expect(
        (
          await api.request('DELETE', `${V1}/cohorts/${a.id}/instructors/${a.instructor.id}`, {
            token: a.instructor.token,
          })
        ).status,
      ).toBe(403);
      expect((await api.request('PUT', `${V1}/cohorts/${a.id}/instructors/${b.instructor.id}`)).status).toBe(
        401,
      );
    });
  });

  describe('DELETE /cohorts/:id/students/:userId', () => {
    it('unenrolls (event, audit, idempotent) and frees the student to join elsewhere', async () => {
      const { a, b, studentA } = await twoCohorts();
      const path = `${V1}/cohorts/${a.id}/students/${studentA.id}`;
      expect((await api.request('DELETE', path, { token: a.instructor.token })).status).toBe(204);
      const enrollment = await api.prisma.enrollment.findUniqueOrThrow({
        where: { cohortId_userId: { cohortId: a.id, userId: studentA.id } },
      });
      expect(enrollment).toMatchObject({
        status: 'unenrolled',
        activeUserId: null,
        unenrolledAt: expect.any(Date),
      });
      const events = await eventsOf(api, a.id, 'enrollment.changed');
      expect(events.at(-1)).toMatchObject({
        payload: { userId: studentA.id, status: 'unenrolled' },
        subjectUserId: studentA.id,
      });
      expect(await auditOf(api, 'enrollment.unenroll', enrollment.id)).toHaveLength(1);
      expect((await api.request('DELETE', path, { token: a.instructor.token })).status).toBe(204);
      expect(await eventsOf(api, a.id, 'enrollment.changed')).toHaveLength(events.length);
      // The student no longer sees the cohort, and can join another.
      expect((await api.request('GET', `${V1}/cohorts/${a.id}`, { token: studentA.token })).status).toBe(404);
      const moved = await api.request('POST', `${V1}/auth/join`, {
        headers: freshIp(),
        body: {
          inviteCode: b.invite.code,
          displayName: 'x',
          email: studentA.email,
          password: studentA.password,
        },
      });
      expect(moved.status).toBe(201);
    });

    it("keeps other cohorts' students out of reach", async () => {
      const { a, b, studentA, studentB } = await twoCohorts();
      expect(
        (
          await api.request('DELETE', `${V1}/cohorts/${a.id}/students/${studentA.id}`, {
            token: b.instructor.token,
          })
        ).status,
      ).toBe(404);
      expect(
        (
          await api.request('DELETE', `${V1}/cohorts/${a.id}/students/${studentB.id}`, {
            token: a.instructor.token,
          })
        ).status,
      ).toBe(404);
      expect(
        (
          await api.request('DELETE', `${V1}/cohorts/${a.id}/students/${studentA.id}`, {
            token: studentA.token,
          })
        ).status,
      ).toBe(403);
      expect((await api.prisma.enrollment.findFirstOrThrow({ where: { userId: studentB.id } })).status).toBe(
        'active',
      );
    });
  });

  describe('POST /cohorts/:id/students/:userId/erase', () => {
    it('erases personal data, keeps anonymised progress, and is idempotent', async () => {
      const cohort: CohortFixture = await createCohort(api);
      const student = await joinStudent(api, cohort, { displayName: 'Private Person' });
      const enrollment = await api.prisma.enrollment.findFirstOrThrow({ where: { userId: student.id } });
      await api.prisma.enrollment.update({
        where: { id: enrollment.id },
        data: { expectedDiscordUsername: 'private_p' },
      });
      await api.prisma.discordLink.create({
        data: { userId: student.id, discordUserId: discordId(), discordUsername: 'private_p' },
      });
      await api.request('POST', `${V1}/me/discord-link`, { token: student.token });
      await api.prisma.taskProgress.create({
        data: {
          cohortId: cohort.id,
          enrollmentId: enrollment.id,
          userId: student.id,
          taskSlug: 'lab-1-basic-connectivity',
          status: 'passed',
          points: 10,
          maxPoints: 10,
        },
      });

      const res = await api.request('POST', `${V1}/cohorts/${cohort.id}/students/${student.id}/erase`, {
        token: cohort.instructor.token,
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ userId: student.id, erasedAt: expect.any(String) });
      const user = await api.prisma.user.findUniqueOrThrow({
        where: { id: student.id },
        include: {
          discordLink: true,
          refreshTokens: true,
          discordLinkCodes: true,
          enrollments: true,
          taskProgress: true,
        },
      });
      expect(user).toMatchObject({
        email: null,
        passwordHash: null,
        discordLink: null,
        refreshTokens: [],
        discordLinkCodes: [],
        erasedAt: expect.any(Date),
      });
      expect(user.displayName).not.toContain('Private');
      expect(user.enrollments).toEqual([
        expect.objectContaining({ status: 'unenrolled', activeUserId: null, expectedDiscordUsername: null }),
      ]);
      expect(user.taskProgress).toEqual([
        expect.objectContaining({ taskSlug: 'lab-1-basic-connectivity', status: 'passed', points: 10 }),
      ]);
      expect(
        (
          await api.request('POST', `${V1}/auth/login`, {
            headers: freshIp(),
            body: { email: student.email, password: student.password },
          })
        ).status,
      ).toBe(401);
      expect(
        (
          await api.request('POST', `${V1}/auth/refresh`, {
            headers: freshIp(),
            body: { refreshToken: student.refreshToken },
          })
        ).status,
      ).toBe(401);

      const events = await eventsOf(api, cohort.id, 'enrollment.changed');
      expect(events.at(-1)).toMatchObject({
        payload: { userId: student.id, status: 'erased' },
        subjectUserId: student.id,
      });
      const again = await api.request('POST', `${V1}/cohorts/${cohort.id}/students/${student.id}/erase`, {
        token: cohort.instructor.token,
      });
      expect(again.status).toBe(200);
      expect(again.body.erasedAt).toBe(res.body.erasedAt);
      expect(await eventsOf(api, cohort.id, 'enrollment.changed')).toHaveLength(events.length);
      const audit = await auditOf(api, 'user.erase', student.id);
      expect(audit).toHaveLength(2);
      expect(JSON.stringify(audit.map((row) => row.metadata))).not.toMatch(/Private|@/);

      const roster = await api.request('GET', `${V1}/cohorts/${cohort.id}/students`, {
        token: cohort.instructor.token,
      });
      expect(roster.body.items[0]).toMatchObject({
        userId: student.id,
        email: null,
        discordUsername: null,
        status: 'unenrolled',
      });
    });

    it('is for admins and the cohort’s instructors', async () => {
      const { a, b, studentA } = await twoCohorts();
      const path = `${V1}/cohorts/${a.id}/students/${studentA.id}/erase`;
      expect((await api.request('POST', path, { token: b.instructor.token })).status).toBe(404);
      expect((await api.request('POST', path, { token: studentA.token })).status).toBe(403);
      expect((await api.request('POST', path)).status).toBe(401);
      expect(
        (
          await api.request('POST', `${V1}/cohorts/${a.id}/students/${a.instructor.id}/erase`, {
            token: admin.token,
          })
        ).status,
      ).toBe(404);
      expect((await api.prisma.user.findUniqueOrThrow({ where: { id: studentA.id } })).erasedAt).toBeNull();
      expect((await api.request('POST', path, { token: admin.token })).status).toBe(200);
    });
  });

  it('answers 401 without a token on every protected route, and lets only join and reset-password through', async () => {
    const id = randomUUID();
    const other = randomUUID();
    const routes: [string, string][] = [
      ['GET', '/me'],
      ['POST', '/me/discord-link'],
      ['POST', '/cohorts/join/discord'],
      ['POST', '/discord/link'],
      ['POST', '/service-tokens'],
      ['GET', '/service-tokens'],
      ['DELETE', `/service-tokens/${id}`],
      ['POST', '/users'],
      ['GET', '/users'],
      ['POST', `/cohorts/${id}/students/${other}/password-reset`],
      ['POST', '/cohorts'],
      ['GET', '/cohorts'],
      ['GET', `/cohorts/${id}`],
      ['PATCH', `/cohorts/${id}`],
      ['DELETE', `/cohorts/${id}`],
      ['POST', `/cohorts/${id}/invites`],
      ['GET', `/cohorts/${id}/invites`],
      ['DELETE', `/cohorts/${id}/invites/${other}`],
      ['GET', `/cohorts/${id}/students`],
      ['PUT', `/cohorts/${id}/instructors/${other}`],
      ['DELETE', `/cohorts/${id}/instructors/${other}`],
      ['DELETE', `/cohorts/${id}/students/${other}`],
      ['POST', `/cohorts/${id}/students/${other}/erase`],
      ['POST', `/cohorts/${id}/roster`],
    ];
    for (const [method, path] of routes) {
      const res = await api.request(method, `${V1}${path}`, {
        body: method === 'GET' || method === 'DELETE' ? undefined : {},
      });
      expect([method, path, res.status]).toEqual([method, path, 401]);
    }
    // The two public routes validate instead of asking for a token.
    expect((await api.request('POST', `${V1}/auth/join`, { headers: freshIp(), body: {} })).status).toBe(400);
    expect(
      (await api.request('POST', `${V1}/auth/reset-password`, { headers: freshIp(), body: {} })).status,
    ).toBe(400);
  });

  it('publishes every route in the OpenAPI document', async () => {
    const res = await api.request('GET', '/api/docs-json');
    expect(res.status).toBe(200);
    const paths = Object.keys(res.body.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/me',
        '/api/v1/auth/join',
        '/api/v1/cohorts/join/discord',
        '/api/v1/me/discord-link',
        '/api/v1/discord/link',
        '/api/v1/service-tokens',
        '/api/v1/service-tokens/{id}',
        '/api/v1/users',
        '/api/v1/cohorts/{id}/students/{userId}/password-reset',
        '/api/v1/auth/reset-password',
        '/api/v1/cohorts',
        '/api/v1/cohorts/{id}',
        '/api/v1/cohorts/{id}/invites',
        '/api/v1/cohorts/{id}/invites/{inviteId}',
        '/api/v1/cohorts/{id}/students',
        '/api/v1/cohorts/{id}/instructors/{userId}',
        '/api/v1/cohorts/{id}/students/{userId}',
        '/api/v1/cohorts/{id}/students/{userId}/erase',
        '/api/v1/cohorts/{id}/roster',
      ]),
    );
  });
});
