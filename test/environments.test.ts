import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SecretBox } from '@kubecohort/auth';
import { HostClusterRegistry, parseEncryptionKeys, WorkbenchAccess } from '@kubecohort/environments';
import { DEFAULT_KUBE_CLIENT_OPTIONS, KubeClients } from '@kubecohort/kubernetes';
import { parse as parseYaml } from 'yaml';
import { FakeKubeApiServer, type KubeObject } from './fake-kube-api/index.js';
import { ApiHarness, TEST_JWT_SECRET, type TestUser } from './support/api-harness.js';
import {
  createCohort,
  discordId,
  joinStudent,
  type CohortFixture,
  type JoinedStudent,
} from './support/cohort-fixtures.js';
import { createEnvDatabase, type EnvDatabase } from './support/env-database.js';
import {
  call,
  environmentSettings,
  FakeHostCluster,
  NODE_ADDRESS,
  privateRedisPrefix,
  startApi,
  startWorker,
  TEST_ENCRYPTION_KEYS,
  waitForEnvironment,
  type HttpAnswer,
} from './support/env-harness.js';
import { assertBuilt, type RunningProcess } from './support/processes.js';

interface Kubeconfig {
  clusters: { name: string; cluster: { server: string; 'certificate-authority-data'?: string } }[];
  users: { name: string; user: Record<string, string> }[];
  'current-context': string;
}

/**
 * Per-student environments end to end: the api and the worker run as real processes (built),
 * against real PostgreSQL (a database of this suite's own) and Redis, provisioning on the fake
 * Kubernetes API server through the real @kubernetes/client-node.
 */
describe('environments on a fake host cluster (real api and worker processes)', () => {
  let db: EnvDatabase;
  let harness: ApiHarness;
  let host: FakeHostCluster;
  let api: RunningProcess;
  let url: string;
  let worker: RunningProcess;
  let admin: TestUser;
  const redisPrefix = privateRedisPrefix();
  const processes: RunningProcess[] = [];
  /** Every response given to someone who must not see a kubeconfig. */
  const othersSaw: HttpAnswer[] = [];
  const box = new SecretBox(parseEncryptionKeys(TEST_ENCRYPTION_KEYS));
  const clients = new KubeClients({ ...DEFAULT_KUBE_CLIENT_OPTIONS, retryBaseDelayMs: 10 });

  const as = (
    token: string,
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) => call(url, method, path, { token, body, headers });

  async function registerHost(name: string, capacity = 40): Promise<HttpAnswer> {
    return as(admin.token, 'POST', '/api/v1/host-clusters', {
      name,
      region: 'test',
      kubeconfig: host.kubeconfig(),
      capacityEnvironments: capacity,
      capacityCpuMillis: capacity * 1500,
      capacityMemoryMib: capacity * 1536,
    });
  }

  async function readyEnvironment(student: JoinedStudent, timeoutMs = 40000): Promise<string> {
    const requested = await as(student.token, 'POST', '/api/v1/me/environment');
    expect(requested.status).toBe(202);
    await waitForEnvironment(
      harness.prisma,
      requested.body.id,
      (e) => e.state === 'ready' || e.state === 'failed',
      timeoutMs,
    );
    const env = await harness.prisma.environment.findUniqueOrThrow({ where: { id: requested.body.id } });
    expect({ state: env.state, reason: env.stateReason }).toEqual({ state: 'ready', reason: null });
    return env.id;
  }

  function readyEvents(cohortId: string) {
    return harness.prisma.event
      .findMany({ where: { cohortId, type: 'environment.changed' }, orderBy: { id: 'asc' } })
      .then((events) =>
        events.map(
          (e) =>
            e.payload as {
              environmentId: string;
              state: string;
              progressStep: string;
              progressPercent: number;
            },
        ),
      );
  }

  beforeAll(async () => {
    assertBuilt();
    db = await createEnvDatabase('main');
    harness = await ApiHarness.start({
      DATABASE_URL: db.url,
      REDIS_PREFIX: redisPrefix,
      ...environmentSettings(),
    });
    admin = await harness.createUser('admin');
    host = await FakeHostCluster.start();
    const started = await startApi({ databaseUrl: db.url, redisPrefix, jwtSecret: TEST_JWT_SECRET });
    api = started.api;
    url = started.url;
    processes.push(api);
    worker = await startWorker({
      databaseUrl: db.url,
      redisPrefix,
      env: { WORKBENCH_RUNTIME_CLASS: 'kata', VCLUSTER_CHART_VERSION: '0.28.0' },
    });
    processes.push(worker);
  }, 120000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop('SIGTERM')));
    await harness?.stop();
    await host?.stop();
    await db?.drop();
  }, 60000);

  describe('before any host cluster exists', () => {
    it('answers 503 with a clear message (never a 500) when no host cluster has room', async () => {
      const cohort = await createCohort(harness);
      const student = await joinStudent(harness, cohort);
      const res = await as(student.token, 'POST', '/api/v1/me/environment');
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ error: 'no_capacity' });
      expect(res.body.message).toMatch(/No host cluster has room/);
      expect(res.headers.get('retry-after')).toBe('60');
      expect(await harness.prisma.environment.count({ where: { userId: student.id } })).toBe(0);
    });

    it('refuses students without an active enrollment, and staff', async () => {
      const loner = await harness.createUser('student');
      expect((await as(loner.token, 'POST', '/api/v1/me/environment')).body).toMatchObject({
        error: 'not_enrolled',
      });
      const instructor = await harness.createUser('instructor');
      expect((await as(instructor.token, 'POST', '/api/v1/me/environment')).status).toBe(403);
    });
  });

  describe('host cluster registration', () => {
    it('is for admins only', async () => {
      const instructor = await harness.createUser('instructor');
      const res = await as(instructor.token, 'POST', '/api/v1/host-clusters', {
        name: 'nope',
        region: 'x',
        kubeconfig: host.kubeconfig(),
        capacityEnvironments: 1,
        capacityCpuMillis: 1000,
        capacityMemoryMib: 1000,
      });
      expect(res.status).toBe(403);
      expect((await as(instructor.token, 'GET', '/api/v1/host-clusters')).status).toBe(403);
    });

    it('checks connectivity first: an unreachable cluster is a 400 saying so', async () => {
      const gone = new FakeKubeApiServer();
      await gone.start();
      const kubeconfig = gone.kubeconfig();
      await gone.stop();
      const res = await as(admin.token, 'POST', '/api/v1/host-clusters', {
        name: 'unreachable',
        region: 'x',
        kubeconfig,
        capacityEnvironments: 1,
        capacityCpuMillis: 1000,
        capacityMemoryMib: 1000,
      });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('cluster_unreachable');
      expect(res.body.message).toContain(`could not reach the Kubernetes API at ${gone.url}`);
      expect(res.body.details).toEqual([{ field: 'kubeconfig', problem: 'API server unreachable' }]);
      expect(await harness.prisma.hostCluster.count({ where: { name: 'unreachable' } })).toBe(0);
    });

    it('refuses kubeconfigs that would run programs, and never quotes a broken one', async () => {
      const exec = host
        .kubeconfig()
        .replace(
          /user:\n(\s+)token: .*/,
          'user:\n$1exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/sh}',
        );
      const withExec = await as(admin.token, 'POST', '/api/v1/host-clusters', {
        name: 'exec',
        region: 'x',
        kubeconfig: exec,
        capacityEnvironments: 1,
        capacityCpuMillis: 1000,
        capacityMemoryMib: 1000,
      });
      expect(withExec.status).toBe(400);
      expect(withExec.body.message).toMatch(/uses exec/);
      const secret = 'sekrit-token-0123456789';
      const broken = await as(admin.token, 'POST', '/api/v1/host-clusters', {
        name: 'broken',
        region: 'x',
        kubeconfig: `users:\n  - name: x\n    user: {token: ${secret}\n`,
        capacityEnvironments: 1,
        capacityCpuMillis: 1000,
        capacityMemoryMib: 1000,
      });
      expect(broken.status).toBe(400);
      expect(broken.text).not.toContain(secret);
    });

    it('stores the kubeconfig encrypted and never returns it', async () => {
      const res = await registerHost('fake-host-1');
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        name: 'fake-host-1',
        apiServerUrl: host.server.url,
        status: 'active',
        capacity: { environments: 40 },
        allocated: { environments: 0, cpuMillis: 0, memoryMib: 0 },
      });
      expect(JSON.stringify(res.body)).not.toContain(host.server.token);
      const row = await harness.prisma.hostCluster.findUniqueOrThrow({ where: { id: res.body.id } });
      expect(row.kubeconfigEncrypted).toMatch(/^v1\.k1\./);
      expect(row.kubeconfigEncrypted).not.toContain(host.server.token);
      expect(box.decrypt(row.kubeconfigEncrypted)).toBe(host.kubeconfig());

      const list = await as(admin.token, 'GET', '/api/v1/host-clusters?limit=100');
      expect(list.status).toBe(200);
      expect(list.body.items.map((h: { name: string }) => h.name)).toContain('fake-host-1');
      expect(list.text).not.toContain(host.server.token);
      expect(list.text).not.toContain('kubeconfig');
      expect((await registerHost('fake-host-1')).status).toBe(409);
    });
  });

  describe('one student, from request to teardown', () => {
    let cohort: CohortFixture;
    let student: JoinedStudent;
    let environmentId: string;
    let kubeconfigText: string;

    beforeAll(async () => {
      cohort = await createCohort(harness);
      student = await joinStudent(harness, cohort);
    });

    it('provisions (202, idempotent), reports step and percentage, and becomes ready once', async () => {
      const first = await as(student.token, 'POST', '/api/v1/me/environment');
      expect(first.status).toBe(202);
      expect(first.body).toMatchObject({
        state: 'requested',
        progressPercent: 0,
        kubeconfigAvailable: false,
      });
      environmentId = first.body.id;
      const again = await as(student.token, 'POST', '/api/v1/me/environment');
      expect(again.status).toBe(202);
      expect(again.body.id).toBe(environmentId);

      const seen = new Set<string>();
      const deadline = Date.now() + 40000;
      let view: any;
      do {
        view = (await as(student.token, 'GET', '/api/v1/me/environment')).body;
        seen.add(`${view.state}:${view.progressStep}`);
        if (view.state === 'ready' || view.state === 'failed') break;
        await new Promise((r) => setTimeout(r, 50));
      } while (Date.now() < deadline);
      expect(view).toMatchObject({
        id: environmentId,
        state: 'ready',
        progressStep: 'ready',
        progressPercent: 100,
        kubeconfigAvailable: true,
      });
      expect(view.serverUrl).toMatch(new RegExp(`^https://${NODE_ADDRESS.replace(/\./g, '\\.')}:3\\d{4}$`));
      expect([...seen].some((s) => s.startsWith('provisioning:'))).toBe(true);

      const events = (await readyEvents(cohort.id)).filter((e) => e.environmentId === environmentId);
      expect(events.filter((e) => e.state === 'ready')).toHaveLength(1);
      const steps = events.filter((e) => e.state === 'provisioning').map((e) => e.progressStep);
      expect(steps).toEqual([
        'starting',
        'namespace',
        'network-policies',
        'vcluster-release',
        'release-ready',
        'statefulset-ready',
        'kubeconfig-secret',
        'vcluster-address',
        'vcluster-api',
        'workbench',
      ]);
      const percents = events.map((e) => e.progressPercent);
      expect([...percents].sort((a, b) => a - b)).toEqual(percents);
    });

    it('created the namespace, quota, limits, policies and the vcluster release as configured', () => {
      const namespaces = host.namespacesOf(environmentId);
      const vcluster = namespaces.find((n) => n.metadata.labels?.['kubecohort.dev/role'] === 'vcluster')!;
      const ns = vcluster.metadata.name;
      expect(vcluster.metadata.labels).toMatchObject({
        'kubecohort.dev/cohort': cohort.id,
        'kubecohort.dev/student': student.id,
        'pod-security.kubernetes.io/enforce': 'baseline',
      });
      const quota = host.server.getObject({
        apiVersion: 'v1',
        kind: 'ResourceQuota',
        namespace: ns,
        name: 'kubecohort-quota',
      });
      expect((quota?.spec as any).hard).toMatchObject({
        'limits.cpu': '1000m',
        'limits.memory': '1024Mi',
        'services.nodeports': '1',
      });
      expect(
        host.server.getObject({
          apiVersion: 'v1',
          kind: 'LimitRange',
          namespace: ns,
          name: 'kubecohort-limits',
        }),
      ).toBeDefined();
      const policies = host.server
        .listObjects('networking.k8s.io/v1', 'NetworkPolicy', ns)
        .map((p) => p.metadata.name);
      expect(policies.sort()).toEqual(['kubecohort-vcluster-control-plane', 'kubecohort-workload-egress']);
      const [release] = host.helmReleasesOf(ns) as [KubeObject];
      const spec = release.spec as any;
      expect(spec.chart.spec).toMatchObject({ chart: 'vcluster', version: '0.28.0' });
      expect(spec.values.sync.toHost.networkPolicies.enabled).toBe(true);
      expect(spec.values.controlPlane.proxy.extraSANs).toEqual([NODE_ADDRESS]);
      expect(release.metadata.annotations?.['kubecohort.dev/values-version']).toMatch(/^\d+$/);
      // Server-side apply with our field manager.
      const managers = (release.metadata.managedFields as { manager: string; operation: string }[]).map(
        (m) => `${m.manager}:${m.operation}`,
      );
      expect(managers).toContain('kubecohort:Apply');
    });

    it('runs the workbench in its own privileged namespace, with its restrictions', () => {
      const wb = host
        .namespacesOf(environmentId)
        .find((n) => n.metadata.labels?.['kubecohort.dev/role'] === 'workbench')!;
      expect(wb.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('privileged');
      const ns = wb.metadata.name;
      const pod = host.server.getObject({
        apiVersion: 'v1',
        kind: 'Pod',
        namespace: ns,
        name: 'workbench-0',
      })!;
      const podSpec = pod.spec as any;
      expect((pod.status as any).phase).toBe('Running');
      expect(podSpec.automountServiceAccountToken).toBe(false);
      expect(podSpec.runtimeClassName).toBe('kata');
      expect(podSpec.containers[0].securityContext.capabilities.add).toEqual(['NET_ADMIN', 'SYS_ADMIN']);
      expect(podSpec.containers[0].resources.limits).toEqual({ cpu: '500m', memory: '512Mi' });
      const deny = host.server.getObject({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        namespace: ns,
        name: 'kubecohort-default-deny',
      });
      expect(deny?.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
      const quota = host.server.getObject({
        apiVersion: 'v1',
        kind: 'ResourceQuota',
        namespace: ns,
        name: 'kubecohort-quota',
      });
      expect((quota?.spec as any).hard).toMatchObject({ pods: '1', 'limits.cpu': '500m' });
    });

    it('gives graders and the platform an exec transport into the workbench', async () => {
      const registry = new HostClusterRegistry(harness.prisma, box, clients);
      const access = new WorkbenchAccess(harness.prisma, registry, clients);
      host.server.onExec(({ command }) => ({ stdout: `ran ${command.join(' ')}\n` }));
      const runner = await access.runnerFor(environmentId);
      expect(await runner.run(['ip', '-j', 'link', 'show'])).toEqual({
        stdout: 'ran ip -j link show\n',
        stderr: '',
        exitCode: 0,
        timedOut: false,
      });
      const lazy = access.runnerForEnvironment(
        await harness.prisma.environment.findUniqueOrThrow({ where: { id: environmentId } }),
      );
      expect((await lazy.run(['true'])).exitCode).toBe(0);
      const call = host.server.execCalls.at(-1)!;
      expect(call).toMatchObject({ pod: 'workbench-0', container: 'workbench', command: ['true'] });
      expect(call.namespace).toMatch(/-wb$/);
      host.server.onExec(undefined);
    });

    it('returns a kubeconfig that decrypts and points at the rewritten address, to the student only', async () => {
      const res = await as(student.token, 'GET', '/api/v1/me/environment/kubeconfig');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/yaml/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      kubeconfigText = res.text;
      const config = parseYaml(kubeconfigText) as Kubeconfig;
      const ns = host
        .namespacesOf(environmentId)
        .find((n) => n.metadata.labels?.['kubecohort.dev/role'] === 'vcluster')!.metadata.name;
      const service = host.server.getObject({
        apiVersion: 'v1',
        kind: 'Service',
        namespace: ns,
        name: 'vcluster',
      })!;
      const nodePort = (service.spec as any).ports.find((p: { name: string }) => p.name === 'https').nodePort;
      expect(config.clusters[0]!.cluster.server).toBe(`https://${NODE_ADDRESS}:${nodePort}`);
      expect(config['current-context']).toBe('kubecohort');
      // The vcluster's own credentials, unchanged.
      const secret = host.server.getObject({
        apiVersion: 'v1',
        kind: 'Secret',
        namespace: ns,
        name: 'vc-vcluster',
      })!;
      const original = parseYaml(Buffer.from((secret.data as any).config, 'base64').toString()) as Kubeconfig;
      expect(config.users[0]!.user['client-key-data']).toBe(original.users[0]!.user['client-key-data']);
      // Encrypted at rest, with the configured key.
      const row = await harness.prisma.environment.findUniqueOrThrow({ where: { id: environmentId } });
      expect(row.kubeconfigEncrypted).toMatch(/^v1\.k1\./);
      expect(row.kubeconfigEncrypted).not.toContain(config.users[0]!.user['client-key-data']!);
      expect(box.decrypt(row.kubeconfigEncrypted!)).toBe(kubeconfigText);
      // The audit trail names the read, not the content.
      const audit = await harness.prisma.auditLog.findMany({
        where: { action: 'environment.kubeconfig.read', targetId: environmentId },
      });
      expect(audit).toHaveLength(1);
    });

    it('returns it to the bot acting for the student and to the cohort instructor', async () => {
      await harness.prisma.discordLink.create({
        data: { userId: student.id, discordUserId: discordId(), discordUsername: 'student-bot-test' },
      });
      const link = await harness.prisma.discordLink.findUniqueOrThrow({ where: { userId: student.id } });
      const bot = await harness.createServiceToken(['act-as-student']);
      const viaBot = await as(bot.token, 'GET', '/api/v1/me/environment/kubeconfig', undefined, {
        'x-act-as-discord': link.discordUserId,
      });
      expect(viaBot.status).toBe(200);
      expect(viaBot.text).toBe(kubeconfigText);
      const asInstructor = await as(
        cohort.instructor.token,
        'GET',
        `/api/v1/environments/${environmentId}/kubeconfig`,
      );
      expect(asInstructor.status).toBe(200);
      expect(asInstructor.text).toBe(kubeconfigText);
    });

    it('shows nobody else the kubeconfig: other students, other cohorts, admins not teaching', async () => {
      const classmate = await joinStudent(harness, cohort);
      const other = await createCohort(harness);
      const outsider = other.instructor;
      const probes: [string, string, string][] = [
        [classmate.token, 'GET', '/api/v1/me/environment/kubeconfig'],
        [classmate.token, 'GET', '/api/v1/me/environment'],
        [classmate.token, 'GET', `/api/v1/environments/${environmentId}/kubeconfig`],
        [classmate.token, 'GET', `/api/v1/environments/${environmentId}`],
        [classmate.token, 'GET', `/api/v1/cohorts/${cohort.id}/environments`],
        [outsider.token, 'GET', `/api/v1/environments/${environmentId}/kubeconfig`],
        [outsider.token, 'GET', `/api/v1/environments/${environmentId}`],
        [outsider.token, 'GET', `/api/v1/cohorts/${cohort.id}/environments`],
        [outsider.token, 'DELETE', `/api/v1/environments/${environmentId}`],
        [admin.token, 'GET', `/api/v1/environments/${environmentId}/kubeconfig`],
        [student.token, 'DELETE', `/api/v1/environments/${environmentId}`],
      ];
      const statuses: number[] = [];
      for (const [token, method, path] of probes) {
        const res = await as(token, method, path);
        othersSaw.push(res);
        statuses.push(res.status);
      }
      expect(statuses).toEqual([404, 404, 403, 403, 403, 404, 404, 404, 404, 403, 403]);
      // Staff views carry state, never credentials.
      const list = await as(cohort.instructor.token, 'GET', `/api/v1/cohorts/${cohort.id}/environments`);
      expect(list.status).toBe(200);
      expect(list.body.items).toEqual([
        expect.objectContaining({
          id: environmentId,
          userId: student.id,
          state: 'ready',
          kubeconfigAvailable: true,
        }),
      ]);
      othersSaw.push(list, await as(admin.token, 'GET', `/api/v1/environments/${environmentId}`));
      for (const res of othersSaw) {
        expect(res.text).not.toContain('client-key-data');
        expect(res.text).not.toContain(kubeconfigText.slice(0, 40));
      }
    });

    it('tears down: namespaces terminate, then vanish; the environment ends deleted', async () => {
      const namespaces = host.namespacesOf(environmentId).map((n) => n.metadata.name);
      expect(namespaces).toHaveLength(2);
      const res = await as(cohort.instructor.token, 'DELETE', `/api/v1/environments/${environmentId}`);
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ id: environmentId, state: 'deleting' });
      // The student's slot is free at once; their kubeconfig is gone.
      expect((await as(student.token, 'GET', '/api/v1/me/environment/kubeconfig')).status).toBe(404);
      const terminating = await host.server.waitFor(
        { apiVersion: 'v1', kind: 'Namespace', name: namespaces[0]! },
        (ns) => !!ns.metadata.deletionTimestamp,
        20000,
      );
      expect((terminating.status as any)?.phase).toBe('Terminating');
      await waitForEnvironment(harness.prisma, environmentId, (e) => e.state === 'deleted', 30000);
      for (const name of namespaces)
        expect(host.server.getObject({ apiVersion: 'v1', kind: 'Namespace', name })).toBeUndefined();
      const row = await harness.prisma.environment.findUniqueOrThrow({ where: { id: environmentId } });
      expect(row).toMatchObject({
        state: 'deleted',
        activeUserId: null,
        kubeconfigEncrypted: null,
        progressPercent: 100,
      });
      expect((await as(student.token, 'GET', '/api/v1/me/environment')).body).toMatchObject({
        state: 'deleted',
      });
      const states = (await readyEvents(cohort.id))
        .filter((e) => e.environmentId === environmentId)
        .map((e) => e.state);
      expect(states.slice(-1)).toEqual(['deleted']);
      expect(states).toContain('deleting');
      // Deleting again is a no-op.
      const again = await as(cohort.instructor.token, 'DELETE', `/api/v1/environments/${environmentId}`);
      expect(again.status).toBe(202);
      expect(again.body.state).toBe('deleted');
    });
  });

  describe('faults', () => {
    it('converges through 409s, 429s with Retry-After, 500s, dropped connections and watches, and latency', async () => {
      const cohort = await createCohort(harness);
      const student = await joinStudent(harness, cohort);
      const server = host.server;
      server.clearRequests();
      // A release that takes a while, so its readiness is waited for through a watch (and the watch is dropped).
      server.controller.configure({ helmReleaseReadyDelayMs: 1000 });
      server.faults.latency(15);
      server.faults.add({
        method: 'PATCH',
        pathPattern: /^\/api\/v1\/namespaces\/kc-[0-9a-f]{32}$/,
        status: 429,
        retryAfterSeconds: 1,
      });
      server.faults.add({ method: 'PATCH', pathPattern: /\/helmreleases\/vcluster$/, status: 409, times: 2 });
      server.faults.add({ method: 'GET', pathPattern: /\/statefulsets\/vcluster$/, status: 500, times: 3 });
      server.faults.add({
        method: 'PATCH',
        pathPattern: /\/networkpolicies\//,
        dropConnection: true,
        times: 2,
      });
      server.faults.add({ watch: true, pathPattern: /\/helmreleases$/, dropConnection: true, times: 2 });
      try {
        const id = await readyEnvironment(student, 60000);
        const ns = `kc-${id.replace(/-/g, '')}`;
        const nsPatches = server.requestsMatching({
          method: 'PATCH',
          path: new RegExp(`^/api/v1/namespaces/${ns}$`),
        });
        expect(nsPatches.map((r) => r.status).slice(0, 2)).toEqual([429, 201]);
        expect(nsPatches[1]!.timestamp - nsPatches[0]!.timestamp).toBeGreaterThanOrEqual(950);
        const hr = server.requestsMatching({
          method: 'PATCH',
          path: `/namespaces/${ns}/helmreleases/vcluster`,
        });
        expect(hr.map((r) => r.status).slice(0, 3)).toEqual([409, 409, 201]);
        const sts = server.requestsMatching({
          method: 'GET',
          path: `/namespaces/${ns}/statefulsets/vcluster`,
        });
        expect(sts.map((r) => r.status).slice(0, 3)).toEqual([500, 500, 500]);
        const dropped = server.requestsMatching({ path: `/namespaces/${ns}/` }).filter((r) => r.status === 0);
        expect(dropped.length).toBeGreaterThanOrEqual(2);
        expect(
          server
            .requestsMatching({ watch: true, path: `/namespaces/${ns}/helmreleases` })
            .some((r) => r.status === 0),
        ).toBe(true);
      } finally {
        server.faults.clear();
        server.faults.latency(0);
        server.controller.configure({ helmReleaseReadyDelayMs: 150 });
      }
    }, 90000);

    it('marks the environment failed with the reason when the chart cannot install, and frees the slot', async () => {
      const cohort = await createCohort(harness);
      const student = await joinStudent(harness, cohort);
      host.server.onHelmRelease(() => ({
        ready: false,
        reason: 'RetriesExceeded',
        message: 'install retries exhausted: values do not match the chart schema',
      }));
      let failedId: string;
      try {
        const res = await as(student.token, 'POST', '/api/v1/me/environment');
        failedId = res.body.id;
        const failed = await waitForEnvironment(harness.prisma, failedId, (e) => e.state === 'failed', 30000);
        expect(failed.stateReason).toMatch(
          /vcluster could not be installed: RetriesExceeded: install retries exhausted/,
        );
      } finally {
        host.server.onHelmRelease(undefined);
      }
      expect((await as(student.token, 'GET', '/api/v1/me/environment')).body).toMatchObject({
        id: failedId,
        state: 'failed',
      });
      // A failed environment is cleaned up by deleting it, and the student may ask again.
      expect((await as(cohort.instructor.token, 'DELETE', `/api/v1/environments/${failedId}`)).status).toBe(
        202,
      );
      await waitForEnvironment(harness.prisma, failedId, (e) => e.state === 'deleted', 30000);
      expect(host.namespacesOf(failedId)).toEqual([]);
      const retry = await readyEnvironment(student);
      expect(retry).not.toBe(failedId);
    }, 90000);
  });

  describe('a worker killed in the middle of provisioning a batch', () => {
    it('ends with every environment ready exactly once and no duplicate namespace', async () => {
      host.server.controller.configure({ helmReleaseReadyDelayMs: 2500, podReadyDelayMs: 600 });
      const cohort = await createCohort(harness);
      const students = await Promise.all(Array.from({ length: 10 }, () => joinStudent(harness, cohort)));
      const before = new Set(host.server.listObjects('v1', 'Namespace').map((n) => n.metadata.name));
      const ids: string[] = [];
      for (const student of students) {
        const res = await as(student.token, 'POST', '/api/v1/me/environment');
        expect(res.status).toBe(202);
        ids.push(res.body.id);
      }
      // Wait until the batch is in the middle: releases applied, nothing ready yet.
      const deadline = Date.now() + 30000;
      for (;;) {
        const rows = await harness.prisma.environment.findMany({ where: { id: { in: ids } } });
        const midway = rows.filter((r) => r.state === 'provisioning' && r.progressPercent >= 30).length;
        expect(rows.some((r) => r.state === 'ready' || r.state === 'failed')).toBe(false);
        if (midway >= 5) break;
        if (Date.now() > deadline) throw new Error('the batch never got half-way');
        await new Promise((r) => setTimeout(r, 50));
      }
      const killed = worker;
      await killed.stop('SIGKILL');
      const notReady = await harness.prisma.environment.count({
        where: { id: { in: ids }, state: { not: 'ready' } },
      });
      expect(notReady).toBeGreaterThan(0);
      host.server.controller.configure({ helmReleaseReadyDelayMs: 150, podReadyDelayMs: 50 });

      worker = await startWorker({ databaseUrl: db.url, redisPrefix });
      processes.push(worker);
      for (const id of ids)
        await waitForEnvironment(
          harness.prisma,
          id,
          (e) => e.state === 'ready' || e.state === 'failed',
          150000,
        );

      const rows = await harness.prisma.environment.findMany({ where: { id: { in: ids } } });
      expect(rows.map((r) => r.state)).toEqual(Array(10).fill('ready'));
      const events = await readyEvents(cohort.id);
      for (const id of ids) {
        expect(events.filter((e) => e.environmentId === id && e.state === 'ready')).toHaveLength(1);
        const roles = host
          .namespacesOf(id)
          .map((n) => n.metadata.labels?.['kubecohort.dev/role'])
          .sort();
        expect(roles).toEqual(['vcluster', 'workbench']);
        expect(host.helmReleasesOf(`kc-${id.replace(/-/g, '')}`)).toHaveLength(1);
      }
      const created = host.server.listObjects('v1', 'Namespace').filter((n) => !before.has(n.metadata.name));
      expect(created).toHaveLength(20);
      expect(new Set(created.map((n) => n.metadata.name)).size).toBe(20);
      for (const row of rows)
        expect(parseYaml(box.decrypt(row.kubeconfigEncrypted!))).toHaveProperty('clusters');
      processes.splice(processes.indexOf(killed), 1);
      othersSaw.push({ status: 0, body: null, text: killed.stdout + killed.stderr, headers: new Headers() });
    }, 240000);
  });

  describe('secrets stay secret', () => {
    it('never writes a kubeconfig, a credential or a key to the api or worker logs', () => {
      const secrets: string[] = [host.server.token, TEST_ENCRYPTION_KEYS.split(':')[1]!];
      const anySecret = host.server
        .listObjects('v1', 'Secret')
        .find((s) => s.metadata.name === 'vc-vcluster')!;
      const vc = parseYaml(Buffer.from((anySecret.data as any).config, 'base64').toString()) as Kubeconfig;
      secrets.push(vc.users[0]!.user['client-key-data']!, vc.users[0]!.user['client-certificate-data']!);
      const logs = [api.stdout, api.stderr, worker.stdout, worker.stderr, ...othersSaw.map((r) => r.text)];
      expect(api.stdout.length).toBeGreaterThan(0);
      expect(worker.stdout).toMatch(/provisioning step/);
      for (const log of logs) {
        for (const secret of secrets) expect(log).not.toContain(secret);
        expect(log).not.toContain('client-key-data');
        expect(log).not.toContain('BEGIN RSA PRIVATE KEY');
      }
    });
  });
});
