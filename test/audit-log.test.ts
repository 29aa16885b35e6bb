import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiHarness, type TestUser } from './support/api-harness.js';
import {
  createCohort,
  joinStudent,
  type CohortFixture,
  type JoinedStudent,
} from './support/cohort-fixtures.js';

const V1 = '/api/v1';

describe('GET /audit-log (admins)', () => {
  let api: ApiHarness;
  let admin: TestUser;
  let cohort: CohortFixture;
  let student: JoinedStudent;

  beforeAll(async () => {
    api = await ApiHarness.start();
    admin = await api.createUser('admin', { displayName: 'Audit Admin' });
    // cohort.create and invite.create by the instructor, enrollment.join by the student, then an update.
    cohort = await createCohort(api);
    student = await joinStudent(api, cohort);
    const renamed = await api.request('PATCH', `${V1}/cohorts/${cohort.id}`, {
      token: cohort.instructor.token,
      body: { name: `${cohort.name} (renamed)` },
    });
    expect(renamed.status).toBe(200);
  });
  afterAll(() => api.stop());

  const list = (query: string, token = admin.token) =>
    api.request('GET', `${V1}/audit-log${query}`, { token });

  it('needs a token', async () => {
    const res = await api.request('GET', `${V1}/audit-log`);
    expect(res.status).toBe(401);
  });

  it('is closed to instructors and students, even for their own cohort', async () => {
    for (const token of [cohort.instructor.token, student.token]) {
      const res = await list(`?cohortId=${cohort.id}`, token);
      expect(res.status).toBe(403);
      expect(res.text).not.toContain('cohort.create');
    }
  });

  it("lists a cohort's entries newest first, with who did what", async () => {
    const res = await list(`?cohortId=${cohort.id}`);
    expect(res.status).toBe(200);
    expect(res.body.nextCursor).toBeNull();
    const actions = (res.body.items as { action: string }[]).map((item) => item.action);
    expect(actions).toEqual(expect.arrayContaining(['cohort.create', 'cohort.update', 'invite.create']));
    expect(actions[0]).toBe('cohort.update');
    const created = (res.body.items as Record<string, unknown>[]).find(
      (item) => item.action === 'cohort.create',
    );
    expect(created).toMatchObject({
      id: expect.stringMatching(/^\d+$/),
      at: expect.any(String),
      actor: { id: cohort.instructor.id, displayName: expect.any(String), role: 'instructor' },
      actAs: null,
      targetType: 'cohort',
      targetId: cohort.id,
      cohortId: cohort.id,
    });
    const ids = (res.body.items as { id: string }[]).map((item) => BigInt(item.id));
    expect([...ids].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0))).toEqual(ids);
  });

  it('filters by actor, exact action and action family', async () => {
    const byActor = await list(`?cohortId=${cohort.id}&actorId=${student.id}`);
    expect(byActor.status).toBe(200);
    expect(byActor.body.items.length).toBeGreaterThan(0);
    for (const item of byActor.body.items as { actor: { id: string } }[])
      expect(item.actor.id).toBe(student.id);

    const exact = await list(`?cohortId=${cohort.id}&action=cohort.update`);
    expect((exact.body.items as { action: string }[]).map((item) => item.action)).toEqual(['cohort.update']);

    const family = await list(`?cohortId=${cohort.id}&action=cohort.*`);
    const actions = (family.body.items as { action: string }[]).map((item) => item.action);
    expect(actions).toEqual(expect.arrayContaining(['cohort.create', 'cohort.update']));
    expect(actions.every((action) => action.startsWith('cohort.'))).toBe(true);
  });

  it('pages with an opaque cursor, no entry twice', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `?cohortId=${cohort.id}&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await list(query);
      expect(res.status).toBe(200);
      expect(res.body.items).toHaveLength(1);
      seen.push(res.body.items[0].id as string);
      cursor = res.body.nextCursor as string | null;
      pages += 1;
    } while (cursor && pages < 20);
    const all = await list(`?cohortId=${cohort.id}`);
    expect(seen).toEqual((all.body.items as { id: string }[]).map((item) => item.id));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('rejects bad filters field by field', async () => {
    const cases: [string, string][] = [
      ['?cohortId=not-a-uuid', 'cohortId'],
      ['?actorId=42', 'actorId'],
      ['?action=DROP%20TABLE', 'action'],
      ['?limit=0', 'limit'],
      ['?limit=500', 'limit'],
      ['?cursor=garbage', 'cursor'],
      ['?sort=asc', 'sort'],
    ];
    for (const [query, field] of cases) {
      const res = await list(query);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect((res.body.details as { field: string }[]).map((detail) => detail.field)).toContain(field);
    }
  });
});
