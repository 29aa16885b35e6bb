import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { SecretBox } from '@kubecohort/auth';
import {
  DEFAULT_STUDENT_CLUSTER_PROBE_OPTIONS,
  PROBE_CONTAINER_PREFIX,
  StudentClusterProbe,
  throwawayEncryptionKeys,
  type WorkbenchAccess,
} from '@kubecohort/environments';
import { gradeTask, isInfrastructureError, type GraderSpec } from '@kubecohort/grading';
import { DEFAULT_KUBE_CLIENT_OPTIONS, KubeClients } from '@kubecohort/kubernetes';
import { FakeKubeApiServer, type SeedObject } from './fake-kube-api/index.js';
import {
  LiveEnvironmentTransports,
  type StudentEnvironment,
} from '../apps/worker/src/grading/environment-grading-targets.js';
import { SimulatedNetwork } from './fake-kube-api/network.simulator.js';

// The production ClusterProbe (libs/environments) through the real @kubernetes/client-node against
// the fake API server: reads, ephemeral probe containers on the source pod, and probes exec-ed into
// them, answered by the fake's simulated network (NetworkPolicies evaluated by the engine).

const PROBE_OPTIONS = { image: 'netshoot-test', startTimeoutMs: 3000, lifetimeSeconds: 600, recheckMs: 100 };

function namespace(name: string, labels: Record<string, string> = {}): SeedObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

function pod(
  ns: string,
  name: string,
  ip: string,
  labels: Record<string, string>,
  ports: number[],
): SeedObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels },
    spec: {
      containers: [
        {
          name: 'main',
          image: 'agnhost',
          ports: ports.map((port) => ({ name: `p${port}`, containerPort: port })),
        },
      ],
    },
    status: {
      phase: 'Running',
      podIP: ip,
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [
        { name: 'main', ready: true, state: { running: { startedAt: new Date().toISOString() } } },
      ],
    },
  };
}

function service(ns: string, name: string, clusterIP: string, selector: Record<string, string>): SeedObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns },
    spec: { clusterIP, selector, ports: [{ port: 80, targetPort: 'p8080', protocol: 'TCP' }] },
  };
}

const ALLOW_FRONTEND_ONLY: SeedObject = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'api-from-frontend', namespace: 'backend' },
  spec: {
    podSelector: { matchLabels: { app: 'api' } },
    policyTypes: ['Ingress'],
    ingress: [
      {
        from: [{ namespaceSelector: { matchLabels: { team: 'frontend' } } }],
        ports: [{ port: 8080, protocol: 'TCP' }],
      },
    ],
  },
};

/** A Lab-3-like grader: the matrix, DNS of the service, and HTTP through it. */
const GRADER: GraderSpec = {
  taskId: 'probe-test',
  graderId: 'probe-test',
  timeoutMs: 20_000,
  checks: [
    {
      kind: 'k8s.connectivity-matrix',
      id: 'matrix',
      title: 'only the frontend reaches the API',
      points: 10,
      failureMessage: 'The connectivity between the pods is not what the lab asks for',
      hint: 'Allow ingress to app=api from the frontend namespace on 8080 only',
      pods: [
        { label: 'web', namespace: 'frontend', name: 'web' },
        { label: 'api', namespace: 'backend', name: 'api' },
        { label: 'intruder', namespace: 'other', name: 'intruder' },
      ],
      ports: [{ port: 8080, protocol: 'TCP' }],
      allowed: [
        { from: 'web', to: 'api', port: 8080 },
        { from: 'web', to: 'intruder', port: 8080 },
        { from: 'api', to: 'web', port: 8080 },
        { from: 'api', to: 'intruder', port: 8080 },
        { from: 'intruder', to: 'web', port: 8080 },
      ],
      probeTimeoutMs: 1000,
    },
    {
      kind: 'k8s.dns',
      id: 'dns',
      title: 'the api service resolves',
      points: 5,
      failureMessage: 'api.backend does not resolve from the frontend',
      hint: 'Check the service name and namespace',
      from: { namespace: 'frontend', name: 'web' },
      name: 'api.backend',
      expectServiceIp: { namespace: 'backend', name: 'api' },
    },
    {
      kind: 'k8s.http',
      id: 'http',
      title: 'the api answers through its service',
      points: 5,
      failureMessage: 'http://api.backend does not answer the frontend',
      hint: 'Check the service targetPort',
      from: { namespace: 'frontend', name: 'web' },
      url: 'http://api.backend/',
      expectStatus: 200,
      expectBody: { contains: 'ok from api' },
    },
  ],
};

describe('StudentClusterProbe against the fake API server', () => {
  let server: FakeKubeApiServer;
  let probe: StudentClusterProbe;
  let clients: KubeClients;

  beforeEach(async () => {
    server = new FakeKubeApiServer({ controller: { ephemeralContainerStartDelayMs: 20 } });
    await server.start();
    const network = new SimulatedNetwork(server);
    server.onExec(
      (ctx) => network.exec(ctx) ?? { stderr: `unexpected command ${ctx.command[0]}\n`, exitCode: 127 },
    );
    clients = new KubeClients({ ...DEFAULT_KUBE_CLIENT_OPTIONS, retryBaseDelayMs: 10, retryAttempts: 2 });
    probe = new StudentClusterProbe(clients.connect(server.kubeconfig()), PROBE_OPTIONS);
    server.seed(
      namespace('frontend', { team: 'frontend' }),
      namespace('backend'),
      namespace('other'),
      pod('frontend', 'web', '10.0.1.10', { app: 'web' }, [8080]),
      pod('backend', 'api', '10.0.2.10', { app: 'api' }, [8080]),
      pod('other', 'intruder', '10.0.3.10', { app: 'intruder' }, [8080]),
      service('backend', 'api', '10.96.0.20', { app: 'api' }),
    );
  });

  afterEach(async () => {
    await server.stop();
  });

  it('passes a correct policy: matrix, DNS and HTTP probed from inside the source pods', async () => {
    server.seed(ALLOW_FRONTEND_ONLY);
    const result = await gradeTask(GRADER, { cluster: probe });
    expect(result.checks.map((check) => [check.id, check.passed, check.message])).toEqual([
      ['matrix', true, null],
      ['dns', true, null],
      ['http', true, null],
    ]);
    expect(result).toMatchObject({ status: 'passed', score: 20, maxScore: 20 });

    // Each source pod got one probe container, unprivileged, and every probe ran in it.
    for (const name of ['web', 'api', 'intruder']) {
      const ns = { web: 'frontend', api: 'backend', intruder: 'other' }[name]!;
      const containers = server.getObject({ apiVersion: 'v1', kind: 'Pod', namespace: ns, name })!.spec as {
        ephemeralContainers?: { name: string; image: string; securityContext: unknown; command: string[] }[];
      };
      expect(containers.ephemeralContainers).toHaveLength(1);
      expect(containers.ephemeralContainers![0]).toMatchObject({
        name: expect.stringMatching(new RegExp(`^${PROBE_CONTAINER_PREFIX}`)),
        image: 'netshoot-test',
        command: ['sleep', '600'],
        securityContext: {
          runAsNonRoot: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
        },
      });
    }
    const execs = server.execCalls;
    expect(execs.length).toBe(6 + 2); // 3 x 2 matrix cells, one dig, one curl
    expect(execs.every((call) => call.container.startsWith(PROBE_CONTAINER_PREFIX))).toBe(true);
    expect(execs.map((call) => call.command[0]).sort()).toEqual(['curl', 'dig', ...Array(6).fill('nc')]);
  });

  it('fails a policy that lets the intruder in, naming the flow, with the matrices as evidence', async () => {
    // No policy at all: everything is allowed, including intruder -> api.
    const result = await gradeTask(GRADER, { cluster: probe });
    const matrix = result.checks.find((check) => check.id === 'matrix')!;
    expect(matrix.passed).toBe(false);
    expect(matrix.message).toContain('1 of 6 flows differ: intruder -> api:8080 allowed');
    expect(matrix.evidence).toMatchObject({
      pods: ['web', 'api', 'intruder'],
      expected: expect.any(Array),
      actual: expect.any(Array),
    });
    expect(result.status).toBe('failed');
  });

  it('sees a deny-all as blocked traffic and a broken targetPort as a refused connection', async () => {
    // targetPort 9090: nothing listens there (and no policy drops the traffic first).
    server.seed({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'api', namespace: 'backend' },
      spec: { clusterIP: '10.96.0.20', selector: { app: 'api' }, ports: [{ port: 80, targetPort: 9090 }] },
    });
    const http = await probe.probeFromPod(
      { namespace: 'frontend', pod: 'web' },
      { kind: 'http', url: 'http://api.backend/', method: 'GET', timeoutMs: 1000 },
    );
    expect(http).toEqual({ kind: 'http', ok: false, error: 'connection refused' });

    server.seed({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'deny-all', namespace: 'backend' },
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    });
    const tcp = await probe.probeFromPod(
      { namespace: 'frontend', pod: 'web' },
      { kind: 'tcp', host: '10.0.2.10', port: 8080, timeoutMs: 1000 },
    );
    expect(tcp).toEqual({ kind: 'tcp', ok: false, error: 'timeout' });
    const nxdomain = await probe.probeFromPod(
      { namespace: 'frontend', pod: 'web' },
      { kind: 'dns', name: 'nothere.backend', recordType: 'A', timeoutMs: 1000 },
    );
    expect(nxdomain).toEqual({ kind: 'dns', ok: false, addresses: [], error: 'NXDOMAIN' });
  });

  it('reuses a running probe container of an earlier grading while it has time left', async () => {
    server.seed(ALLOW_FRONTEND_ONLY);
    const tcp = { kind: 'tcp' as const, host: '10.0.2.10', port: 8080, timeoutMs: 1000 };
    expect(await probe.probeFromPod({ namespace: 'frontend', pod: 'web' }, tcp)).toEqual({
      kind: 'tcp',
      ok: true,
    });
    const later = new StudentClusterProbe(clients.connect(server.kubeconfig()), PROBE_OPTIONS);
    expect(await later.probeFromPod({ namespace: 'frontend', pod: 'web' }, tcp)).toEqual({
      kind: 'tcp',
      ok: true,
    });
    const spec = server.getObject({ apiVersion: 'v1', kind: 'Pod', namespace: 'frontend', name: 'web' })!
      .spec as {
      ephemeralContainers: unknown[];
    };
    expect(spec.ephemeralContainers).toHaveLength(1);

    // Past half its lifetime, the next grading adds a fresh one rather than racing its exit.
    const muchLater = new StudentClusterProbe(
      clients.connect(server.kubeconfig()),
      PROBE_OPTIONS,
      () => Date.now() + 301_000,
    );
    expect(await muchLater.probeFromPod({ namespace: 'frontend', pod: 'web' }, tcp)).toEqual({
      kind: 'tcp',
      ok: true,
    });
    const after = server.getObject({ apiVersion: 'v1', kind: 'Pod', namespace: 'frontend', name: 'web' })!
      .spec as {
      ephemeralContainers: unknown[];
    };
    expect(after.ephemeralContainers).toHaveLength(2);
  });

  it('blocks DNS when an egress policy leaves out kube-dns', async () => {
    server.seed(
      namespace('kube-system'),
      pod('kube-system', 'coredns', '10.0.0.53', { 'k8s-app': 'kube-dns' }, []),
    );
    const dns = { kind: 'dns' as const, name: 'api.backend', recordType: 'A' as const, timeoutMs: 1000 };
    expect(await probe.probeFromPod({ namespace: 'frontend', pod: 'web' }, dns)).toEqual({
      kind: 'dns',
      ok: true,
      addresses: ['10.96.0.20'],
    });
    server.seed({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'deny-egress', namespace: 'frontend' },
      spec: { podSelector: {}, policyTypes: ['Egress'] },
    });
    expect(await probe.probeFromPod({ namespace: 'frontend', pod: 'web' }, dns)).toEqual({
      kind: 'dns',
      ok: false,
      addresses: [],
      error: 'timeout',
    });
  });

  it('rejects with an infrastructure error when the probe container never runs or exits at once', async () => {
    server.controller.configure({ ephemeralContainerStartDelayMs: 60_000 });
    const tcp = { kind: 'tcp' as const, host: '10.0.2.10', port: 8080, timeoutMs: 500 };
    const stuck = new StudentClusterProbe(clients.connect(server.kubeconfig()), {
      ...PROBE_OPTIONS,
      startTimeoutMs: 500,
    });
    const never = await stuck
      .probeFromPod({ namespace: 'frontend', pod: 'web' }, tcp)
      .catch((error: unknown) => error);
    expect(isInfrastructureError(never)).toBe(true);
    expect(never).toMatchObject({ code: 'probe-start', message: expect.stringContaining('did not start') });

    server.controller.configure({ ephemeralContainerStartDelayMs: 10 });
    server.onEphemeralContainer(() => ({ exitCode: 1, logs: 'exec: "sleep": not found\n' }));
    const exited = await probe
      .probeFromPod({ namespace: 'backend', pod: 'api' }, tcp)
      .catch((error: unknown) => error);
    expect(isInfrastructureError(exited)).toBe(true);
    // Seen exited before the exec (probe-start), or gone under the exec (transport-down): retried either way.
    expect(['probe-start', 'transport-down']).toContain((exited as { code: string }).code);
  });

  it('turns an unreachable or failing API into infrastructure errors, and a missing object into null', async () => {
    expect(
      await probe.get({ apiVersion: 'v1', kind: 'Pod', namespace: 'frontend', name: 'nothere' }),
    ).toBeNull();
    expect(
      await probe.list({ apiVersion: 'v1', kind: 'Pod', namespace: 'frontend', labels: { app: 'web' } }),
    ).toHaveLength(1);
    expect(
      await probe.list({ apiVersion: 'v1', kind: 'Pod', namespace: 'frontend', labels: { app: 'nope' } }),
    ).toEqual([]);

    server.faults.add({ pathPattern: '/api/v1/namespaces/frontend/pods', status: 500, times: 10 });
    const failed = await probe
      .get({ apiVersion: 'v1', kind: 'Pod', namespace: 'frontend', name: 'web' })
      .catch((error: unknown) => error);
    expect(isInfrastructureError(failed)).toBe(true);
    expect(failed).toMatchObject({ code: 'kube-unavailable' });
  });

  it("is what the worker's live transports open on a ready environment, from its encrypted kubeconfig", async () => {
    server.seed(ALLOW_FRONTEND_ONLY);
    const box = new SecretBox(throwawayEncryptionKeys());
    const transports = new LiveEnvironmentTransports({} as WorkbenchAccess, box, clients, {
      ...DEFAULT_STUDENT_CLUSTER_PROBE_OPTIONS,
      ...PROBE_OPTIONS,
    });
    const environment: StudentEnvironment = {
      id: 'b3f1c2d4-0000-4000-8000-000000000001',
      cohortId: null,
      userId: null,
      hostClusterId: null,
      namespace: 'kc-student',
      workbenchNamespace: null,
      vclusterName: 'vc',
      serverUrl: server.url,
      kubeconfigEncrypted: box.encrypt(server.kubeconfig()),
    };
    const result = await gradeTask(GRADER, { cluster: transports.cluster(environment) });
    expect(result).toMatchObject({ status: 'passed', score: 20 });

    expect(transports.cluster({ ...environment, kubeconfigEncrypted: null })).toBeUndefined();
    const foreign = new SecretBox(throwawayEncryptionKeys()).encrypt(server.kubeconfig());
    let thrown: unknown;
    try {
      transports.cluster({ ...environment, kubeconfigEncrypted: foreign });
    } catch (error) {
      thrown = error;
    }
    expect(isInfrastructureError(thrown)).toBe(true);
    expect(thrown).toMatchObject({ code: 'credentials' });
    expect(String(thrown)).not.toContain('token');
  });
});
