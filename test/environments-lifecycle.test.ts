import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SecretBox } from '@kubecohort/auth';
import { parseEncryptionKeys } from '@kubecohort/environments';
import { parseAllDocuments } from 'yaml';
import { FakeKubeApiServer, type KubeObject } from './fake-kube-api/index.js';
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
  TEST_ENCRYPTION_KEYS,
  waitForEnvironment,
} from './support/env-harness.js';
import { assertBuilt, type RunningProcess } from './support/processes.js';

const IDLE_AFTER_SECONDS = 3;

/**
 * Sleep, wake, idle detection and reset end to end: the api and the worker as real (built)
 * processes, real PostgreSQL and Redis, the fake Kubernetes API server as the host cluster.
 */
describe('environment lifecycle: sleep, wake, idle, reset (real api and worker processes)', () => {
  let db: EnvDatabase;
  let harness: ApiHarness;
  let host: FakeHostCluster;
  let url: string;
  let api: RunningProcess;
  let admin: TestUser;
  let worker: RunningProcess;
  const redisPrefix = privateRedisPrefix();
  const processes: RunningProcess[] = [];
  const box = new SecretBox(parseEncryptionKeys(TEST_ENCRYPTION_KEYS));
  const extraServers: FakeKubeApiServer[] = [];

  const as = (token: string, method: string, path: string, body?: unknown) =>
    call(url, method, path, { token, body });

  const nsOf = (environmentId: string) => `kc-${environmentId.replace(/-/g, '')}`;
  const wbOf = (environmentId: string) => `${nsOf(environmentId)}-wb`;

  const statefulSet = (namespace: string, name: string) =>
    host.server.getObject({ apiVersion: 'apps/v1', kind: 'StatefulSet', namespace, name });
  const pod = (namespace: string, name: string) =>
    host.server.getObject({ apiVersion: 'v1', kind: 'Pod', namespace, name });

  async function readyEnvironment(student: JoinedStudent): Promise<string> {
    const requested = await as(student.token, 'POST', '/api/v1/me/environment');
    expect(requested.status).toBe(202);
    const env = await waitForEnvironment(
      harness.prisma,
      requested.body.id,
      (e) => e.state === 'ready' || e.state === 'failed',
      40000,
    );
    expect({ state: env.state, reason: env.stateReason }).toEqual({ state: 'ready', reason: null });
    return requested.body.id as string;
  }

  async function changes(environmentId: string) {
    const events = await harness.prisma.event.findMany({
      where: { type: 'environment.changed' },
      orderBy: [{ at: 'asc' }, { id: 'asc' }],
    });
    return events
      .map(
        (e) => e.payload as { environmentId: string; state: string; progressStep: string; reason?: string },
      )
      .filter((p) => p.environmentId === environmentId);
  }

  /** Pods a running vcluster would have synced into its host namespace. */
  function seedSyncedPods(namespace: string, count: number): string[] {
    const names = Array.from({ length: count }, (_, i) => `web-${i}-x-default-x-vcluster`);
    host.server.seed(
      ...names.map((name): KubeObject => ({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name,
          namespace,
          labels: { 'vcluster.loft.sh/managed-by': 'vcluster', 'vcluster.loft.sh/namespace': 'default' },
        },
        spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
        status: { phase: 'Running' },
      })),
    );
    return names;
  }

  /** The student's vcluster API: a second fake API server holding what they created with kubectl. */
  async function studentVcluster(): Promise<FakeKubeApiServer> {
    const vcluster = new FakeKubeApiServer({ controller: { podReadyDelayMs: 10 } });
    await vcluster.start();
    extraServers.push(vcluster);
    vcluster.seed(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { team: 'a' } } },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
          },
        },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: 'shop' },
        spec: { selector: { app: 'web' }, ports: [{ port: 80 }], clusterIP: '10.96.0.12' },
      },
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'db-password', namespace: 'shop' },
        type: 'Opaque',
        data: { password: Buffer.from('hunter2-very-secret').toString('base64') },
      },
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'deny-all', namespace: 'shop' },
        spec: { podSelector: {}, policyTypes: ['Ingress'] },
      },
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'settings', namespace: 'default' },
        data: { mode: 'debug' },
      },
      // What Kubernetes makes by itself: not the student's.
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'kube-root-ca.crt', namespace: 'shop' },
        data: {},
      },
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'coredns', namespace: 'kube-system' },
        data: {},
      },
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'shop' } },
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: 'web-abc',
          namespace: 'shop',
          ownerReferences: [
            { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: 'u1', controller: true },
          ],
        },
        spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
      },
    );
    return vcluster;
  }

  /**
   * Our fake host cannot serve a real vcluster API at the students' address; point the stored
   * (encrypted) kubeconfig at a fake API server standing in for it, exactly as a real one would be.
   */
  async function pointKubeconfigAt(environmentId: string, vcluster: FakeKubeApiServer): Promise<void> {
    await harness.prisma.environment.update({
      where: { id: environmentId },
      data: { kubeconfigEncrypted: box.encrypt(vcluster.kubeconfig()) },
    });
  }

  beforeAll(async () => {
    assertBuilt();
    db = await createEnvDatabase('lifecycle');
    harness = await ApiHarness.start({
      DATABASE_URL: db.url,
      REDIS_PREFIX: redisPrefix,
      ...environmentSettings(),
    });
    admin = await harness.createUser('admin');
    host = await FakeHostCluster.start();
    const started = await startApi({
      databaseUrl: db.url,
      redisPrefix,
      jwtSecret: TEST_JWT_SECRET,
      env: { ENV_ACTIVITY_THROTTLE_SECONDS: '1' },
    });
    api = started.api;
    processes.push(api);
    url = started.url;
    worker = await startWorker({
      databaseUrl: db.url,
      redisPrefix,
      env: {
        ENV_IDLE_AFTER_SECONDS: String(IDLE_AFTER_SECONDS),
        ENV_IDLE_CHECK_INTERVAL_SECONDS: '1',
        ENV_EXPORT_RETENTION_HOURS: '2',
        ENV_COHORT_END_GRACE_HOURS: '0',
        ENV_ORPHAN_GRACE_SECONDS: '0',
      },
    });
    processes.push(worker);
    const registered = await as(admin.token, 'POST', '/api/v1/host-clusters', {
      name: 'lifecycle-host',
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
    await Promise.all(extraServers.map((s) => s.stop()));
    await harness?.stop();
    await host?.stop();
    await db?.drop();
  }, 60000);

  describe('a student puts their environment to sleep and wakes it', () => {
    let cohort: CohortFixture;
    let student: JoinedStudent;
    let id: string;

    beforeAll(async () => {
      cohort = await createCohort(harness);
      student = await joinStudent(harness, cohort);
      id = await readyEnvironment(student);
    }, 60000);

    it('sleeps: vcluster and workbench scaled to zero, synced pods deleted, state kept', async () => {
      const ns = nsOf(id);
      const synced = seedSyncedPods(ns, 3);
      host.server.seed({
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'data-vcluster-0', namespace: ns },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } } },
      });
      expect(pod(ns, 'vcluster-0')).toBeDefined();

      const res = await as(student.token, 'POST', '/api/v1/me/environment/sleep');
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({
        id,
        state: 'sleeping',
        progressStep: 'sleep-queued',
        kubeconfigAvailable: false,
      });
      const again = await as(student.token, 'POST', '/api/v1/me/environment/sleep');
      expect(again.status).toBe(202);
      expect(again.body.state).toBe('sleeping');

      await waitForEnvironment(harness.prisma, id, (e) => e.progressStep === 'asleep', 30000);
      expect((statefulSet(ns, 'vcluster')!.spec as { replicas: number }).replicas).toBe(0);
      expect((statefulSet(wbOf(id), 'workbench')!.spec as { replicas: number }).replicas).toBe(0);
      expect(pod(ns, 'vcluster-0')).toBeUndefined();
      expect(pod(wbOf(id), 'workbench-0')).toBeUndefined();
      for (const name of synced) expect(pod(ns, name)).toBeUndefined();
      // Kept: the namespaces, the release, the vcluster's volume and its kubeconfig.
      expect(host.namespacesOf(id)).toHaveLength(2);
      expect(host.helmReleasesOf(ns)).toHaveLength(1);
      expect(
        host.server.getObject({
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          namespace: ns,
          name: 'data-vcluster-0',
        }),
      ).toBeDefined();
      expect(
        host.server.getObject({ apiVersion: 'v1', kind: 'Secret', namespace: ns, name: 'vc-vcluster' }),
      ).toBeDefined();
      const row = await harness.prisma.environment.findUniqueOrThrow({ where: { id } });
      expect(row).toMatchObject({ state: 'sleeping', activeUserId: student.id, progressPercent: 100 });
      expect(row.kubeconfigEncrypted).not.toBeNull();
      // Scaled through the scale subresource (no spec field changes hands).
      for (const path of [
        `/namespaces/${ns}/statefulsets/vcluster/scale`,
        `/namespaces/${wbOf(id)}/statefulsets/workbench/scale`,
      ])
        expect(host.server.requestsMatching({ method: 'PUT', path }).map((r) => r.status)).toContain(200);
    }, 60000);

    it('wakes when the student asks for the kubeconfig: 409 at once, ready again within seconds', async () => {
      const early = await as(student.token, 'GET', '/api/v1/me/environment/kubeconfig');
      expect(early.status).toBe(409);
      expect(early.body.error).toBe('environment_not_ready');
      expect(early.body.message).toMatch(/waking/);
      const started = Date.now();
      await waitForEnvironment(harness.prisma, id, (e) => e.state === 'ready', 30000);
      expect(Date.now() - started).toBeLessThan(15000);
      const ns = nsOf(id);
      expect((statefulSet(ns, 'vcluster')!.spec as { replicas: number }).replicas).toBe(1);
      expect((pod(ns, 'vcluster-0')!.status as { phase: string }).phase).toBe('Running');
      expect(pod(wbOf(id), 'workbench-0')).toBeDefined();
      const kubeconfig = await as(student.token, 'GET', '/api/v1/me/environment/kubeconfig');
      expect(kubeconfig.status).toBe(200);
      expect(kubeconfig.text).toMatch(/clusters:/);
      const row = await harness.prisma.environment.findUniqueOrThrow({ where: { id } });
      expect(row.lastApiRequestCount).toBeNull();

      const states = (await changes(id)).map((e) => `${e.state}:${e.progressStep}`);
      const from = states.indexOf('sleeping:sleep-queued');
      expect(states.slice(from)).toEqual([
        'sleeping:sleep-queued',
        'sleeping:scaling-down',
        'sleeping:workloads-removed',
        'sleeping:workbench',
        'sleeping:asleep',
        'waking:wake-queued',
        'waking:scaling-up',
        'waking:vcluster-ready',
        'waking:vcluster-api',
        'ready:ready',
      ]);
      expect((await changes(id)).find((e) => e.state === 'waking')?.reason).toBe('woken by student activity');
    }, 60000);

    it('is explicit and idempotent through /me/environment/wake', async () => {
      expect((await as(student.token, 'POST', '/api/v1/me/environment/wake')).body.state).toBe('ready');
      expect((await as(student.token, 'POST', '/api/v1/me/environment/sleep')).status).toBe(202);
      const woken = await as(student.token, 'POST', '/api/v1/me/environment/wake');
      expect(woken.status).toBe(202);
      expect(woken.body.state).toBe('waking');
      await waitForEnvironment(harness.prisma, id, (e) => e.state === 'ready', 30000);
      // However the sleep and the wake interleaved, the vcluster ends up running.
      await host.server.waitFor(
        { apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: nsOf(id), name: 'vcluster' },
        (sts) => (sts.status as { readyReplicas?: number }).readyReplicas === 1,
        10000,
      );
      expect((statefulSet(nsOf(id), 'vcluster')!.spec as { replicas: number }).replicas).toBe(1);
    }, 60000);

    it("lets the cohort's instructors and admins do it, nobody else", async () => {
      const classmate = await joinStudent(harness, cohort);
      const outsider = (await createCohort(harness)).instructor;
      for (const action of ['sleep', 'wake', 'reset']) {
        expect((await as(outsider.token, 'POST', `/api/v1/environments/${id}/${action}`)).status).toBe(404);
        expect((await as(classmate.token, 'POST', `/api/v1/environments/${id}/${action}`)).status).toBe(403);
        expect((await as(student.token, 'POST', `/api/v1/environments/${id}/${action}`)).status).toBe(403);
      }
      expect((await as(classmate.token, 'POST', '/api/v1/me/environment/sleep')).status).toBe(404);
      expect((await as(cohort.instructor.token, 'POST', '/api/v1/me/environment/sleep')).status).toBe(403);
      expect((await as(admin.token, 'POST', '/api/v1/environments/not-a-uuid/sleep')).body).toMatchObject({
        details: [{ field: 'id', problem: 'must be a UUID' }],
      });

      const slept = await as(cohort.instructor.token, 'POST', `/api/v1/environments/${id}/sleep`);
      expect(slept.status).toBe(202);
      expect(slept.body).toMatchObject({ id, state: 'sleeping' });
      await waitForEnvironment(harness.prisma, id, (e) => e.progressStep === 'asleep', 30000);
      // Another sleep of a sleeping environment, or a reset of a deleted one, answers without harm.
      expect((await as(admin.token, 'POST', `/api/v1/environments/${id}/sleep`)).body.state).toBe('sleeping');
      const woken = await as(admin.token, 'POST', `/api/v1/environments/${id}/wake`);
      expect(woken.status).toBe(202);
      await waitForEnvironment(harness.prisma, id, (e) => e.state === 'ready', 30000);
      const audit = await harness.prisma.auditLog.findMany({
        where: { targetId: id },
        orderBy: { id: 'asc' },
      });
      expect(audit.map((a) => a.action)).toEqual(
        expect.arrayContaining(['environment.sleep', 'environment.wake']),
      );
      expect((await changes(id)).find((e) => e.reason === 'put to sleep by cohort staff')).toBeDefined();
    }, 90000);
  });

  describe('idle detection', () => {
    it('keeps an environment awake while its vcluster API is used, sleeps it once nothing happens', async () => {
      const cohort = await createCohort(harness);
      const student = await joinStudent(harness, cohort);
      const id = await readyEnvironment(student);
      const ns = nsOf(id);
      const metrics = host.server.metrics;
      // The vcluster's own chatter (leases, /readyz) never counts.
      metrics.set(ns, 'vcluster', { resource: 'leases', verb: 'PUT' }, 100);
      metrics.set(ns, 'vcluster', { resource: '', verb: 'GET' }, 100);
      metrics.set(ns, 'vcluster', { resource: 'pods', verb: 'LIST' }, 1);

      // kubectl against the vcluster (invisible to the platform) for twice the idle window.
      const busyUntil = Date.now() + IDLE_AFTER_SECONDS * 2000;
      while (Date.now() < busyUntil) {
        metrics.bump(ns, 'vcluster', { resource: 'pods', verb: 'LIST' });
        metrics.bump(ns, 'vcluster', { resource: 'leases', verb: 'PUT' }, 10);
        await new Promise((r) => setTimeout(r, 300));
      }
      let row = await harness.prisma.environment.findUniqueOrThrow({ where: { id } });
      expect(row.state).toBe('ready');
      expect(row.lastApiRequestCount).not.toBeNull();

      // Now nothing from kubectl: only the vcluster's own chatter keeps going.
      const chatter = setInterval(
        () => metrics.bump(ns, 'vcluster', { resource: 'leases', verb: 'PUT' }),
        200,
      );
      try {
        // Platform activity counts too: a request of the student's, before the window ends,
        // moves lastActivityAt and so postpones the sleep. Writes are throttled (1 s here): the
        // idle check may have recorded the last kubectl activity less than that before the request.
        // The api writes its activity marks in batches, within a second.
        await new Promise((r) => setTimeout(r, 2000));
        const requestedAt = Date.now();
        expect((await as(student.token, 'GET', '/api/v1/me/environment')).body.state).toBe('ready');
        for (let tries = 0; tries < 30; tries += 1) {
          row = await harness.prisma.environment.findUniqueOrThrow({ where: { id } });
          if (row.lastActivityAt.getTime() >= requestedAt - 1000 - 100) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        expect(row.lastActivityAt.getTime()).toBeGreaterThanOrEqual(requestedAt - 1000 - 100);
        const activeAt = row.lastActivityAt.getTime();
        await waitForEnvironment(harness.prisma, id, (e) => e.state === 'sleeping', 20000);
        expect(Date.now() - activeAt).toBeGreaterThanOrEqual(IDLE_AFTER_SECONDS * 1000);
      } finally {
        clearInterval(chatter);
      }
      row = await harness.prisma.environment.findUniqueOrThrow({ where: { id } });
      expect(row.stateChangedAt.getTime() - row.lastActivityAt.getTime()).toBeGreaterThanOrEqual(
        IDLE_AFTER_SECONDS * 1000,
      );
      await waitForEnvironment(harness.prisma, id, (e) => e.progressStep === 'asleep', 30000);
      expect(pod(ns, 'vcluster-0')).toBeUndefined();
      row = await harness.prisma.environment.findUniqueOrThrow({ where: { id } });
      expect(row.stateReason).toBe(`idle for ${IDLE_AFTER_SECONDS} s: put to sleep`);

      // Any student action that needs it wakes it: here asking for the environment again.
      const asked = await as(student.token, 'POST', '/api/v1/me/environment');
      expect(asked.status).toBe(202);
      expect(asked.body).toMatchObject({ id, state: 'waking' });
      await waitForEnvironment(harness.prisma, id, (e) => e.state === 'ready', 30000);
      metrics.reset();
    }, 90000);
  });

  describe('reset', () => {
    it('exports what the student created (encrypted, downloadable), then gives a fresh vcluster', async () => {
      const cohort = await createCohort(harness);
      const student = await joinStudent(harness, cohort);
      const oldId = await readyEnvironment(student);
      const oldNamespaces = host.namespacesOf(oldId).map((n) => n.metadata.name);
      const vcluster = await studentVcluster();
      await pointKubeconfigAt(oldId, vcluster);

      const res = await as(student.token, 'POST', '/api/v1/me/environment/reset');
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ id: oldId, state: 'ready', progressStep: 'reset-queued' });
      // A second click while the reset is pending changes nothing.
      expect((await as(student.token, 'POST', '/api/v1/me/environment/reset')).status).toBe(202);

      await waitForEnvironment(harness.prisma, oldId, (e) => e.state === 'deleted', 40000);
      const fresh = await harness.prisma.environment.findUniqueOrThrow({
        where: { activeUserId: student.id },
      });
      expect(fresh.id).not.toBe(oldId);
      await waitForEnvironment(harness.prisma, fresh.id, (e) => e.state === 'ready', 40000);
      for (const name of oldNamespaces)
        expect(host.server.getObject({ apiVersion: 'v1', kind: 'Namespace', name })).toBeUndefined();
      expect(host.namespacesOf(fresh.id)).toHaveLength(2);
      const old = await harness.prisma.environment.findUniqueOrThrow({ where: { id: oldId } });
      expect(old.stateReason).toMatch(/^reset/);

      // The export came first: it read the vcluster API before anything was deleted.
      const exportRow = await harness.prisma.environmentExport.findFirstOrThrow({
        where: { environmentId: oldId },
      });
      const teardownStarted = (await changes(oldId)).findIndex((e) => e.state === 'deleting');
      expect(teardownStarted).toBeGreaterThan(0);
      expect((await changes(oldId)).map((e) => e.progressStep)).toContain('reset-exporting');
      expect(exportRow.createdAt.getTime()).toBeLessThanOrEqual(old.stateChangedAt.getTime());
      expect(
        vcluster.requestsMatching({ method: 'GET', path: '/apis/apps/v1/deployments' }).length,
      ).toBeGreaterThan(0);
      // Encrypted at rest (it holds the student's Secrets); kept for the configured 2 hours.
      expect(exportRow.bundle).toMatch(/^v1\.k1\./);
      expect(exportRow.bundle).not.toContain(Buffer.from('hunter2-very-secret').toString('base64'));
      expect(exportRow.expiresAt.getTime() - exportRow.createdAt.getTime()).toBeCloseTo(2 * 3600_000, -4);

      const list = await as(student.token, 'GET', '/api/v1/me/environment/exports');
      expect(list.status).toBe(200);
      expect(list.body).toEqual([
        expect.objectContaining({
          id: exportRow.id,
          environmentId: oldId,
          reason: 'reset',
          sizeBytes: exportRow.sizeBytes,
        }),
      ]);
      const download = await as(student.token, 'GET', `/api/v1/me/environment/exports/${exportRow.id}`);
      expect(download.status).toBe(200);
      expect(download.headers.get('content-type')).toMatch(/^application\/yaml/);
      const objects = parseAllDocuments(download.text).map((d) => d.toJS() as KubeObject);
      expect(objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort()).toEqual(
        [
          'ConfigMap/default/settings',
          'Deployment/shop/web',
          'Namespace//shop',
          'NetworkPolicy/shop/deny-all',
          'Secret/shop/db-password',
          'Service/shop/web',
        ],
      );
      // Namespaces first, so `kubectl apply -f` recreates everything in one go.
      expect(objects[0]!.kind).toBe('Namespace');
      const deployment = objects.find((o) => o.kind === 'Deployment')!;
      expect(deployment.metadata).toEqual({ name: 'web', namespace: 'shop', labels: { app: 'web' } });
      expect(deployment).not.toHaveProperty('status');
      expect((deployment.spec as { replicas: number }).replicas).toBe(2);
      expect(objects.find((o) => o.kind === 'Service')!.spec).not.toHaveProperty('clusterIP');
      expect((objects.find((o) => o.kind === 'Secret')!.data as { password: string }).password).toBe(
        Buffer.from('hunter2-very-secret').toString('base64'),
      );

      // Only the student: a classmate, staff and a stranger's id get 404/403.
      const classmate = await joinStudent(harness, cohort);
      expect(
        (await as(classmate.token, 'GET', `/api/v1/me/environment/exports/${exportRow.id}`)).status,
      ).toBe(404);
      expect((await as(classmate.token, 'GET', '/api/v1/me/environment/exports')).body).toEqual([]);
      expect(
        (await as(cohort.instructor.token, 'GET', `/api/v1/me/environment/exports/${exportRow.id}`)).status,
      ).toBe(403);
      expect((await as(student.token, 'GET', '/api/v1/me/environment/exports/nope')).status).toBe(400);
      expect(
        await harness.prisma.auditLog.count({
          where: { action: 'environment.export.read', targetId: exportRow.id },
        }),
      ).toBe(1);

      // Past its retention it is gone: not downloadable, then purged by the reconciler.
      await harness.prisma.environmentExport.update({
        where: { id: exportRow.id },
        data: { expiresAt: new Date(Date.now() - 1000) },
      });
      expect((await as(student.token, 'GET', `/api/v1/me/environment/exports/${exportRow.id}`)).status).toBe(
        404,
      );
      const deadline = Date.now() + 20000;
      while ((await harness.prisma.environmentExport.count({ where: { id: exportRow.id } })) > 0) {
        if (Date.now() > deadline) throw new Error('the expired export was never purged');
        await new Promise((r) => setTimeout(r, 200));
      }
    }, 120000);

    it('wakes a sleeping environment to export it when its instructor resets it', async () => {
      const cohort = await createCohort(harness);
      const student = await joinStudent(harness, cohort);
      const oldId = await readyEnvironment(student);
      expect((await as(student.token, 'POST', '/api/v1/me/environment/sleep')).status).toBe(202);
      await waitForEnvironment(harness.prisma, oldId, (e) => e.progressStep === 'asleep', 30000);
      await pointKubeconfigAt(oldId, await studentVcluster());

      const res = await as(cohort.instructor.token, 'POST', `/api/v1/environments/${oldId}/reset`);
      expect(res.status).toBe(202);
      await waitForEnvironment(harness.prisma, oldId, (e) => e.state === 'deleted', 60000);
      const states = (await changes(oldId)).map((e) => `${e.state}:${e.progressStep}`);
      const woke = states.indexOf('waking:wake-for-reset');
      expect(woke).toBeGreaterThan(0);
      expect(states.indexOf('ready:reset-exporting')).toBeGreaterThan(woke);
      expect(states.indexOf('deleting:teardown-queued')).toBeGreaterThan(
        states.indexOf('ready:reset-exporting'),
      );
      const fresh = await harness.prisma.environment.findUniqueOrThrow({
        where: { activeUserId: student.id },
      });
      await waitForEnvironment(harness.prisma, fresh.id, (e) => e.state === 'ready', 40000);
      const exported = await as(student.token, 'GET', '/api/v1/me/environment/exports');
      expect(exported.body).toHaveLength(1);
      expect(
        await harness.prisma.auditLog.count({ where: { action: 'environment.reset', targetId: oldId } }),
      ).toBe(1);
    }, 120000);

    it('deletes nothing while the export cannot be made, and resets once it can', async () => {
      const cohort = await createCohort(harness);
      const student = await joinStudent(harness, cohort);
      const oldId = await readyEnvironment(student);
      const unreachable = new FakeKubeApiServer();
      await unreachable.start();
      const kubeconfig = unreachable.kubeconfig();
      await unreachable.stop();
      await harness.prisma.environment.update({
        where: { id: oldId },
        data: { kubeconfigEncrypted: box.encrypt(kubeconfig) },
      });

      expect((await as(student.token, 'POST', '/api/v1/me/environment/reset')).status).toBe(202);
      await waitForEnvironment(harness.prisma, oldId, (e) => e.progressStep === 'reset-exporting', 20000);
      await new Promise((r) => setTimeout(r, 3000));
      // The export keeps failing (the job retries with backoff): the environment is untouched.
      const row = await harness.prisma.environment.findUniqueOrThrow({ where: { id: oldId } });
      expect(row).toMatchObject({ state: 'ready', activeUserId: student.id });
      expect(await harness.prisma.environmentExport.count({ where: { environmentId: oldId } })).toBe(0);
      expect(host.namespacesOf(oldId)).toHaveLength(2);
      expect(await harness.prisma.environment.count({ where: { userId: student.id } })).toBe(1);

      // The vcluster API answers again: the retried job exports, then resets.
      await pointKubeconfigAt(oldId, await studentVcluster());
      await waitForEnvironment(harness.prisma, oldId, (e) => e.state === 'deleted', 60000);
      expect(await harness.prisma.environmentExport.count({ where: { environmentId: oldId } })).toBe(1);
      const fresh = await harness.prisma.environment.findUniqueOrThrow({
        where: { activeUserId: student.id },
      });
      await waitForEnvironment(harness.prisma, fresh.id, (e) => e.state === 'ready', 40000);
    }, 120000);

    it('refuses to reset an environment that is not ready or sleeping', async () => {
      const cohort = await createCohort(harness);
      const student = await joinStudent(harness, cohort);
      expect((await as(student.token, 'POST', '/api/v1/me/environment/reset')).status).toBe(404);
      host.server.controller.configure({ helmReleaseReadyDelayMs: 3000 });
      try {
        const requested = await as(student.token, 'POST', '/api/v1/me/environment');
        const res = await as(student.token, 'POST', '/api/v1/me/environment/reset');
        expect(res.status).toBe(409);
        expect(res.body.error).toBe('environment_not_ready');
        expect((await as(student.token, 'POST', '/api/v1/me/environment/sleep')).status).toBe(409);
        await waitForEnvironment(harness.prisma, requested.body.id, (e) => e.state === 'ready', 40000);
      } finally {
        host.server.controller.configure({ helmReleaseReadyDelayMs: 150 });
      }
    }, 60000);
  });
  describe('reconciler and expiry', () => {
    it('exports and tears down environments when their cohort ends or they expire (a sleeping one is woken first)', async () => {
      const cohort = await createCohort(harness);
      const [ending, sleeper] = [await joinStudent(harness, cohort), await joinStudent(harness, cohort)];
      const endingId = await readyEnvironment(ending);
      const sleeperId = await readyEnvironment(sleeper);
      await pointKubeconfigAt(endingId, await studentVcluster());
      await pointKubeconfigAt(sleeperId, await studentVcluster());
      expect((await as(sleeper.token, 'POST', '/api/v1/me/environment/sleep')).status).toBe(202);
      await waitForEnvironment(harness.prisma, sleeperId, (e) => e.progressStep === 'asleep', 30000);

      // The sleeper's own expiry passes; then the cohort ends (grace 0 in this suite).
      const expiresAt = new Date(Date.now() - 1000);
      await harness.prisma.environment.update({ where: { id: sleeperId }, data: { expiresAt } });
      await waitForEnvironment(harness.prisma, sleeperId, (e) => e.state === 'deleted', 40000);
      expect((await harness.prisma.environment.findUniqueOrThrow({ where: { id: endingId } })).state).toBe(
        'ready',
      );
      const endsAt = new Date(Date.now() - 1000);
      await harness.prisma.cohort.update({ where: { id: cohort.id }, data: { endsAt } });
      await waitForEnvironment(harness.prisma, endingId, (e) => e.state === 'deleted', 40000);

      const sleeperRow = await harness.prisma.environment.findUniqueOrThrow({ where: { id: sleeperId } });
      expect(sleeperRow.stateReason).toBe(`expired at ${expiresAt.toISOString()}`);
      const sleeperSteps = (await changes(sleeperId)).map((e) => `${e.state}:${e.progressStep}`);
      expect(sleeperSteps.indexOf('ready:expiry-exporting')).toBeGreaterThan(
        sleeperSteps.indexOf('waking:wake-for-export'),
      );
      const endingRow = await harness.prisma.environment.findUniqueOrThrow({ where: { id: endingId } });
      expect(endingRow.stateReason).toBe(`its cohort ended at ${endsAt.toISOString()}`);
      for (const id of [endingId, sleeperId]) expect(host.namespacesOf(id)).toEqual([]);

      // What they built is still theirs to download.
      for (const student of [ending, sleeper]) {
        const list = await as(student.token, 'GET', '/api/v1/me/environment/exports');
        expect(list.body).toEqual([expect.objectContaining({ reason: 'teardown' })]);
        const bundle = await as(student.token, 'GET', `/api/v1/me/environment/exports/${list.body[0].id}`);
        expect(bundle.text).toContain('name: db-password');
      }
    }, 120000);

    it("lets the cohort's staff set and clear an environment's expiry, validated and audited", async () => {
      const cohort = await createCohort(harness);
      const student = await joinStudent(harness, cohort);
      const id = await readyEnvironment(student);
      const outsider = (await createCohort(harness)).instructor;
      const later = new Date(Date.now() + 7 * 86_400_000).toISOString();
      const patch = (token: string, body: unknown) => as(token, 'PATCH', `/api/v1/environments/${id}`, body);

      expect((await patch(outsider.token, { expiresAt: later })).status).toBe(404);
      expect((await patch(student.token, { expiresAt: later })).status).toBe(403);
      const past = await patch(cohort.instructor.token, {
        expiresAt: new Date(Date.now() - 60_000).toISOString(),
      });
      expect(past.status).toBe(400);
      expect(past.body.details).toEqual([{ field: 'expiresAt', problem: 'must be in the future' }]);
      const missing = await patch(cohort.instructor.token, {});
      expect(missing.status).toBe(400);
      expect(missing.body.details).toEqual([
        expect.objectContaining({ field: 'expiresAt', problem: expect.stringContaining('required') }),
      ]);
      const local = await patch(cohort.instructor.token, { expiresAt: '2030-01-01T10:00:00' });
      expect(local.status).toBe(400);

      const set = await patch(cohort.instructor.token, { expiresAt: later });
      expect(set.status).toBe(200);
      expect(set.body).toMatchObject({ id, state: 'ready', expiresAt: later });
      expect((await as(student.token, 'GET', '/api/v1/me/environment')).body.expiresAt).toBe(later);
      const cleared = await patch(admin.token, { expiresAt: null });
      expect(cleared.status).toBe(200);
      expect(cleared.body.expiresAt).toBeNull();
      const audit = await harness.prisma.auditLog.findMany({
        where: { targetId: id, action: 'environment.expiry.set' },
      });
      expect(audit).toHaveLength(2);
    }, 60000);

    it("deletes namespaces labelled as ours that no environment owns, and leaves others' alone", async () => {
      const cohort = await createCohort(harness);
      const labels = (environmentId: string, cohortId: string) => ({
        'app.kubernetes.io/managed-by': 'kubecohort',
        'kubecohort.dev/environment': environmentId,
        'kubecohort.dev/cohort': cohortId,
        'kubecohort.dev/role': 'vcluster',
      });
      const orphanId = '01a2b3c4-0000-7000-8000-00000000abcd';
      const foreignId = '01a2b3c4-0000-7000-8000-00000000dcba';
      host.server.seed(
        {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: 'kc-orphan', labels: labels(orphanId, cohort.id) },
        },
        {
          apiVersion: 'v1',
          kind: 'Namespace',
          // Another installation sharing this host cluster: a cohort this database does not know.
          metadata: { name: 'kc-foreign', labels: labels(foreignId, '01a2b3c4-0000-7000-8000-0000000f0f0f') },
        },
      );
      await host.server.waitForGone({ apiVersion: 'v1', kind: 'Namespace', name: 'kc-orphan' }, 30000);
      expect(
        host.server.getObject({ apiVersion: 'v1', kind: 'Namespace', name: 'kc-foreign' }),
      ).toBeDefined();
      expect(worker.stdout).toMatch(/orphan namespace deleted/);
      host.server.removeObject({ apiVersion: 'v1', kind: 'Namespace', name: 'kc-foreign' });
    }, 60000);

    it('provisions a ready environment again when its namespace vanished', async () => {
      const cohort = await createCohort(harness);
      const student = await joinStudent(harness, cohort);
      const id = await readyEnvironment(student);
      host.server.removeObject({ apiVersion: 'v1', kind: 'Namespace', name: nsOf(id) });
      // Re-provisioning what mostly still exists is quick: follow it in the events, not the row.
      const deadline = Date.now() + 30000;
      while (!(await changes(id)).some((e) => e.progressStep === 'repair-queued')) {
        if (Date.now() > deadline) throw new Error('the vanished namespace was never noticed');
        await new Promise((r) => setTimeout(r, 100));
      }
      await waitForEnvironment(harness.prisma, id, (e) => e.state === 'ready', 30000);
      expect(host.server.getObject({ apiVersion: 'v1', kind: 'Namespace', name: nsOf(id) })).toBeDefined();
      const after = await changes(id);
      const repair = after.findIndex((e) => e.progressStep === 'repair-queued');
      expect(after[repair]).toMatchObject({
        state: 'provisioning',
        reason: 'its namespace was missing on the host cluster: provisioning it again',
      });
      expect(after.slice(repair).at(-1)).toMatchObject({ state: 'ready', progressStep: 'ready' });
    }, 60000);

    it('marks an environment stuck in a transition far too long failed, with the reason', async () => {
      const cohort = await createCohort(harness);
      const student = await joinStudent(harness, cohort);
      const stuck = await harness.prisma.environment.create({
        data: {
          cohortId: cohort.id,
          userId: student.id,
          activeUserId: student.id,
          state: 'waking',
          progressStep: 'scaling-up',
          stateChangedAt: new Date(Date.now() - 3 * 3600_000),
        },
      });
      const failed = await waitForEnvironment(harness.prisma, stuck.id, (e) => e.state === 'failed', 30000);
      expect(failed.stateReason).toMatch(
        /^stuck waking \(at scaling-up\) for more than \d+ min: marked failed/,
      );
      const row = await harness.prisma.environment.findUniqueOrThrow({ where: { id: stuck.id } });
      expect(row.activeUserId).toBeNull();
    }, 60000);
  });

  describe('secrets stay secret', () => {
    it("never writes the student's exported objects or a kubeconfig to the api or worker logs", () => {
      const logs = [api.stdout, api.stderr, worker.stdout, worker.stderr];
      expect(worker.stdout).toMatch(/environment reset/);
      for (const log of logs) {
        expect(log).not.toContain('hunter2-very-secret');
        expect(log).not.toContain(Buffer.from('hunter2-very-secret').toString('base64'));
        expect(log).not.toContain('client-key-data');
        expect(log).not.toContain(host.server.token);
      }
    });
  });
});
