import { sha256 } from '@kubecohort/auth';
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
  uniqueEmail,
} from './support/cohort-fixtures.js';

const V1 = '/api/v1';

describe('identity: /me, join, Discord, service tokens, users, password resets', () => {
  let api: ApiHarness;
  let admin: TestUser;
  let bot: { id: string; token: string; userId: string };

  beforeAll(async () => {
    api = await ApiHarness.start();
    admin = await api.createUser('admin');
    bot = await api.createServiceToken(['join-students']);
  });
  afterAll(() => api.stop());

  const join = (body: Record<string, unknown>, headers = freshIp()) =>
    api.request('POST', `${V1}/auth/join`, { headers, body });
  const joinBody = (cohort: CohortFixture, overrides: Record<string, unknown> = {}) => ({
    inviteCode: cohort.invite.code,
    displayName: 'Ada Lovelace',
    email: uniqueEmail(),
    password: `pw-${randomUUID()}`,
    ...overrides,
  });

  describe('GET /me', () => {
    it('needs a token', async () => {
      const res = await api.request('GET', `${V1}/me`);
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('unauthorized');
    });

    it('describes a staff account without enrollment or Discord', async () => {
      const res = await api.request('GET', `${V1}/me`, { token: admin.token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id: admin.id,
        email: admin.email,
        displayName: expect.any(String),
        role: 'admin',
        discord: null,
        enrollment: null,
      });
    });

    it("describes a student's active enrollment", async () => {
      const cohort = await createCohort(api);
      const student = await joinStudent(api, cohort, { displayName: 'Grace' });
      const res = await api.request('GET', `${V1}/me`, { token: student.token });
      expect(res.body).toEqual({
        id: student.id,
        email: student.email,
        displayName: 'Grace',
        role: 'student',
        discord: null,
        enrollment: {
          id: expect.any(String),
          cohortId: cohort.id,
          cohortName: cohort.name,
          status: 'active',
          currentStep: 1,
        },
      });
    });

    it('refuses a service token without a scope for it', async () => {
      const res = await api.request('GET', `${V1}/me`, { token: bot.token });
      expect(res.status).toBe(403);
      expect(res.body.error).toBe('scope_missing');
    });
  });

  describe('POST /auth/join', () => {
    it('creates the student, enrolls them, takes one invite use and writes an event', async () => {
      const cohort = await createCohort(api);
      const body = joinBody(cohort, { email: `Mixed.Case-${randomUUID()}@Example.ORG` });
      const res = await join(body);
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        accessToken: expect.any(String),
        refreshToken: expect.any(String),
        expiresIn: expect.any(Number),
        cohortId: cohort.id,
      });
      const user = await api.prisma.user.findUniqueOrThrow({ where: { email: body.email.toLowerCase() } });
      expect(user.role).toBe('student');
      expect(user.passwordHash).toMatch(/^\$argon2id\$/);
      expect((await api.prisma.inviteCode.findUniqueOrThrow({ where: { id: cohort.invite.id } })).uses).toBe(
        1,
      );
      const events = await eventsOf(api, cohort.id, 'enrollment.changed');
      expect(events.map((event) => [event.payload, event.subjectUserId])).toEqual([
        [{ userId: user.id, status: 'active' }, user.id],
      ]);
      // The tokens work, and the new account can log in.
      const login = await api.request('POST', `${V1}/auth/login`, {
        headers: freshIp(),
        body: { email: body.email, password: body.password },
      });
      expect(login.status).toBe(200);
    });

    it('is idempotent for the same cohort with the right password, and reuses the account', async () => {
      const cohort = await createCohort(api);
      const body = joinBody(cohort);
      expect((await join(body)).status).toBe(201);
      const again = await join(body);
      expect(again.status).toBe(201);
      expect(again.body.cohortId).toBe(cohort.id);
      const user = await api.prisma.user.findUniqueOrThrow({ where: { email: body.email } });
      expect(await api.prisma.enrollment.count({ where: { userId: user.id } })).toBe(1);
      expect((await api.prisma.inviteCode.findUniqueOrThrow({ where: { id: cohort.invite.id } })).uses).toBe(
        1,
      );
      expect(await eventsOf(api, cohort.id, 'enrollment.changed')).toHaveLength(1);
    });

    it('reuses an existing account only when its password checks out', async () => {
      const cohort = await createCohort(api);
      const body = joinBody(cohort);
      await join(body);
      const wrong = await join({ ...body, password: 'not-the-password' });
      expect(wrong.status).toBe(401);
      expect(wrong.body).toEqual({
        error: 'invalid_credentials',
        message: 'email or password is wrong',
        details: [],
      });
      // A student created elsewhere (no enrollment yet) joins with their own password.
      const existing = await api.createUser('student');
      const ok = await join(joinBody(cohort, { email: existing.email, password: existing.password }));
      expect(ok.status).toBe(201);
    });

    it('allows one active enrollment per student: another cohort is 409 already_enrolled', async () => {
      const a = await createCohort(api);
      const b = await createCohort(api);
      const body = joinBody(a);
      await join(body);
      const res = await join({ ...body, inviteCode: b.invite.code });
      expect(res.status).toBe(409);
      expect(res.body.error).toBe('already_enrolled');
      expect((await api.prisma.inviteCode.findUniqueOrThrow({ where: { id: b.invite.id } })).uses).toBe(0);
    });

    it('refuses staff accounts with 409, but only after their password checks out', async () => {
      const cohort = await createCohort(api);
      const instructor = await api.createUser('instructor');
      const right = await join(joinBody(cohort, { email: instructor.email, password: instructor.password }));
      expect(right.status).toBe(409);
      expect(right.body.error).toBe('staff_cannot_join');
      const wrong = await join(joinBody(cohort, { email: instructor.email, password: 'guess-guess' }));
      expect(wrong.status).toBe(401);
    });

    it('explains unknown, revoked, expired and used-up invites', async () => {
      const cohort = await createCohort(api);
      const unknown = await join(joinBody(cohort, { inviteCode: 'ZZZZZZZZ' }));
      expect(unknown.status).toBe(404);
      expect(unknown.body.error).toBe('invite_invalid');
      expect(unknown.body.message).toMatch(/not valid/);

      const revoked = await api.request('POST', `${V1}/cohorts/${cohort.id}/invites`, {
        token: cohort.instructor.token,
        body: {},
      });
      await api.request('DELETE', `${V1}/cohorts/${cohort.id}/invites/${revoked.body.id}`, {
        token: cohort.instructor.token,
      });
      const r = await join(joinBody(cohort, { inviteCode: revoked.body.code }));
      expect([r.status, r.body.error]).toEqual([404, 'invite_revoked']);

      const expired = await api.request('POST', `${V1}/cohorts/${cohort.id}/invites`, {
        token: cohort.instructor.token,
        body: {},
      });
      await api.prisma.inviteCode.update({
        where: { id: expired.body.id },
        data: { expiresAt: new Date(Date.now() - 1000) },
      });
      const e = await join(joinBody(cohort, { inviteCode: expired.body.code }));
      expect([e.status, e.body.error]).toEqual([404, 'invite_expired']);

      const single = await api.request('POST', `${V1}/cohorts/${cohort.id}/invites`, {
        token: cohort.instructor.token,
        body: { maxUses: 1 },
      });
      expect((await join(joinBody(cohort, { inviteCode: single.body.code }))).status).toBe(201);
      const u = await join(joinBody(cohort, { inviteCode: single.body.code.toLowerCase() }));
      expect([u.status, u.body.error]).toEqual([404, 'invite_used_up']);
    });

    it('never exceeds maxUses under concurrent joins', async () => {
      const cohort = await createCohort(api);
      const invite = await api.request('POST', `${V1}/cohorts/${cohort.id}/invites`, {
        token: cohort.instructor.token,
        body: { maxUses: 3 },
      });
      const results = await Promise.all(
        Array.from({ length: 8 }, () => join(joinBody(cohort, { inviteCode: invite.body.code }))),
      );
      expect(results.filter((res) => res.status === 201)).toHaveLength(3);
      expect(
        results.filter((res) => res.status === 404).every((res) => res.body.error === 'invite_used_up'),
      ).toBe(true);
      expect((await api.prisma.inviteCode.findUniqueOrThrow({ where: { id: invite.body.id } })).uses).toBe(3);
    });

    it('lets a roster-imported student set their password at first join, with the same email and that cohort’s invite', async () => {
      const cohort = await createCohort(api);
      const other = await createCohort(api);
      const email = uniqueEmail('roster');
      const imported = await api.request('POST', `${V1}/cohorts/${cohort.id}/roster`, {
        token: cohort.instructor.token,
        raw: `name,email\nRoster Student,${email}\n`,
        contentType: 'text/csv',
      });
      expect(imported.body.created).toBe(1);
      // An invite of another cohort cannot claim the account.
      const elsewhere = await join(joinBody(other, { email, password: 'first-password' }));
      expect(elsewhere.status).toBe(401);

      const first = await join(
        joinBody(cohort, { email, password: 'first-password', displayName: 'Chosen Name' }),
      );
      expect(first.status).toBe(201);
      const user = await api.prisma.user.findUniqueOrThrow({ where: { email } });
      expect(user.passwordHash).not.toBeNull();
      expect(user.displayName).toBe('Roster Student'); // the roster's name stays authoritative
      expect(await api.prisma.enrollment.count({ where: { userId: user.id } })).toBe(1);
      // From now on the password is needed.
      expect((await join(joinBody(cohort, { email, password: 'someone-else' }))).status).toBe(401);
      expect(
        (
          await api.request('POST', `${V1}/auth/login`, {
            headers: freshIp(),
            body: { email, password: 'first-password' },
          })
        ).status,
      ).toBe(200);
    });

    it('refuses to re-enroll a student removed from the cohort', async () => {
      const cohort = await createCohort(api);
      const body = joinBody(cohort);
      await join(body);
      const user = await api.prisma.user.findUniqueOrThrow({ where: { email: body.email } });
      await api.request('DELETE', `${V1}/cohorts/${cohort.id}/students/${user.id}`, {
        token: cohort.instructor.token,
      });
      const res = await join(body);
      expect([res.status, res.body.error]).toEqual([409, 'enrollment_removed']);
    });

    it('validates the body field by field', async () => {
      const res = await join({
        inviteCode: '',
        displayName: '   ',
        email: 'nope',
        password: 'short',
        extra: true,
      });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('validation_failed');
      const fields = res.body.details.map((detail: { field: string }) => detail.field);
      expect(fields).toEqual(
        expect.arrayContaining(['inviteCode', 'displayName', 'email', 'password', 'extra']),
      );
    });

    it('is rate limited per client address', async () => {
      const headers = freshIp();
      const statuses: number[] = [];
      for (let i = 0; i < 31; i += 1)
        statuses.push(
          (
            await join(
              { inviteCode: 'ZZZZZZZZ', displayName: 'x', email: uniqueEmail(), password: 'password-1' },
              headers,
            )
          ).status,
        );
      expect(statuses.slice(0, 30).every((status) => status === 404)).toBe(true);
      expect(statuses[30]).toBe(429);
      // Another address is unaffected.
      expect(
        (
          await join({
            inviteCode: 'ZZZZZZZZ',
            displayName: 'x',
            email: uniqueEmail(),
            password: 'password-1',
          })
        ).status,
      ).toBe(404);
    });
  });

  describe('POST /cohorts/join/discord', () => {
    const discordJoin = (token: string, body: Record<string, unknown>) =>
      api.request('POST', `${V1}/cohorts/join/discord`, { token, body });

    it('creates a linked student without email or password, and is idempotent', async () => {
      const cohort = await createCohort(api);
      const id = discordId();
      const first = await discordJoin(bot.token, {
        inviteCode: cohort.invite.code,
        discordUserId: id,
        discordUsername: 'ada_l',
      });
      expect(first.status).toBe(201);
      expect(first.body).toEqual({
        userId: expect.any(String),
        cohortId: cohort.id,
        enrollmentId: expect.any(String),
        created: true,
      });
      const user = await api.prisma.user.findUniqueOrThrow({
        where: { id: first.body.userId },
        include: { discordLink: true },
      });
      expect(user).toMatchObject({ email: null, passwordHash: null, displayName: 'ada_l', role: 'student' });
      expect(user.discordLink).toMatchObject({ discordUserId: id, discordUsername: 'ada_l' });

      const again = await discordJoin(bot.token, {
        inviteCode: cohort.invite.code,
        discordUserId: id,
        discordUsername: 'ada_l',
      });
      expect(again.status).toBe(201);
      expect(again.body).toEqual({ ...first.body, created: false });
      expect((await api.prisma.inviteCode.findUniqueOrThrow({ where: { id: cohort.invite.id } })).uses).toBe(
        1,
      );

      const audit = await auditOf(api, 'enrollment.join-discord', first.body.userId);
      expect(audit).toHaveLength(2);
      expect(audit[0]).toMatchObject({
        actorId: bot.userId,
        cohortId: cohort.id,
        metadata: { createdAccount: true, matchedRoster: false, enrolled: true },
      });
    });

    it('links a roster-imported student whose expected Discord username matches', async () => {
      const cohort = await createCohort(api);
      const email = uniqueEmail('roster');
      await api.request('POST', `${V1}/cohorts/${cohort.id}/roster`, {
        token: cohort.instructor.token,
        raw: `name,email,discord username\nLinus Roster,${email},@Linus_R\n`,
        contentType: 'text/csv',
      });
      const rosterUser = await api.prisma.user.findUniqueOrThrow({ where: { email } });
      const res = await discordJoin(bot.token, {
        inviteCode: cohort.invite.code,
        discordUserId: discordId(),
        discordUsername: 'linus_r',
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ userId: rosterUser.id, cohortId: cohort.id, created: false });
      expect(await api.prisma.discordLink.findUnique({ where: { userId: rosterUser.id } })).not.toBeNull();
      // The roster enrollment is the enrollment: no second one, no invite use.
      expect(await api.prisma.enrollment.count({ where: { userId: rosterUser.id } })).toBe(1);
      expect((await api.prisma.inviteCode.findUniqueOrThrow({ where: { id: cohort.invite.id } })).uses).toBe(
        0,
      );
    });

    it('lets the bot act for the linked student afterwards', async () => {
      const cohort = await createCohort(api);
      const id = discordId();
      await discordJoin(bot.token, {
        inviteCode: cohort.invite.code,
        discordUserId: id,
        discordUsername: 'actor',
      });
      const actor = await api.createServiceToken(['act-as-student']);
      const me = await api.request('GET', `${V1}/me`, {
        token: actor.token,
        headers: { 'x-act-as-discord': id },
      });
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({
        email: null,
        discord: { userId: id, username: 'actor' },
        enrollment: { cohortId: cohort.id },
      });
    });

    it('refuses a Discord user already enrolled elsewhere', async () => {
      const a = await createCohort(api);
      const b = await createCohort(api);
      const id = discordId();
      await discordJoin(bot.token, { inviteCode: a.invite.code, discordUserId: id, discordUsername: 'x' });
      const res = await discordJoin(bot.token, {
        inviteCode: b.invite.code,
        discordUserId: id,
        discordUsername: 'x',
      });
      expect([res.status, res.body.error]).toEqual([409, 'already_enrolled']);
    });

    it('needs a service token with scope join-students', async () => {
      const cohort = await createCohort(api);
      const body = { inviteCode: cohort.invite.code, discordUserId: discordId(), discordUsername: 'x' };
      expect((await api.request('POST', `${V1}/cohorts/join/discord`, { body })).status).toBe(401);
      const reader = await api.createServiceToken(['read-cohorts']);
      const wrongScope = await discordJoin(reader.token, body);
      expect([wrongScope.status, wrongScope.body.error]).toEqual([403, 'scope_missing']);
      const human = await discordJoin(admin.token, body);
      expect([human.status, human.body.error]).toEqual([403, 'service_only']);
    });

    it('validates the body', async () => {
      const res = await discordJoin(bot.token, {
        inviteCode: 'ABCDEFGH',
        discordUserId: 'not-a-snowflake',
        discordUsername: '',
      });
      expect(res.status).toBe(400);
      expect(res.body.details.map((detail: { field: string }) => detail.field)).toEqual(
        expect.arrayContaining(['discordUserId', 'discordUsername']),
      );
    });
  });

  describe('Discord link codes', () => {
    const redeem = (body: Record<string, unknown>, token = bot.token) =>
      api.request('POST', `${V1}/discord/link`, { token, body });

    it('links a web account with a one-time code whose hash alone is stored', async () => {
      const user = await api.createUser('student');
      const created = await api.request('POST', `${V1}/me/discord-link`, { token: user.token });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        code: expect.stringMatching(/^[A-Z2-9]{8}$/),
        expiresAt: expect.any(String),
      });
      const ttl = new Date(created.body.expiresAt).getTime() - Date.now();
      expect(ttl).toBeGreaterThan(9 * 60_000);
      expect(ttl).toBeLessThanOrEqual(10 * 60_000);
      const stored = await api.prisma.discordLinkCode.findMany({ where: { userId: user.id } });
      expect(stored).toEqual([expect.objectContaining({ codeHash: sha256(created.body.code) })]);

      const id = discordId();
      const res = await redeem({
        code: created.body.code.toLowerCase(),
        discordUserId: id,
        discordUsername: 'linked_user',
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ userId: user.id });
      const me = await api.request('GET', `${V1}/me`, { token: user.token });
      expect(me.body.discord).toEqual({ userId: id, username: 'linked_user' });
      expect(await auditOf(api, 'discord.link', user.id)).toHaveLength(1);

      const reuse = await redeem({
        code: created.body.code,
        discordUserId: id,
        discordUsername: 'linked_user',
      });
      expect([reuse.status, reuse.body.error]).toEqual([404, 'link_code_invalid']);
    });

    it('refuses a Discord id linked to another user (409) without burning the code', async () => {
      const owner = await api.createUser('student');
      const takenId = discordId();
      await api.prisma.discordLink.create({
        data: { userId: owner.id, discordUserId: takenId, discordUsername: 'owner' },
      });
      const user = await api.createUser('student');
      const { body } = await api.request('POST', `${V1}/me/discord-link`, { token: user.token });
      const conflict = await redeem({ code: body.code, discordUserId: takenId, discordUsername: 'thief' });
      expect([conflict.status, conflict.body.error]).toEqual([409, 'discord_already_linked']);
      expect(
        (await redeem({ code: body.code, discordUserId: discordId(), discordUsername: 'mine' })).status,
      ).toBe(200);
    });

    it('refuses expired codes and callers without the scope', async () => {
      const user = await api.createUser('student');
      const { body } = await api.request('POST', `${V1}/me/discord-link`, { token: user.token });
      const reader = await api.createServiceToken(['read-cohorts']);
      expect(
        (await redeem({ code: body.code, discordUserId: discordId(), discordUsername: 'x' }, reader.token))
          .status,
      ).toBe(403);
      expect(
        (await redeem({ code: body.code, discordUserId: discordId(), discordUsername: 'x' }, user.token))
          .status,
      ).toBe(403);
      await api.prisma.discordLinkCode.updateMany({
        where: { userId: user.id },
        data: { expiresAt: new Date(Date.now() - 1000) },
      });
      const expired = await redeem({ code: body.code, discordUserId: discordId(), discordUsername: 'x' });
      expect([expired.status, expired.body.error]).toEqual([404, 'link_code_invalid']);
      expect((await api.request('POST', `${V1}/me/discord-link`)).status).toBe(401);
    });
  });

  describe('service tokens', () => {
    it('creates a token shown once, lists without secrets, and revocation makes it 401', async () => {
      const created = await api.request('POST', `${V1}/service-tokens`, {
        token: admin.token,
        body: { name: 'reader bot', scopes: ['read-cohorts'] },
      });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.any(String),
        token: expect.stringMatching(/^kcs_/),
        scopes: ['read-cohorts'],
      });
      expect((await api.request('GET', `${V1}/cohorts`, { token: created.body.token })).status).toBe(200);

      const list = await api.request('GET', `${V1}/service-tokens`, { token: admin.token });
      expect(list.status).toBe(200);
      const row = list.body.items.find((item: { id: string }) => item.id === created.body.id);
      expect(row).toMatchObject({ name: 'reader bot', scopes: ['read-cohorts'], revokedAt: null });
      expect(list.text).not.toContain(created.body.token.slice(-43)); // kcs_<12-char lookup>_<43-char secret>
      expect(Object.keys(row).sort()).toEqual([
        'createdAt',
        'expiresAt',
        'id',
        'lastUsedAt',
        'name',
        'revokedAt',
        'scopes',
      ]);

      expect(
        (await api.request('DELETE', `${V1}/service-tokens/${created.body.id}`, { token: admin.token }))
          .status,
      ).toBe(204);
      const revoked = await api.request('GET', `${V1}/cohorts`, { token: created.body.token });
      expect(revoked.status).toBe(401);
      expect(
        (await api.request('DELETE', `${V1}/service-tokens/${created.body.id}`, { token: admin.token }))
          .status,
      ).toBe(204);
      expect(
        (await api.request('DELETE', `${V1}/service-tokens/${randomUUID()}`, { token: admin.token })).status,
      ).toBe(404);

      expect(await auditOf(api, 'service-token.create', created.body.id)).toHaveLength(1);
      expect(await auditOf(api, 'service-token.revoke', created.body.id)).toHaveLength(1);
    });

    it('validates scopes against the known set', async () => {
      const res = await api.request('POST', `${V1}/service-tokens`, {
        token: admin.token,
        body: { name: 'x', scopes: ['root', 'read-cohorts'] },
      });
      expect(res.status).toBe(400);
      expect(res.body.details).toEqual(
        expect.arrayContaining([expect.objectContaining({ field: 'scopes' })]),
      );
      const empty = await api.request('POST', `${V1}/service-tokens`, {
        token: admin.token,
        body: { name: 'x', scopes: [] },
      });
      expect(empty.status).toBe(400);
    });

    it('is for admins only', async () => {
      const instructor = await api.createUser('instructor');
      expect((await api.request('GET', `${V1}/service-tokens`, { token: instructor.token })).status).toBe(
        403,
      );
      expect(
        (
          await api.request('POST', `${V1}/service-tokens`, {
            token: instructor.token,
            body: { name: 'x', scopes: ['grading'] },
          })
        ).status,
      ).toBe(403);
      expect((await api.request('GET', `${V1}/service-tokens`, { token: bot.token })).status).toBe(403);
      expect((await api.request('GET', `${V1}/service-tokens`)).status).toBe(401);
    });
  });

  describe('users', () => {
    it('admins create staff accounts that can log in; duplicates are 409', async () => {
      const email = uniqueEmail('teacher');
      const res = await api.request('POST', `${V1}/users`, {
        token: admin.token,
        body: { email, displayName: 'Teacher', role: 'instructor', password: 'teacher-password' },
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        id: expect.any(String),
        email,
        displayName: 'Teacher',
        role: 'instructor',
      });
      expect(res.body.passwordHash).toBeUndefined();
      expect(
        (
          await api.request('POST', `${V1}/auth/login`, {
            headers: freshIp(),
            body: { email, password: 'teacher-password' },
          })
        ).status,
      ).toBe(200);
      const dup = await api.request('POST', `${V1}/users`, {
        token: admin.token,
        body: {
          email: email.toUpperCase(),
          displayName: 'Again',
          role: 'admin',
          password: 'teacher-password',
        },
      });
      expect([dup.status, dup.body.error]).toEqual([409, 'email_taken']);
      const audit = await auditOf(api, 'user.create', res.body.id);
      expect(audit).toHaveLength(1);
      expect(JSON.stringify(audit[0]!.metadata)).not.toContain(email);
    });

    it('validates the role and the body', async () => {
      const res = await api.request('POST', `${V1}/users`, {
        token: admin.token,
        body: { email: 'x', displayName: '', role: 'student', password: '1' },
      });
      expect(res.status).toBe(400);
      expect(res.body.details.map((detail: { field: string }) => detail.field)).toEqual(
        expect.arrayContaining(['email', 'displayName', 'role', 'password']),
      );
    });

    it('lists users by role, page by page', async () => {
      for (let i = 0; i < 3; i += 1) await api.createUser('instructor');
      const first = await api.request('GET', `${V1}/users?role=instructor&limit=2`, { token: admin.token });
      expect(first.status).toBe(200);
      expect(first.body.items).toHaveLength(2);
      expect(first.body.items.every((user: { role: string }) => user.role === 'instructor')).toBe(true);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await api.request(
        'GET',
        `${V1}/users?role=instructor&limit=2&cursor=${first.body.nextCursor}`,
        { token: admin.token },
      );
      expect(second.status).toBe(200);
      const ids = new Set(first.body.items.map((user: { id: string }) => user.id));
      expect(second.body.items.some((user: { id: string }) => ids.has(user.id))).toBe(false);

      const bad = await api.request('GET', `${V1}/users?cursor=garbage`, { token: admin.token });
      expect(bad.status).toBe(400);
      expect(bad.body.details).toEqual([{ field: 'cursor', problem: expect.any(String) }]);
      expect((await api.request('GET', `${V1}/users?role=service`, { token: admin.token })).status).toBe(400);
      expect((await api.request('GET', `${V1}/users?limit=0`, { token: admin.token })).status).toBe(400);
    });

    it('is for admins only', async () => {
      const instructor = await api.createUser('instructor');
      expect((await api.request('GET', `${V1}/users`, { token: instructor.token })).status).toBe(403);
      expect(
        (
          await api.request('POST', `${V1}/users`, {
            token: instructor.token,
            body: { email: uniqueEmail(), displayName: 'x', role: 'admin', password: 'password-1' },
          })
        ).status,
      ).toBe(403);
    });
  });

  describe('password reset', () => {
    it('instructors of the cohort issue a one-time code; redeeming sets the password and revokes sessions', async () => {
      const cohort = await createCohort(api);
      const student = await joinStudent(api, cohort);
      const issued = await api.request(
        'POST',
        `${V1}/cohorts/${cohort.id}/students/${student.id}/password-reset`,
        { token: cohort.instructor.token },
      );
      expect(issued.status).toBe(201);
      expect(issued.body).toEqual({
        code: expect.stringMatching(/^[A-Z2-9]{12}$/),
        expiresAt: expect.any(String),
      });
      const ttl = new Date(issued.body.expiresAt).getTime() - Date.now();
      expect(ttl).toBeGreaterThan(59 * 60_000);
      expect(ttl).toBeLessThanOrEqual(60 * 60_000);
      const stored = await api.prisma.passwordResetCode.findMany({ where: { userId: student.id } });
      expect(stored).toEqual([
        expect.objectContaining({ codeHash: sha256(issued.body.code), issuedById: cohort.instructor.id }),
      ]);
      expect(await auditOf(api, 'password-reset.issue', student.id)).toHaveLength(1);

      const reset = await api.request('POST', `${V1}/auth/reset-password`, {
        headers: freshIp(),
        body: { email: student.email, code: issued.body.code, newPassword: 'brand-new-password' },
      });
      expect(reset.status).toBe(200);
      expect(reset.body).toEqual({
        accessToken: expect.any(String),
        refreshToken: expect.any(String),
        expiresIn: expect.any(Number),
      });
      expect(
        (
          await api.request('POST', `${V1}/auth/refresh`, {
            headers: freshIp(),
            body: { refreshToken: student.refreshToken },
          })
        ).status,
      ).toBe(401);
      expect(
        (
          await api.request('POST', `${V1}/auth/refresh`, {
            headers: freshIp(),
            body: { refreshToken: reset.body.refreshToken },
          })
        ).status,
      ).toBe(200);
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
          await api.request('POST', `${V1}/auth/login`, {
            headers: freshIp(),
            body: { email: student.email, password: 'brand-new-password' },
          })
        ).status,
      ).toBe(200);

      const reuse = await api.request('POST', `${V1}/auth/reset-password`, {
        headers: freshIp(),
        body: { email: student.email, code: issued.body.code, newPassword: 'another-password' },
      });
      expect([reuse.status, reuse.body.error]).toEqual([401, 'invalid_reset_code']);
    });

    it('refuses a code with another email, wrong codes and bad bodies', async () => {
      const cohort = await createCohort(api);
      const student = await joinStudent(api, cohort);
      const other = await joinStudent(api, cohort);
      const issued = await api.request(
        'POST',
        `${V1}/cohorts/${cohort.id}/students/${student.id}/password-reset`,
        { token: cohort.instructor.token },
      );
      const wrongEmail = await api.request('POST', `${V1}/auth/reset-password`, {
        headers: freshIp(),
        body: { email: other.email, code: issued.body.code, newPassword: 'brand-new-password' },
      });
      expect(wrongEmail.status).toBe(401);
      const wrongCode = await api.request('POST', `${V1}/auth/reset-password`, {
        headers: freshIp(),
        body: { email: student.email, code: 'AAAAAAAAAAAA', newPassword: 'brand-new-password' },
      });
      expect(wrongCode.status).toBe(401);
      const invalid = await api.request('POST', `${V1}/auth/reset-password`, {
        headers: freshIp(),
        body: { email: 'x', code: '', newPassword: 'short' },
      });
      expect(invalid.status).toBe(400);
      expect(invalid.body.details.map((detail: { field: string }) => detail.field)).toEqual(
        expect.arrayContaining(['email', 'code', 'newPassword']),
      );
    });

    it("is for the cohort's staff: another cohort's instructor gets 404, students 403", async () => {
      const a = await createCohort(api);
      const b = await createCohort(api);
      const student = await joinStudent(api, a);
      const studentB = await joinStudent(api, b);
      const path = `${V1}/cohorts/${a.id}/students/${student.id}/password-reset`;
      expect((await api.request('POST', path, { token: b.instructor.token })).status).toBe(404);
      expect((await api.request('POST', path, { token: studentB.token })).status).toBe(403);
      expect((await api.request('POST', path)).status).toBe(401);
      // A real student id of cohort B under cohort A's path is not found either.
      expect(
        (
          await api.request('POST', `${V1}/cohorts/${a.id}/students/${studentB.id}/password-reset`, {
            token: a.instructor.token,
          })
        ).status,
      ).toBe(404);
      expect((await api.request('POST', path, { token: admin.token })).status).toBe(201);
    });
  });
});
