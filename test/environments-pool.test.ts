import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiHarness, TEST_JWT_SECRET, type TestUser } from './support/api-harness.js';
import { createCohort, joinStudent, type JoinedStudent } from './support/cohort-fixtures.js';
import { createEnvDatabase, type EnvDatabase } from './support/env-database.js';
import {
  call,
  environmentSettings,
  FakeHostCluster,
  privateRedisPrefix,
  startApi,
  startWorker,
  waitForEnvironment,
} from './support/env-harness.js';
import { assertBuilt, type RunningProcess } from './support/processes.js';

const POOL_MIN = 2;
const POOL_MAX = 4;

/**
 * The warm pool end to end: the worker keeps ready, unclaimed vclusters (sized from the rosters
 * of cohorts starting soon), a student's request claims one under a row lock and is ready at
 * once, and the claimed environment's namespaces get the student's labels afterwards.
 */
describe('warm pool (real api and worker processes)', () => {
  let db: EnvDatabase;
  let harness: ApiHarness;
  let host: FakeHostCluster;
  let url: string;
  let admin: TestUser;
  const redisPrefix = privateRedisPrefix();
  const processes: RunningProcess[] = [];

  const as = (token: string, method: string, path: string, body?: unknown) =>
    call(url, method, path, { token, body });

  const readyPool = () => harness.prisma.environment.count({ where: { pooled: true, state: 'ready' } });

  async function poolReaches(count: number, timeoutMs = 40000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await readyPool()) !== count) {
      if (Date.now() > deadline) throw new Error(`the pool has ${await readyPool()} ready, not ${count}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  beforeAll(async () => {
    assertBuilt();
    db = await createEnvDatabase('pool');
    harness = await ApiHarness.start({
      DATABASE_URL: db.url,
      REDIS_PREFIX: redisPrefix,
      ...environmentSettings(),
    });
    admin = await harness.createUser('admin');
    host = await FakeHostCluster.start();
    const started = await startApi({ databaseUrl: db.url, redisPrefix, jwtSecret: TEST_JWT_SECRET });
    processes.push(started.api);
    url = started.url;
    processes.push(
      await startWorker({
        databaseUrl: db.url,
        redisPrefix,
        env: {
          ENV_POOL_MIN: String(POOL_MIN),
          ENV_POOL_MAX: String(POOL_MAX),
          ENV_POOL_LEAD_HOURS: '24',
          ENV_POOL_REFILL_INTERVAL_SECONDS: '1',
        },
      }),
    );
    const registered = await as(admin.token, 'POST', '/api/v1/host-clusters', {
      name: 'pool-host',
      region: 'test',
      kubeconfig: host.kubeconfig(),
      capacityEnvironments: 40,
      capacityCpuMillis: 40 * 1500,
      capacityMemoryMib: 40 * 1536,
    });
    expect(registered.status).toBe(201);
  }, 120000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop('SIGTERM')));
    await harness?.stop();
    await host?.stop();
    await db?.drop();
  }, 60000);

  it('keeps the minimum ready with no demand, unlabelled (nobody owns them yet)', async () => {
    await poolReaches(POOL_MIN);
    const pooled = await harness.prisma.environment.findMany({ where: { pooled: true } });
    expect(pooled.every((e) => e.cohortId === null && e.userId === null && e.activeUserId === null)).toBe(
      true,
    );
    for (const env of pooled) {
      const [ns] = host
        .namespacesOf(env.id)
        .filter((n) => n.metadata.labels?.['kubecohort.dev/role'] === 'vcluster');
      expect(ns!.metadata.labels).not.toHaveProperty('kubecohort.dev/cohort');
      expect(ns!.metadata.labels).not.toHaveProperty('kubecohort.dev/student');
    }
    // Never put to sleep for idleness, never taken for an orphan.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await readyPool()).toBe(POOL_MIN);
  }, 60000);

  it('grows with the roster of a cohort starting soon (up to the maximum)', async () => {
    const cohort = await createCohort(harness);
    await harness.prisma.cohort.update({
      where: { id: cohort.id },
      data: { startsAt: new Date(Date.now() + 3600_000) },
    });
    for (let i = 0; i < 6; i++) await joinStudent(harness, cohort);
    await poolReaches(POOL_MAX);
    await new Promise((r) => setTimeout(r, 1500));
    expect(
      await harness.prisma.environment.count({ where: { pooled: true, state: { not: 'deleted' } } }),
    ).toBe(POOL_MAX);
  }, 60000);

  it('hands each pooled vcluster to exactly one student under concurrency, ready at once', async () => {
    const cohort = await createCohort(harness);
    const students: JoinedStudent[] = [];
    for (let i = 0; i < POOL_MAX + 2; i++) students.push(await joinStudent(harness, cohort));
    const pooledBefore = new Set(
      (await harness.prisma.environment.findMany({ where: { pooled: true, state: 'ready' } })).map(
        (e) => e.id,
      ),
    );
    expect(pooledBefore.size).toBe(POOL_MAX);

    const answers = await Promise.all(
      students.map(async (student) => {
        const started = performance.now();
        const res = await as(student.token, 'POST', '/api/v1/me/environment');
        return { student, res, ms: performance.now() - started };
      }),
    );
    for (const { res } of answers) expect(res.status).toBe(202);
    const claimed = answers.filter((a) => pooledBefore.has(a.res.body.id));
    const fresh = answers.filter((a) => !pooledBefore.has(a.res.body.id));
    // Every pooled one went to somebody, nobody got two, and no pooled one went twice.
    expect(claimed).toHaveLength(POOL_MAX);
    expect(new Set(claimed.map((a) => a.res.body.id)).size).toBe(POOL_MAX);
    expect(fresh).toHaveLength(2);
    for (const { res, ms } of claimed) {
      expect(res.body).toMatchObject({ state: 'ready', kubeconfigAvailable: true });
      expect(ms).toBeLessThan(1000);
    }
    for (const { res } of fresh) expect(res.body.state).toBe('requested');
    const rows = await harness.prisma.environment.findMany({
      where: { id: { in: answers.map((a) => a.res.body.id) } },
    });
    expect(new Set(rows.map((r) => r.userId)).size).toBe(students.length);
    for (const row of rows) expect(row.activeUserId).toBe(row.userId);

    // A claimed one is the student's right away: kubeconfig, events, then its namespaces' labels.
    const first = claimed[0]!;
    const kubeconfig = await as(first.student.token, 'GET', '/api/v1/me/environment/kubeconfig');
    expect(kubeconfig.status).toBe(200);
    const events = await harness.prisma.event.findMany({
      where: { cohortId: cohort.id, type: 'environment.changed' },
    });
    expect(
      events.filter((e) => (e.payload as { environmentId: string }).environmentId === first.res.body.id),
    ).toEqual([
      expect.objectContaining({
        payload: expect.objectContaining({ state: 'ready', userId: first.student.id }),
      }),
    ]);
    for (const { res, student } of claimed) {
      const ns = `kc-${(res.body.id as string).replace(/-/g, '')}`;
      // Both namespaces are relabelled, one after the other.
      for (const name of [ns, `${ns}-wb`]) {
        await host.server.waitFor(
          { apiVersion: 'v1', kind: 'Namespace', name },
          (object) => object.metadata.labels?.['kubecohort.dev/student'] === student.id,
          20000,
        );
      }
      const labels = host.namespacesOf(res.body.id).map((n) => n.metadata.labels!);
      expect(labels).toHaveLength(2);
      for (const l of labels)
        expect(l).toMatchObject({ 'kubecohort.dev/cohort': cohort.id, 'kubecohort.dev/student': student.id });
    }
    const claimedRow = rows.find((r) => r.id === first.res.body.id)!;
    expect(claimedRow).toMatchObject({ pooled: false, billedSeconds: 0 });
    expect(claimedRow.claimedAt).not.toBeNull();

    for (const { res } of fresh)
      await waitForEnvironment(harness.prisma, res.body.id, (e) => e.state === 'ready', 40000);
    // The pool refills behind them (the earlier cohort's six still have no environment: the maximum).
    await poolReaches(POOL_MAX);
  }, 120000);

  it('keeps a share per host cluster, by free capacity, filled on that host cluster', async () => {
    // A second, larger host cluster (the same fake API server behind it; names never clash).
    const second = await as(admin.token, 'POST', '/api/v1/host-clusters', {
      name: 'pool-host-large',
      region: 'test',
      kubeconfig: host.kubeconfig(),
      capacityEnvironments: 120,
      capacityCpuMillis: 120 * 1500,
      capacityMemoryMib: 120 * 1536,
    });
    expect(second.status).toBe(201);
    const largeId = second.body.id as string;
    const first = await harness.prisma.hostCluster.findFirstOrThrow({ where: { name: 'pool-host' } });
    // Whatever the pool holds now (all on the first host cluster) is claimed at once.
    const cohort = await createCohort(harness);
    const claimers = await Promise.all(Array.from({ length: POOL_MAX }, () => joinStudent(harness, cohort)));
    const claims = await Promise.all(claimers.map((s) => as(s.token, 'POST', '/api/v1/me/environment')));
    for (const res of claims) expect(res.status).toBe(202);
    const usedOnFirst = await harness.prisma.environment.count({
      where: { hostClusterId: first.id, pooled: false, state: { not: 'deleted' } },
    });
    // 40 - used against 120 free: the maximum of 4 splits 1 / 3 while the first has 20 to 40 free.
    expect(usedOnFirst).toBeLessThanOrEqual(20);
    await poolReaches(POOL_MAX);
    const pooled = await harness.prisma.environment.findMany({
      where: { pooled: true, state: { not: 'deleted' } },
    });
    const on = (id: string) => pooled.filter((e) => e.hostClusterId === id).length;
    expect({ first: on(first.id), large: on(largeId) }).toEqual({ first: 1, large: 3 });
  }, 120000);
});
