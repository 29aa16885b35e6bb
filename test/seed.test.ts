import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { ApiHarness } from './support/api-harness.js';
import { assertBuilt, RunningProcess } from './support/processes.js';

const SEED = 'dist/apps/api/src/seed.js';

describe('seed: curriculum, first admin and demo cohort, idempotently', () => {
  let api: ApiHarness;
  const adminEmail = `admin-${randomUUID()}@test.kubecohort.dev`;
  const env = {
    DATABASE_URL: process.env.DATABASE_URL,
    ADMIN_EMAIL: adminEmail,
    ADMIN_PASSWORD: 'correct horse battery staple',
    DEMO_PASSWORD: 'demo-password-1',
  };
  const seed = async (...args: string[]) => {
    const proc = RunningProcess.start(SEED, env, args);
    const code = await proc.exited;
    if (code !== 0) throw new Error(`seed exited ${code}: ${proc.stderr}`);
    return proc.stdout;
  };
  // Other suites write to the same database meanwhile: count only what the seed owns.
  const demo = { endsWith: '@demo.kubecohort.dev' };
  const counts = async () => ({
    users: await api.prisma.user.count({ where: { OR: [{ email: demo }, { email: adminEmail }] } }),
    versions: await api.prisma.curriculumVersion.count({
      where: { cohorts: { some: { instructors: { some: { user: { email: demo } } } } } },
    }),
    progress: await api.prisma.taskProgress.count({
      where: { cohort: { instructors: { some: { user: { email: demo } } } } },
    }),
    cohorts: await api.prisma.cohort.count({ where: { instructors: { some: { user: { email: demo } } } } }),
  });

  beforeAll(async () => {
    assertBuilt();
    api = await ApiHarness.start();
  });
  afterAll(() => api.stop());

  it('creates the admin and the demo cohort once, and changes nothing the second time', async () => {
    const first = await seed('--demo');
    expect(first).toMatch(new RegExp(`admin ${adminEmail}: created`));
    expect(first).toMatch(/demo cohort: created \(36 students\)/);

    const before = await counts();
    const second = await seed('--demo');
    expect(second).toMatch(/already exists/);
    expect(second).toMatch(/demo cohort: already present/);
    expect(await counts()).toEqual(before);

    const cohort = await api.prisma.cohort.findFirstOrThrow({
      where: { instructors: { some: { user: { email: 'instructor@demo.kubecohort.dev' } } } },
      include: { _count: { select: { enrollments: true } } },
    });
    expect(cohort._count.enrollments).toBe(36);
    // Varied points of the plan: several statuses and several current steps.
    const statuses = await api.prisma.taskProgress.groupBy({
      by: ['status'],
      where: { cohortId: cohort.id },
      _count: true,
    });
    expect(statuses.length).toBeGreaterThanOrEqual(3);
    const steps = await api.prisma.enrollment.groupBy({
      by: ['currentStep'],
      where: { cohortId: cohort.id },
      _count: true,
    });
    expect(steps.length).toBeGreaterThanOrEqual(3);

    // The logins it prints work.
    const instructor = await api.request('POST', '/api/v1/auth/login', {
      body: { email: 'instructor@demo.kubecohort.dev', password: 'demo-password-1' },
    });
    expect(instructor.status).toBe(200);
    const admin = await api.request('POST', '/api/v1/auth/login', {
      body: { email: adminEmail, password: 'correct horse battery staple' },
    });
    expect(admin.status).toBe(200);
  });
});
