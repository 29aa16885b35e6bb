import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SecretBox } from '@kubecohort/auth';
import { HostClusterRegistry, parseEncryptionKeys, WorkbenchAccess } from '@kubecohort/environments';
import { DEFAULT_KUBE_CLIENT_OPTIONS, KubeClients } from '@kubecohort/kubernetes';
import { readFileSync } from 'node:fs';
import { ApiHarness, TEST_JWT_SECRET, type TestUser } from '../support/api-harness.js';
import { createCohort, joinStudent } from '../support/cohort-fixtures.js';
import { createEnvDatabase, type EnvDatabase } from '../support/env-database.js';
import {
  call,
  privateRedisPrefix,
  startApi,
  startWorker,
  TEST_ENCRYPTION_KEYS,
  waitForEnvironment,
} from '../support/env-harness.js';
import { assertBuilt, type RunningProcess } from '../support/processes.js';

/**
 * The same flow as test/environments.test.ts, on a real kind host cluster made by deploy/kind
 * (see deploy/kind/README.md for the exact steps). Opt-in: K8S_E2E=1, KUBECONFIG (admin context of
 * the kind cluster), E2E_NODE_ADDRESS (a node IP reachable from here); optional
 * E2E_HOST_KUBECONFIG (kubecohort's service account; defaults to KUBECONFIG).
 */
const enabled = process.env.K8S_E2E === '1';
const suite = enabled ? describe : describe.skip;

suite('environments on a real kind host cluster (K8S_E2E=1)', () => {
  const minutes = (n: number) => n * 60_000;
  let db: EnvDatabase;
  let harness: ApiHarness;
  let admin: TestUser;
  let url: string;
  const processes: RunningProcess[] = [];
  const redisPrefix = privateRedisPrefix();
  const clients = new KubeClients(DEFAULT_KUBE_CLIENT_OPTIONS);
  const settings = (): NodeJS.ProcessEnv => ({
    ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
    ENV_ADDRESS_MODE: 'nodeport',
    ENV_NODE_ADDRESS: process.env.E2E_NODE_ADDRESS,
    VCLUSTER_PROBE: 'direct',
    ENV_STEP_TIMEOUT_SECONDS: '600',
    ENV_RECHECK_INTERVAL_MS: '2000',
    ...(process.env.VCLUSTER_CHART_VERSION
      ? { VCLUSTER_CHART_VERSION: process.env.VCLUSTER_CHART_VERSION }
      : {}),
  });

  const adminKubeconfig = () => readFileSync(process.env.KUBECONFIG!.split(':')[0]!, 'utf8');
  const hostKubeconfig = () =>
    process.env.E2E_HOST_KUBECONFIG
      ? readFileSync(process.env.E2E_HOST_KUBECONFIG, 'utf8')
      : adminKubeconfig();

  beforeAll(async () => {
    if (!process.env.KUBECONFIG || !process.env.E2E_NODE_ADDRESS)
      throw new Error('K8S_E2E=1 needs KUBECONFIG and E2E_NODE_ADDRESS (see deploy/kind/README.md)');
    assertBuilt();
    db = await createEnvDatabase('e2e');
    harness = await ApiHarness.start({ DATABASE_URL: db.url, REDIS_PREFIX: redisPrefix, ...settings() });
    admin = await harness.createUser('admin');
    const started = await startApi({
      databaseUrl: db.url,
      redisPrefix,
      jwtSecret: TEST_JWT_SECRET,
      env: settings(),
    });
    processes.push(started.api);
    url = started.url;
    processes.push(
      await startWorker({ databaseUrl: db.url, redisPrefix, env: { ...settings(), LOG_LEVEL: 'info' } }),
    );
  }, minutes(2));

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop('SIGTERM')));
    await harness?.stop();
    await db?.drop();
  }, minutes(1));

  it(
    'provisions a vcluster, lists namespaces inside it with the returned kubeconfig, execs into the workbench, tears down',
    async () => {
      const registered = await call(url, 'POST', '/api/v1/host-clusters', {
        token: admin.token,
        body: {
          name: `kind-${Date.now().toString(36)}`,
          region: 'local',
          kubeconfig: hostKubeconfig(),
          capacityEnvironments: 5,
          capacityCpuMillis: 100_000,
          capacityMemoryMib: 100_000,
        },
      });
      expect(registered.status).toBe(201);

      const cohort = await createCohort(harness);
      const student = await joinStudent(harness, cohort);
      const requested = await call(url, 'POST', '/api/v1/me/environment', { token: student.token });
      expect(requested.status).toBe(202);
      const id = requested.body.id as string;
      const env = await waitForEnvironment(
        harness.prisma,
        id,
        (e) => e.state === 'ready' || e.state === 'failed',
        minutes(15),
      );
      expect({ state: env.state, reason: env.stateReason }).toEqual({ state: 'ready', reason: null });

      const kubeconfig = await call(url, 'GET', '/api/v1/me/environment/kubeconfig', {
        token: student.token,
      });
      expect(kubeconfig.status).toBe(200);
      expect(kubeconfig.text).toContain(`server: https://${process.env.E2E_NODE_ADDRESS}:`);
      // The student's view: their own cluster, reached at the address they were given.
      const vcluster = clients.connect(kubeconfig.text);
      const namespaces = (await vcluster.list({ apiVersion: 'v1', kind: 'Namespace' })).map(
        (n) => n.metadata.name,
      );
      expect(namespaces).toEqual(expect.arrayContaining(['default', 'kube-system']));
      expect(namespaces.some((n) => n.startsWith('kc-'))).toBe(false);

      const box = new SecretBox(parseEncryptionKeys(TEST_ENCRYPTION_KEYS));
      const access = new WorkbenchAccess(
        harness.prisma,
        new HostClusterRegistry(harness.prisma, box, clients),
        clients,
      );
      const workbench = await access.runnerFor(id);
      const veth = await workbench.run(['ip', 'link', 'add', 'kc0', 'type', 'veth', 'peer', 'name', 'kc1'], {
        timeoutMs: 30000,
      });
      expect(veth).toMatchObject({ exitCode: 0, timedOut: false });
      expect((await workbench.run(['ip', '-o', 'link', 'show', 'kc0'])).stdout).toContain('kc0@kc1');

      const deleted = await call(url, 'DELETE', `/api/v1/environments/${id}`, {
        token: cohort.instructor.token,
      });
      expect(deleted.status).toBe(202);
      await waitForEnvironment(
        harness.prisma,
        id,
        (e) => e.state === 'deleted' || e.state === 'failed',
        minutes(10),
      );
      const host = clients.connect(adminKubeconfig());
      const compact = id.replace(/-/g, '');
      expect(await host.get({ apiVersion: 'v1', kind: 'Namespace', name: `kc-${compact}` })).toBeNull();
      expect(await host.get({ apiVersion: 'v1', kind: 'Namespace', name: `kc-${compact}-wb` })).toBeNull();
    },
    minutes(30),
  );
});
