import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EnvironmentOperationView } from '@kubecohort/contracts';
import { ApiHarness, TEST_JWT_SECRET, type TestUser } from './support/api-harness.js';
import {
  createCohort,
  joinStudent,
  type CohortFixture,
  type JoinedStudent,
} from './support/cohort-fixtures.js';
import { createEnvDatabase, type EnvDatabase } from './support/env-database.js';
import {
  call,
  environmentSettings,
  FakeHostCluster,
  privateRedisPrefix,
  startApi,
  startWorker,
  waitForEnvironment,
  type HttpAnswer,
} from './support/env-harness.js';
import { assertBuilt, type RunningProcess } from './support/processes.js';

const CONCURRENCY = 3;
/** The crash test: a cohort this size, and the restarted worker's bulk concurrency. */
const CRASH_STUDENTS = 100;
const CRASH_CONCURRENCY = 10;
const AWAKE_HOURS_PER_DAY = 8;
/** One environment in these tests: vcluster quota 1000m/1024Mi plus workbench 500m/512Mi. */
const CPU_PER_ENV = 1.5;
const GIB_PER_ENV = 1.5;
/** Far above what any environment here runs, except the one the cap test bills an hour to. */
const STUDENT_CAP_CPU_HOURS = 1;

/**
 * Cohort-wide provisioning, placement over several host clusters, budgets and the cost forecast,
 * end to end: the api and the worker as real processes, real PostgreSQL and Redis, the fake
 * Kubernetes API server behind two registered host clusters.
 */
describe('cohort environments: bulk provisioning, placement, budget, forecast', () => {
  let db: EnvDatabase;
  let harness: ApiHarness;
  let host: FakeHostCluster;
  let url: string;
  let admin: TestUser;
  let worker: RunningProcess;
  const redisPrefix = privateRedisPrefix();
  const processes: RunningProcess[] = [];
  const hosts: Record<string, string> = {};

  const as = (token: string, method: string, path: string, body?: unknown) =>
    call(url, method, path, { token, body });

  async function registerHost(name: string, capacity: number): Promise<void> {
    const res = await as(admin.token, 'POST', '/api/v1/host-clusters', {
      name,
      region: 'test',
      // The same fake API server behind both: names derive from environment ids, so they never clash.
      kubeconfig: host.kubeconfig(),
      capacityEnvironments: capacity,
      capacityCpuMillis: capacity * 1500,
      capacityMemoryMib: capacity * 1536,
    });
    expect(res.status).toBe(201);
    hosts[name] = res.body.id as string;
  }

  /** Polls the operation until it finishes, checking on the way that at most CONCURRENCY are in flight. */
  async function finish(
    cohort: CohortFixture,
    operationId: string,
    timeoutMs = 60000,
    concurrency = CONCURRENCY,
  ): Promise<EnvironmentOperationView> {
    const deadline = Date.now() + timeoutMs;
    let maxInFlight = 0;
    for (;;) {
      const inFlight = await harness.prisma.environment.count({
        where: { operationId, state: { in: ['requested', 'provisioning'] } },
      });
      maxInFlight = Math.max(maxInFlight, inFlight);
      const res = await as(
        cohort.instructor.token,
        'GET',
        `/api/v1/cohorts/${cohort.id}/environments/operations/${operationId}`,
      );
      expect(res.status).toBe(200);
      if (res.body.state !== 'running') {
        expect(maxInFlight).toBeLessThanOrEqual(concurrency);
        return res.body as EnvironmentOperationView;
      }
      if (Date.now() > deadline) throw new Error(`operation still running: ${JSON.stringify(res.body)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function students(cohort: CohortFixture, count: number): Promise<JoinedStudent[]> {
    const joined: JoinedStudent[] = [];
    for (let i = 0; i < count; i++) joined.push(await joinStudent(harness, cohort));
    return joined;
  }

  beforeAll(async () => {
    assertBuilt();
    db = await createEnvDatabase('cohort');
    const settings = {
      ENV_FORECAST_AWAKE_HOURS_PER_DAY: String(AWAKE_HOURS_PER_DAY),
      ENV_STUDENT_CAP_CPU_HOURS: String(STUDENT_CAP_CPU_HOURS),
    };
    harness = await ApiHarness.start({
      DATABASE_URL: db.url,
      REDIS_PREFIX: redisPrefix,
      ...environmentSettings(),
      ...settings,
    });
    admin = await harness.createUser('admin');
    host = await FakeHostCluster.start({ helmReleaseReadyDelayMs: 400 });
    const started = await startApi({
      databaseUrl: db.url,
      redisPrefix,
      jwtSecret: TEST_JWT_SECRET,
      env: settings,
    });
    processes.push(started.api);
    url = started.url;
    worker = await startWorker({
      databaseUrl: db.url,
      redisPrefix,
      env: { ...settings, ENV_BULK_CONCURRENCY: String(CONCURRENCY) },
    });
    processes.push(worker);
    await registerHost('small', 3);
    await registerHost('large', 6);
  }, 120000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop('SIGTERM')));
    await harness?.stop();
    await host?.stop();
    await db?.drop();
  }, 60000);

  describe('budget', () => {
    let cohort: CohortFixture;
    let joined: JoinedStudent[];

    beforeAll(async () => {
      cohort = await createCohort(harness);
      joined = await students(cohort, 4);
      const now = Date.now();
      // 10 days x 8 awake hours x 1.5 CPU = 120 CPU-hours per environment: 300 fits two, not three.
      await harness.prisma.cohort.update({
        where: { id: cohort.id },
        data: {
          startsAt: new Date(now - 60_000),
          endsAt: new Date(now - 60_000 + 10 * 86_400_000),
          cpuHoursBudget: 300,
        },
      });
    });

    it('forecasts students x footprint x schedule against the budget', async () => {
      const res = await as(cohort.instructor.token, 'GET', `/api/v1/cohorts/${cohort.id}/cost-forecast`);
      expect(res.status).toBe(200);
      const hours = 10 * AWAKE_HOURS_PER_DAY;
      expect(res.body).toMatchObject({
        cohortId: cohort.id,
        students: 4,
        footprint: { cpuMillis: 1500, memoryMib: 1536 },
        schedule: { days: 10, awakeHoursPerDay: AWAKE_HOURS_PER_DAY, hoursPerEnvironment: hours },
        forecast: { cpuHours: 4 * CPU_PER_ENV * hours, memoryGibHours: 4 * GIB_PER_ENV * hours },
        spent: { cpuHours: 0, memoryGibHours: 0 },
        budget: { cpuHours: 300, memoryGibHours: null },
        withinBudget: false,
      });
    });

    it('stops a cohort-wide provisioning when the budget is used up, with the reason', async () => {
      const res = await as(cohort.instructor.token, 'POST', `/api/v1/cohorts/${cohort.id}/environments`);
      expect(res.status).toBe(202);
      const operation = await finish(cohort, res.body.id);
      expect(operation).toMatchObject({
        state: 'stopped',
        total: 4,
        skipped: 0,
        created: 2,
        ready: 2,
        failed: 0,
      });
      expect(operation.stopReason).toMatch(
        /^budget_exceeded: The cohort's environment budget does not allow/,
      );
      expect(await harness.prisma.environment.count({ where: { cohortId: cohort.id } })).toBe(2);
    }, 90000);

    it('refuses a student a new environment with a clear 409 naming the numbers', async () => {
      const without = [];
      for (const student of joined) {
        if (!(await harness.prisma.environment.findUnique({ where: { activeUserId: student.id } })))
          without.push(student);
      }
      expect(without).toHaveLength(2);
      const res = await as(without[0]!.token, 'POST', '/api/v1/me/environment');
      expect(res.status).toBe(409);
      expect(res.body.error).toBe('budget_exceeded');
      expect(res.body.message).toMatch(
        /^The cohort's environment budget does not allow another environment: [\d.]+ of 300 CPU-hours used; 3 environment\(s\) running [\d.]+ more hours each until the cohort ends would bring it to [\d.]+\. An instructor can raise the budget/,
      );
      expect(res.body.details).toEqual([{ field: 'cpuHoursBudget', problem: 'exceeded' }]);

      // Raising it lets them in; running environments are spending meanwhile.
      await harness.prisma.cohort.update({ where: { id: cohort.id }, data: { cpuHoursBudget: 1000 } });
      const retried = await as(without[0]!.token, 'POST', '/api/v1/me/environment');
      expect(retried.status).toBe(202);
      await waitForEnvironment(harness.prisma, retried.body.id, (e) => e.state === 'ready', 30000);
      const forecast = await as(admin.token, 'GET', `/api/v1/cohorts/${cohort.id}/cost-forecast`);
      expect(forecast.body.spent.cpuHours).toBeGreaterThan(0);
      expect(forecast.body.withinBudget).toBe(true);
    }, 60000);

    it('bills only while a vcluster runs: nothing accrues while it sleeps', async () => {
      const env = await harness.prisma.environment.findFirstOrThrow({
        where: { cohortId: cohort.id, state: 'ready' },
      });
      const sleeper = joined.find((s) => s.id === env.userId)!;
      expect((await as(sleeper.token, 'POST', '/api/v1/me/environment/sleep')).status).toBe(202);
      await waitForEnvironment(harness.prisma, env.id, (e) => e.state === 'sleeping', 10000);
      const asleep = await harness.prisma.environment.findUniqueOrThrow({ where: { id: env.id } });
      expect(asleep.billingSince).toBeNull();
      expect(asleep.billedSeconds).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 500));
      const later = await harness.prisma.environment.findUniqueOrThrow({ where: { id: env.id } });
      expect(later.billedSeconds).toBe(asleep.billedSeconds);
    }, 30000);

    it('stops a student past the per-student cap: no waking, no new environment', async () => {
      const env = await harness.prisma.environment.findFirstOrThrow({
        where: { cohortId: cohort.id, state: 'sleeping', progressPercent: 100 },
      });
      const student = joined.find((s) => s.id === env.userId)!;
      // As if it had run an hour: 1.5 CPU-hours, past the cap of 1.
      await harness.prisma.environment.update({ where: { id: env.id }, data: { billedSeconds: 3600 } });
      const wake = await as(student.token, 'POST', '/api/v1/me/environment/wake');
      expect(wake.status).toBe(409);
      expect(wake.body.error).toBe('student_cap_exceeded');
      expect(wake.body.message).toMatch(/already ran 1\.5 of 1 CPU-hours allowed per student/);
      // A kubeconfig download does not wake it either.
      expect((await as(student.token, 'GET', '/api/v1/me/environment/kubeconfig')).status).toBe(409);
      expect((await harness.prisma.environment.findUniqueOrThrow({ where: { id: env.id } })).state).toBe(
        'sleeping',
      );

      expect((await as(cohort.instructor.token, 'DELETE', `/api/v1/environments/${env.id}`)).status).toBe(
        202,
      );
      await waitForEnvironment(harness.prisma, env.id, (e) => e.state === 'deleted', 30000);
      const again = await as(student.token, 'POST', '/api/v1/me/environment');
      expect(again.status).toBe(409);
      expect(again.body.error).toBe('student_cap_exceeded');

      // A cohort-wide provisioning leaves the capped student out and carries on with the others.
      const res = await as(cohort.instructor.token, 'POST', `/api/v1/cohorts/${cohort.id}/environments`);
      expect(res.status).toBe(202);
      const operation = await finish(cohort, res.body.id);
      expect(operation).toMatchObject({ state: 'succeeded', total: 4, skipped: 3, created: 1, ready: 1 });
      expect(
        await harness.prisma.environment.count({ where: { userId: student.id, state: { not: 'deleted' } } }),
      ).toBe(0);
    }, 60000);

    afterAll(async () => {
      // Free the host clusters for the placement tests.
      const live = await harness.prisma.environment.findMany({
        where: { cohortId: cohort.id, state: { not: 'deleted' } },
      });
      for (const env of live) {
        await waitForEnvironment(
          harness.prisma,
          env.id,
          (e) => e.state !== 'requested' && e.state !== 'provisioning',
        );
        await waitForEnvironment(
          harness.prisma,
          env.id,
          (e) => !(e.state === 'sleeping' && e.progressPercent < 100) && e.state !== 'waking',
        );
        const res = await as(cohort.instructor.token, 'DELETE', `/api/v1/environments/${env.id}`);
        expect(res.status).toBe(202);
      }
      for (const env of live)
        await waitForEnvironment(harness.prisma, env.id, (e) => e.state === 'deleted', 30000);
    }, 90000);
  });

  describe('provisioning a whole cohort', () => {
    let cohort: CohortFixture;
    let joined: JoinedStudent[];
    let operationId: string;

    beforeAll(async () => {
      cohort = await createCohort(harness);
      joined = await students(cohort, 8);
    }, 60000);

    it('is for the cohort staff only, and validates ids', async () => {
      const outsider = (await createCohort(harness)).instructor;
      expect((await as(outsider.token, 'POST', `/api/v1/cohorts/${cohort.id}/environments`)).status).toBe(
        404,
      );
      expect((await as(joined[0]!.token, 'POST', `/api/v1/cohorts/${cohort.id}/environments`)).status).toBe(
        403,
      );
      expect((await as(outsider.token, 'GET', `/api/v1/cohorts/${cohort.id}/cost-forecast`)).status).toBe(
        404,
      );
      expect((await as(joined[0]!.token, 'GET', `/api/v1/cohorts/${cohort.id}/cost-forecast`)).status).toBe(
        403,
      );
      const bad = await as(admin.token, 'GET', `/api/v1/cohorts/${cohort.id}/environments/operations/nope`);
      expect(bad.status).toBe(400);
      expect(bad.body.details).toEqual([{ field: 'operationId', problem: 'must be a UUID' }]);
      expect(await harness.prisma.environmentOperation.count({ where: { cohortId: cohort.id } })).toBe(0);
    });

    it('provisions every enrolled student once, a bounded number at a time, with progress', async () => {
      // One student asked on their own already: skipped.
      const own = await as(joined[0]!.token, 'POST', '/api/v1/me/environment');
      expect(own.status).toBe(202);
      await waitForEnvironment(harness.prisma, own.body.id, (e) => e.state === 'ready', 30000);

      const res: HttpAnswer = await as(
        cohort.instructor.token,
        'POST',
        `/api/v1/cohorts/${cohort.id}/environments`,
      );
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ kind: 'provision-cohort', state: 'running', total: 8 });
      operationId = res.body.id;
      expect(res.headers.get('location')).toBe(
        `/api/v1/cohorts/${cohort.id}/environments/operations/${operationId}`,
      );
      const again = await as(admin.token, 'POST', `/api/v1/cohorts/${cohort.id}/environments`);
      expect(again.status).toBe(202);
      expect(again.body.id).toBe(operationId);

      const operation = await finish(cohort, operationId);
      expect(operation).toMatchObject({
        state: 'succeeded',
        total: 8,
        skipped: 1,
        created: 7,
        ready: 7,
        failed: 0,
        percent: 100,
        stopReason: null,
      });
      const envs = await harness.prisma.environment.findMany({ where: { cohortId: cohort.id } });
      expect(envs).toHaveLength(8);
      expect(new Set(envs.map((e) => e.userId)).size).toBe(8);
      expect(envs.every((e) => e.state === 'ready')).toBe(true);
      const events = await harness.prisma.event.findMany({
        where: { cohortId: cohort.id, type: 'environment.changed' },
      });
      for (const env of envs) {
        const ready = events.filter((e) => {
          const payload = e.payload as { environmentId: string; state: string };
          return payload.environmentId === env.id && payload.state === 'ready';
        });
        expect(ready).toHaveLength(1);
      }
      expect(
        await harness.prisma.auditLog.count({
          where: { action: 'environment.provision-cohort', targetId: operationId },
        }),
      ).toBe(1);
    }, 90000);

    it('placed them by free capacity over both host clusters, never past a capacity', async () => {
      const envs = await harness.prisma.environment.findMany({ where: { cohortId: cohort.id } });
      const on = (name: string) => envs.filter((e) => e.hostClusterId === hosts[name]).length;
      // Least loaded first (by share of capacity): the small cluster fills to 3, the large one to 5.
      expect({ small: on('small'), large: on('large') }).toEqual({ small: 3, large: 5 });
      const list = await as(admin.token, 'GET', '/api/v1/host-clusters?limit=100');
      const allocated = Object.fromEntries(
        (list.body.items as { name: string; allocated: { environments: number } }[]).map((h) => [
          h.name,
          h.allocated.environments,
        ]),
      );
      expect(allocated).toEqual({ small: 3, large: 5 });

      // One more fits (on the large one); then every host cluster is full: 503, nothing created.
      const [ninth, tenth] = await students(cohort, 2);
      const fits = await as(ninth!.token, 'POST', '/api/v1/me/environment');
      expect(fits.status).toBe(202);
      expect(
        (await harness.prisma.environment.findUniqueOrThrow({ where: { id: fits.body.id } })).hostClusterId,
      ).toBe(hosts.large);
      const full = await as(tenth!.token, 'POST', '/api/v1/me/environment');
      expect(full.status).toBe(503);
      expect(full.body.error).toBe('no_capacity');
      await waitForEnvironment(harness.prisma, fits.body.id, (e) => e.state === 'ready', 30000);

      // A cohort-wide run now stops on capacity, saying so.
      const res = await as(cohort.instructor.token, 'POST', `/api/v1/cohorts/${cohort.id}/environments`);
      expect(res.body.id).not.toBe(operationId);
      const stopped = await finish(cohort, res.body.id);
      expect(stopped).toMatchObject({ state: 'stopped', total: 10, skipped: 9, created: 0 });
      expect(stopped.stopReason).toMatch(/^no_capacity: /);
    }, 90000);
  });

  describe('a worker killed during a cohort-wide provisioning of 100 students', () => {
    it('carries on after a restart: every student ready exactly once, no duplicate or orphan namespace', async () => {
      // Room for this run: the earlier tests' environments go away first, and a third host cluster
      // with room for the whole cohort joins the two small ones.
      const earlier = await harness.prisma.environment.findMany({ where: { state: 'ready' } });
      for (const env of earlier) {
        expect((await as(admin.token, 'DELETE', `/api/v1/environments/${env.id}`)).status).toBe(202);
      }
      for (const env of earlier)
        await waitForEnvironment(harness.prisma, env.id, (e) => e.state === 'deleted', 30000);
      await registerHost('roomy', CRASH_STUDENTS);

      host.server.controller.configure({ helmReleaseReadyDelayMs: 1500 });
      const cohort = await createCohort(harness);
      const joined: JoinedStudent[] = [];
      // Joined ten at a time: a hundred one after the other is most of this test's time otherwise.
      while (joined.length < CRASH_STUDENTS) {
        const batch = Math.min(10, CRASH_STUDENTS - joined.length);
        joined.push(
          ...(await Promise.all(Array.from({ length: batch }, () => joinStudent(harness, cohort)))),
        );
      }
      const res = await as(cohort.instructor.token, 'POST', `/api/v1/cohorts/${cohort.id}/environments`);
      expect(res.status).toBe(202);
      expect(res.body.total).toBe(CRASH_STUDENTS);
      const operationId = res.body.id as string;
      // Kill it once the first batch is on its way.
      const deadline = Date.now() + 30000;
      while ((await harness.prisma.environment.count({ where: { operationId } })) < CONCURRENCY) {
        if (Date.now() > deadline) throw new Error('the operation never started');
        await new Promise((r) => setTimeout(r, 50));
      }
      await worker.stop('SIGKILL');
      processes.splice(processes.indexOf(worker), 1);
      const createdBeforeRestart = await harness.prisma.environment.count({ where: { operationId } });
      expect(createdBeforeRestart).toBeLessThan(CRASH_STUDENTS);
      host.server.controller.configure({ helmReleaseReadyDelayMs: 150 });
      // The restarted worker runs more at a time, so a hundred take seconds, not minutes.
      worker = await startWorker({
        databaseUrl: db.url,
        redisPrefix,
        env: {
          ENV_FORECAST_AWAKE_HOURS_PER_DAY: String(AWAKE_HOURS_PER_DAY),
          ENV_STUDENT_CAP_CPU_HOURS: String(STUDENT_CAP_CPU_HOURS),
          ENV_BULK_CONCURRENCY: String(CRASH_CONCURRENCY),
        },
      });
      processes.push(worker);

      const operation = await finish(cohort, operationId, 150000, CRASH_CONCURRENCY);
      expect(operation).toMatchObject({
        state: 'succeeded',
        total: CRASH_STUDENTS,
        created: CRASH_STUDENTS,
        ready: CRASH_STUDENTS,
        failed: 0,
        percent: 100,
      });
      const op = await harness.prisma.environmentOperation.findUniqueOrThrow({ where: { id: operationId } });
      // Done (skipped, ready or failed) = total, and finished.
      expect(op.skipped + op.ready + op.failed).toBe(op.total);
      expect(op.total).toBe(CRASH_STUDENTS);
      expect(op.finishedAt).not.toBeNull();

      // Exactly one environment per student, every one ready.
      const envs = await harness.prisma.environment.findMany({ where: { cohortId: cohort.id } });
      expect(envs).toHaveLength(CRASH_STUDENTS);
      expect(envs.filter((e) => e.state !== 'ready')).toEqual([]);
      expect(new Set(envs.map((e) => e.userId)).size).toBe(CRASH_STUDENTS);
      expect(new Set(envs.map((e) => e.userId))).toEqual(new Set(joined.map((s) => s.id)));
      const events = await harness.prisma.event.findMany({
        where: { cohortId: cohort.id, type: 'environment.changed' },
      });
      const readyEvents = new Map<string, number>();
      for (const e of events) {
        const payload = e.payload as { environmentId: string; state: string };
        if (payload.state === 'ready')
          readyEvents.set(payload.environmentId, (readyEvents.get(payload.environmentId) ?? 0) + 1);
      }
      for (const env of envs) expect([env.id, readyEvents.get(env.id)]).toEqual([env.id, 1]);

      // In the fake: two namespaces per environment (vcluster, workbench), no duplicate, and every
      // namespace of ours belongs to an environment that is not deleted.
      const ours = host.server
        .listObjects('v1', 'Namespace')
        .filter(
          (n) =>
            n.metadata.labels?.['app.kubernetes.io/managed-by'] === 'kubecohort' &&
            !n.metadata.deletionTimestamp,
        );
      const names = ours.map((n) => n.metadata.name);
      expect(new Set(names).size).toBe(names.length);
      const byEnv = new Map<string, number>();
      for (const ns of ours) {
        const env = ns.metadata.labels!['kubecohort.dev/environment']!;
        byEnv.set(env, (byEnv.get(env) ?? 0) + 1);
      }
      for (const env of envs) expect([env.id, byEnv.get(env.id)]).toEqual([env.id, 2]);
      const owned = new Set(
        (await harness.prisma.environment.findMany({ where: { state: { not: 'deleted' } } })).map(
          (e) => e.id,
        ),
      );
      expect([...byEnv.keys()].filter((id) => !owned.has(id))).toEqual([]);
      // One HelmRelease per vcluster namespace, none left over from the killed attempt.
      for (const env of envs) {
        const releases = host.namespacesOf(env.id).flatMap((ns) => host.helmReleasesOf(ns.metadata.name));
        expect([env.id, releases.length]).toEqual([env.id, 1]);
      }
    }, 300000);
  });
});
