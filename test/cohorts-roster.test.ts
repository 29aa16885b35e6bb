import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { ApiHarness, type TestUser } from './support/api-harness.js';
import {
  type CohortFixture,
  createCohort,
  eventsOf,
  freshIp,
  joinStudent,
  seedCurriculum,
  uniqueEmail,
} from './support/cohort-fixtures.js';

const V1 = '/api/v1';

describe('roster import: POST /cohorts/:id/roster (text/csv)', () => {
  let api: ApiHarness;
  let admin: TestUser;

  beforeAll(async () => {
    api = await ApiHarness.start();
    admin = await api.createUser('admin');
    await seedCurriculum(api);
  });
  afterAll(() => api.stop());

  const importCsv = (
    cohort: CohortFixture,
    csv: string,
    token = cohort.instructor.token,
    contentType = 'text/csv',
  ) => api.request('POST', `${V1}/cohorts/${cohort.id}/roster`, { token, raw: csv, contentType });

  it('creates password-less students with active enrollments; the same file twice changes nothing', async () => {
    const cohort = await createCohort(api);
    const [ada, grace, alan] = [uniqueEmail('ada'), uniqueEmail('grace'), uniqueEmail('alan')];
    const csv = [
      'name,email,discord',
      `"Lovelace, Ada",${ada.toUpperCase()},@Ada_L`,
      `"Grace ""Amazing"" Hopper",${grace},grace.h`,
      `Alan Turing,${alan},`,
    ].join('\r\n');
    const first = await importCsv(cohort, csv);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ created: 3, updated: 0, unchanged: 0, errors: [] });

    const users = await api.prisma.user.findMany({
      where: { email: { in: [ada, grace, alan] } },
      include: { enrollments: true },
      orderBy: { email: 'asc' },
    });
    expect(users.map((user) => [user.email, user.displayName, user.passwordHash, user.role])).toEqual([
      [ada, 'Lovelace, Ada', null, 'student'],
      [alan, 'Alan Turing', null, 'student'],
      [grace, 'Grace "Amazing" Hopper', null, 'student'],
    ]);
    expect(
      users.map((user) => [user.enrollments[0]?.status, user.enrollments[0]?.expectedDiscordUsername]),
    ).toEqual([
      ['active', 'ada_l'],
      ['active', null],
      ['active', 'grace.h'],
    ]);
    expect(await eventsOf(api, cohort.id, 'enrollment.changed')).toHaveLength(3);

    const second = await importCsv(cohort, csv);
    expect(second.body).toEqual({ created: 0, updated: 0, unchanged: 3, errors: [] });
    expect(await eventsOf(api, cohort.id, 'enrollment.changed')).toHaveLength(3);

    const students = await api.request('GET', `${V1}/cohorts/${cohort.id}/students`, {
      token: cohort.instructor.token,
    });
    expect(students.body.items).toHaveLength(3);
    expect(students.body.items.find((row: { email: string }) => row.email === ada)).toMatchObject({
      displayName: 'Lovelace, Ada',
      discordUsername: null,
      expectedDiscordUsername: 'ada_l',
      status: 'active',
    });
  });

  it('reports bad lines by file line and applies the rest', async () => {
    const cohort = await createCohort(api);
    const other = await createCohort(api);
    const staff = await api.createUser('instructor');
    const elsewhere = await joinStudent(api, other);
    const good = uniqueEmail('good');
    const multi = uniqueEmail('multi');
    const csv = [
      'Name,Email,Discord_Username', // line 1
      `Good Student,${good},good`, // 2
      ',missing-name@example.org,', // 3
      'Bad Mail,not-an-email,', // 4
      `Duplicate,${good.toUpperCase()},dup`, // 5
      `Staff Person,${staff.email},`, // 6
      `Enrolled Elsewhere,${elsewhere.email},`, // 7
      `Doe, Jane,${uniqueEmail()},jd`, // 8: unquoted comma
      `"Multi`, // 9
      `Line",${multi},`, // 10
      `"Broken"quote,${uniqueEmail()},`, // 11
      '', // 12: blank, skipped
    ].join('\n');
    const res = await importCsv(cohort, csv);
    expect(res.status).toBe(200);
    expect(res.body.created).toBe(2);
    expect(res.body.errors).toEqual([
      { line: 3, message: 'name is missing' },
      { line: 4, message: 'email is not a valid address' },
      { line: 5, message: 'duplicate email (already on line 2)' },
      { line: 6, message: 'email belongs to a staff account' },
      { line: 7, message: 'student is enrolled in another cohort' },
      { line: 8, message: expect.stringContaining('expected 3 fields') },
      { line: 11, message: expect.stringContaining('closing quote') },
    ]);
    expect((await api.prisma.user.findUniqueOrThrow({ where: { email: multi } })).displayName).toBe(
      'Multi\nLine',
    );
    // Nothing happened to the staff account or the other cohort's student.
    expect(await api.prisma.enrollment.count({ where: { userId: staff.id } })).toBe(0);
    expect(await api.prisma.enrollment.count({ where: { userId: elsewhere.id } })).toBe(1);
  });

  it('updates changed names and Discord usernames, re-enrolls removed students, enrolls existing accounts', async () => {
    const cohort = await createCohort(api);
    const [one, two, three] = [uniqueEmail(), uniqueEmail(), uniqueEmail()];
    await importCsv(cohort, `name,email,discord\nOne,${one},one\nTwo,${two},two\n`);
    const existing = await api.createUser('student');
    const twoUser = await api.prisma.user.findUniqueOrThrow({ where: { email: two } });
    await api.request('DELETE', `${V1}/cohorts/${cohort.id}/students/${twoUser.id}`, {
      token: cohort.instructor.token,
    });

    const res = await importCsv(
      cohort,
      `name,email,discord\nOne Renamed,${one},one\nTwo,${two},two_new\nThree,${three},\nExisting,${existing.email},ex\n`,
    );
    expect(res.body).toEqual({ created: 2, updated: 2, unchanged: 0, errors: [] });
    expect((await api.prisma.user.findUniqueOrThrow({ where: { email: one } })).displayName).toBe(
      'One Renamed',
    );
    const twoEnrollment = await api.prisma.enrollment.findFirstOrThrow({ where: { userId: twoUser.id } });
    expect(twoEnrollment).toMatchObject({
      status: 'active',
      activeUserId: twoUser.id,
      expectedDiscordUsername: 'two_new',
    });
    const existingEnrollment = await api.prisma.enrollment.findFirstOrThrow({
      where: { userId: existing.id },
    });
    expect(existingEnrollment).toMatchObject({
      cohortId: cohort.id,
      status: 'active',
      expectedDiscordUsername: 'ex',
    });
    // The existing account keeps its password.
    expect(
      (
        await api.request('POST', `${V1}/auth/login`, {
          headers: freshIp(),
          body: { email: existing.email, password: existing.password },
        })
      ).status,
    ).toBe(200);

    // A file without a Discord column leaves expected usernames alone; an empty cell clears one.
    expect((await importCsv(cohort, `email,name\n${one},One Renamed\n`)).body.unchanged).toBe(1);
    expect(
      (await api.prisma.enrollment.findFirstOrThrow({ where: { user: { email: one } } }))
        .expectedDiscordUsername,
    ).toBe('one');
    expect((await importCsv(cohort, `name,email,discord\nOne Renamed,${one},\n`)).body.updated).toBe(1);
    expect(
      (await api.prisma.enrollment.findFirstOrThrow({ where: { user: { email: one } } }))
        .expectedDiscordUsername,
    ).toBeNull();
  });

  it('refuses files it cannot read as a whole', async () => {
    const cohort = await createCohort(api);
    const noHeader = await importCsv(cohort, `Ada,${uniqueEmail()}\n`);
    expect(noHeader.status).toBe(400);
    expect(noHeader.body.details).toEqual([
      { field: 'header', problem: expect.stringContaining('name,email') },
    ]);
    const empty = await importCsv(cohort, '');
    expect(empty.status).toBe(400);
    const json = await api.request('POST', `${V1}/cohorts/${cohort.id}/roster`, {
      token: cohort.instructor.token,
      body: { name: 'x' },
    });
    expect([json.status, json.body.error]).toEqual([415, 'unsupported_media_type']);
    const headerOnly = await importCsv(cohort, 'name,email,discord\n');
    expect(headerOnly.body).toEqual({ created: 0, updated: 0, unchanged: 0, errors: [] });
  });

  it('audits counts only, never the people in the file', async () => {
    const cohort = await createCohort(api);
    const email = uniqueEmail('audited');
    await importCsv(cohort, `name,email\nSecret Name,${email}\nbad,nope\n`);
    const rows = await api.prisma.auditLog.findMany({
      where: { action: 'roster.import', cohortId: cohort.id },
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actorId: cohort.instructor.id,
      metadata: { created: 1, updated: 0, unchanged: 0, errors: 1 },
    });
    expect(JSON.stringify({ ...rows[0], id: null })).not.toMatch(/Secret|audited/);
  });

  it("is for the cohort's staff", async () => {
    const a = await createCohort(api);
    const b = await createCohort(api);
    const student = await joinStudent(api, a);
    const csv = `name,email\nX,${uniqueEmail()}\n`;
    expect((await importCsv(a, csv, b.instructor.token)).status).toBe(404);
    expect((await importCsv(a, csv, student.token)).status).toBe(403);
    expect(
      (await api.request('POST', `${V1}/cohorts/${a.id}/roster`, { raw: csv, contentType: 'text/csv' }))
        .status,
    ).toBe(401);
    expect((await importCsv(a, csv, admin.token)).status).toBe(200);
    expect(
      (
        await api.request('POST', `${V1}/cohorts/${randomUUID()}/roster`, {
          token: admin.token,
          raw: csv,
          contentType: 'text/csv',
        })
      ).status,
    ).toBe(404);
  });
});
