import { CurriculumSeeder } from '@kubecohort/curriculum';
import { expect } from '@jest/globals';
import { randomInt, randomUUID } from 'node:crypto';
import type { ApiHarness, TestUser } from './api-harness.js';

/**
 * Fixtures for identity and cohort tests. Everything is created fresh per call (unique names,
 * emails and client addresses), so tests never depend on each other's rows or rate-limit buckets.
 */

const seeded = new WeakMap<ApiHarness, Promise<unknown>>();

/** Cohorts need a published curriculum; seeding is idempotent and serialised by the seeder. */
export function seedCurriculum(api: ApiHarness): Promise<unknown> {
  let done = seeded.get(api);
  if (!done) {
    done = new CurriculumSeeder(api.prisma).seed();
    seeded.set(api, done);
  }
  return done;
}

/** A client address of its own (the api trusts X-Forwarded-For from loopback), for per-ip rate limits. */
export function freshIp(): Record<string, string> {
  return { 'x-forwarded-for': `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}` };
}

export function uniqueEmail(prefix = 'student'): string {
  return `${prefix}-${randomUUID()}@test.kubecohort.dev`;
}

export function discordId(): string {
  return String(randomInt(1e9, 2 ** 47)) + String(randomInt(1e5, 1e6));
}

export interface CohortFixture {
  id: string;
  name: string;
  instructor: TestUser;
  invite: { id: string; code: string };
}

/** A cohort created through the api by a fresh instructor (who teaches it), with an open invite. */
export async function createCohort(
  api: ApiHarness,
  options: { instructor?: TestUser; name?: string } = {},
): Promise<CohortFixture> {
  await seedCurriculum(api);
  const instructor = options.instructor ?? (await api.createUser('instructor'));
  const name = options.name ?? `Cohort ${randomUUID().slice(0, 8)}`;
  const created = await api.request('POST', '/api/v1/cohorts', { token: instructor.token, body: { name } });
  expect(created.status).toBe(201);
  const invite = await api.request('POST', `/api/v1/cohorts/${created.body.id}/invites`, {
    token: instructor.token,
    body: {},
  });
  expect(invite.status).toBe(201);
  return {
    id: created.body.id as string,
    name,
    instructor,
    invite: { id: invite.body.id as string, code: invite.body.code as string },
  };
}

export interface JoinedStudent {
  id: string;
  email: string;
  password: string;
  token: string;
  refreshToken: string;
}

/** A new student who joined the cohort on the web with its invite. */
export async function joinStudent(
  api: ApiHarness,
  cohort: CohortFixture,
  options: { displayName?: string } = {},
): Promise<JoinedStudent> {
  const email = uniqueEmail();
  const password = `pw-${randomUUID()}`;
  const res = await api.request('POST', '/api/v1/auth/join', {
    headers: freshIp(),
    body: { inviteCode: cohort.invite.code, displayName: options.displayName ?? 'Student', email, password },
  });
  expect(res.status).toBe(201);
  const me = await api.request('GET', '/api/v1/me', { token: res.body.accessToken });
  expect(me.status).toBe(200);
  return {
    id: me.body.id as string,
    email,
    password,
    token: res.body.accessToken as string,
    refreshToken: res.body.refreshToken as string,
  };
}

/** Audit rows of one action on one target, newest last. */
export function auditOf(api: ApiHarness, action: string, targetId: string) {
  return api.prisma.auditLog.findMany({ where: { action, targetId }, orderBy: { id: 'asc' } });
}

/** Event rows of one cohort and type, oldest first. */
export function eventsOf(api: ApiHarness, cohortId: string, type: string) {
  return api.prisma.event.findMany({ where: { cohortId, type }, orderBy: { id: 'asc' } });
}
