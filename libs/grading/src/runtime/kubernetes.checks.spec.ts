import { describe, expect, it } from '@jest/globals';
import type { CheckSpec, GraderSpec } from './check-spec.types.js';
import type {
  ClusterProbe,
  KubeObject,
  ListQuery,
  NetworkProbe,
  ObjectRef,
  PodRef,
  ProbeOutcome,
} from './cluster-probe.port.js';
import { gradeTask } from './grader.runtime.js';
import type { CheckResult } from './grading-result.types.js';
import { InfrastructureError } from './infrastructure.error.js';

type ProbeHandler = (source: PodRef, probe: NetworkProbe) => ProbeOutcome | Promise<ProbeOutcome>;

/** An in-memory cluster: objects to read, and a scripted network seen from each source pod. */
class FakeCluster implements ClusterProbe {
  readonly probes: { source: PodRef; probe: NetworkProbe }[] = [];
  constructor(
    private readonly objects: KubeObject[],
    private readonly onProbe: ProbeHandler = () => ({ kind: 'tcp', ok: false, error: 'no handler' }),
  ) {}

  get(ref: ObjectRef): Promise<KubeObject | null> {
    const found = this.objects.find(
      (object) =>
        object.apiVersion === ref.apiVersion &&
        object.kind === ref.kind &&
        object.metadata.namespace === ref.namespace &&
        object.metadata.name === ref.name,
    );
    return Promise.resolve(found ?? null);
  }

  list(query: ListQuery): Promise<KubeObject[]> {
    return Promise.resolve(
      this.objects.filter(
        (object) =>
          object.apiVersion === query.apiVersion &&
          object.kind === query.kind &&
          (query.namespace === undefined || object.metadata.namespace === query.namespace) &&
          Object.entries(query.labels ?? {}).every(([key, value]) => object.metadata.labels?.[key] === value),
      ),
    );
  }

  async probeFromPod(source: PodRef, probe: NetworkProbe): Promise<ProbeOutcome> {
    this.probes.push({ source, probe });
    return this.onProbe(source, probe);
  }
}

function pod(
  namespace: string,
  name: string,
  labels: Record<string, string>,
  ip: string,
  ready = true,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace, name, labels },
    status: {
      phase: 'Running',
      podIP: ip,
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    },
  };
}

function service(namespace: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace, name }, spec };
}

const base = { points: 1, failureMessage: 'It is not as asked', hint: 'Look again.' };

async function runOne(check: CheckSpec, cluster: ClusterProbe): Promise<CheckResult> {
  const spec: GraderSpec = { taskId: 't', graderId: 'g', timeoutMs: 10_000, checks: [check] };
  const result = await gradeTask(spec, { cluster });
  return result.checks[0]!;
}

const HELLO = [
  pod('sandbox', 'hello-b', { app: 'hello' }, '10.0.0.12'),
  pod('sandbox', 'hello-a', { app: 'hello' }, '10.0.0.11'),
  pod('sandbox', 'hello-c', { app: 'hello' }, '10.0.0.13', false),
  service('sandbox', 'hello', {
    type: 'ClusterIP',
    clusterIP: '10.96.0.10',
    ports: [{ port: 80, targetPort: 8080 }],
  }),
  {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace: 'sandbox', name: 'hello-x1', labels: { 'kubernetes.io/service-name': 'hello' } },
    endpoints: [
      { addresses: ['10.0.0.11'], conditions: { ready: true } },
      { addresses: ['10.0.0.12'] },
      { addresses: ['10.0.0.13'], conditions: { ready: false } },
    ],
  },
];

describe('Kubernetes checks through the ClusterProbe port', () => {
  it('object exists / field matches, naming the field that does not', async () => {
    const cluster = new FakeCluster(HELLO);
    const object = { apiVersion: 'v1', kind: 'Service', namespace: 'sandbox', name: 'hello' };
    const passed = await runOne(
      {
        ...base,
        id: 'svc',
        title: 'service hello',
        kind: 'k8s.object',
        object,
        fields: [
          { path: 'spec.type', equals: 'ClusterIP' },
          { path: 'spec.ports[0].targetPort', equals: 8080 },
          { path: 'spec.clusterIP', matches: '^10\\.' },
          { path: 'spec.externalName', exists: false },
        ],
      },
      cluster,
    );
    expect(passed.passed).toBe(true);
    const failed = await runOne(
      {
        ...base,
        id: 'svc',
        title: 'service hello',
        kind: 'k8s.object',
        object,
        fields: [{ path: 'spec.type', equals: 'NodePort' }],
      },
      cluster,
    );
    expect(failed).toMatchObject({
      passed: false,
      message: 'It is not as asked: spec.type is "ClusterIP", not "NodePort"',
      evidence: { found: true, fields: [{ path: 'spec.type', value: 'ClusterIP' }] },
    });
    const missing = await runOne(
      { ...base, id: 'svc', title: 'service hello', kind: 'k8s.object', object: { ...object, name: 'nope' } },
      cluster,
    );
    expect(missing.message).toBe('It is not as asked: Service sandbox/nope does not exist');
  });

  it('pods ready: counts Ready pods matching the labels', async () => {
    const cluster = new FakeCluster(HELLO);
    const check = {
      ...base,
      id: 'pods',
      title: 'pods',
      kind: 'k8s.pods-ready' as const,
      namespace: 'sandbox',
      labels: { app: 'hello' },
    };
    expect((await runOne({ ...check, minReady: 2 }, cluster)).passed).toBe(true);
    expect(await runOne({ ...check, minReady: 3 }, cluster)).toMatchObject({
      passed: false,
      message: 'It is not as asked: 2 of 3 pods are ready',
      evidence: { ready: ['hello-b', 'hello-a'], notReady: ['hello-c'] },
    });
  });

  it('service has endpoints: ready addresses of its EndpointSlices (absent condition = ready)', async () => {
    const cluster = new FakeCluster(HELLO);
    const check = {
      ...base,
      id: 'ep',
      title: 'endpoints',
      kind: 'k8s.service-endpoints' as const,
      namespace: 'sandbox',
      service: 'hello',
    };
    expect(await runOne({ ...check, minReady: 2 }, cluster)).toMatchObject({
      passed: true,
      evidence: { ready: ['10.0.0.11', '10.0.0.12'], notReady: ['10.0.0.13'] },
    });
    expect((await runOne({ ...check, minReady: 3 }, cluster)).message).toBe(
      'It is not as asked: hello has 2 ready endpoints, expected 3',
    );
  });

  it('DNS resolves from a pod: the probe runs as the first ready pod, and can require the ClusterIP', async () => {
    const cluster = new FakeCluster(HELLO, (_, probe) =>
      probe.kind === 'dns' && probe.name === 'hello.sandbox.svc.cluster.local'
        ? { kind: 'dns', ok: true, addresses: ['10.96.0.10'] }
        : { kind: 'dns', ok: false, addresses: [], error: 'NXDOMAIN' },
    );
    const check = {
      ...base,
      id: 'dns',
      title: 'dns',
      kind: 'k8s.dns' as const,
      from: { namespace: 'sandbox', labels: { app: 'hello' } },
      expectServiceIp: { namespace: 'sandbox', name: 'hello' },
    };
    expect(await runOne({ ...check, name: 'hello.sandbox.svc.cluster.local' }, cluster)).toMatchObject({
      passed: true,
      evidence: { addresses: ['10.96.0.10'], serviceIp: '10.96.0.10' },
    });
    expect(cluster.probes[0]).toEqual({
      source: { namespace: 'sandbox', pod: 'hello-a' },
      probe: { kind: 'dns', name: 'hello.sandbox.svc.cluster.local', recordType: 'A', timeoutMs: 3000 },
    });
    expect((await runOne({ ...check, name: 'helo.sandbox' }, cluster)).message).toBe(
      'It is not as asked: helo.sandbox does not resolve from hello-a (NXDOMAIN)',
    );
  });

  it('HTTP from a pod: expected status and body', async () => {
    const cluster = new FakeCluster(HELLO, () => ({ kind: 'http', ok: true, status: 200, body: 'hello-b' }));
    const check = {
      ...base,
      id: 'http',
      title: 'http',
      kind: 'k8s.http' as const,
      from: { namespace: 'sandbox', name: 'hello-a' },
      url: 'http://hello.sandbox.svc.cluster.local/hostname',
    };
    expect(
      (await runOne({ ...check, expectStatus: 200, expectBody: { matches: '^hello-' } }, cluster)).passed,
    ).toBe(true);
    expect((await runOne({ ...check, expectStatus: 404 }, cluster)).message).toBe(
      'It is not as asked: GET http://hello.sandbox.svc.cluster.local/hostname returned 200, not 404',
    );
  });

  it('connectivity allowed/blocked over TCP and UDP, to a pod or a service', async () => {
    const open = new Set(['10.0.0.12:8080/tcp', '10.96.0.10:53/udp']);
    const cluster = new FakeCluster(HELLO, (_, probe) =>
      probe.kind === 'tcp' || probe.kind === 'udp'
        ? { kind: probe.kind, ok: open.has(`${probe.host}:${probe.port}/${probe.kind}`), error: 'timeout' }
        : { kind: 'dns', ok: false, addresses: [] },
    );
    const from = { namespace: 'sandbox', name: 'hello-a' };
    const check = { ...base, id: 'conn', title: 'conn', kind: 'k8s.connectivity' as const, from };
    const toB = { pod: { namespace: 'sandbox', name: 'hello-b' } };
    expect(
      (await runOne({ ...check, to: toB, port: 8080, protocol: 'TCP', expect: 'allowed' }, cluster)).passed,
    ).toBe(true);
    expect(
      await runOne({ ...check, to: toB, port: 8080, protocol: 'TCP', expect: 'blocked' }, cluster),
    ).toMatchObject({
      passed: false,
      message: 'It is not as asked: hello-a -> hello-b:8080/TCP is allowed, expected blocked',
      evidence: { expected: 'blocked', actual: 'allowed', host: '10.0.0.12' },
    });
    expect(
      await runOne(
        { ...check, to: toB, port: 9090, protocol: 'TCP', expect: 'allowed', probeTimeoutMs: 500 },
        cluster,
      ),
    ).toMatchObject({
      message: 'It is not as asked: hello-a -> hello-b:9090/TCP is blocked (timeout), expected allowed',
    });
    const toService = { service: { namespace: 'sandbox', name: 'hello' } };
    expect(
      (await runOne({ ...check, to: toService, port: 53, protocol: 'UDP', expect: 'allowed' }, cluster))
        .passed,
    ).toBe(true);
    expect(cluster.probes.at(-1)!.probe).toMatchObject({ kind: 'udp', host: '10.96.0.10', port: 53 });
    expect(cluster.probes.at(-2)!.probe).toEqual({
      kind: 'tcp',
      host: '10.0.0.12',
      port: 9090,
      timeoutMs: 500,
    });
  });

  it('connectivity matrix: evidence {pods, ports, expected, actual} as booleans, and the differing flows', async () => {
    const objects = [
      pod('shop', 'frontend-1', { app: 'frontend' }, '10.1.0.1'),
      pod('shop', 'backend-1', { app: 'backend' }, '10.1.0.2'),
      pod('shop', 'db-1', { app: 'db' }, '10.1.0.3'),
    ];
    const names: Record<string, string> = { 'frontend-1': 'frontend', 'backend-1': 'backend', 'db-1': 'db' };
    const ips: Record<string, string> = { '10.1.0.1': 'frontend', '10.1.0.2': 'backend', '10.1.0.3': 'db' };
    // The student's cluster: frontend -> backend:8080 and backend -> db:5432, plus a leak db -> frontend:8080.
    const actualFlows = new Set(['frontend>backend:8080', 'backend>db:5432', 'db>frontend:8080']);
    const cluster = new FakeCluster(objects, (source, probe) => ({
      kind: 'tcp',
      ok: probe.kind === 'tcp' && actualFlows.has(`${names[source.pod]}>${ips[probe.host]}:${probe.port}`),
    }));
    const result = await runOne(
      {
        ...base,
        id: 'matrix',
        title: 'matrix',
        kind: 'k8s.connectivity-matrix',
        pods: ['frontend', 'backend', 'db'].map((app) => ({
          label: app,
          namespace: 'shop',
          labels: { app },
        })),
        ports: [
          { port: 8080, protocol: 'TCP' },
          { port: 5432, protocol: 'TCP' },
        ],
        allowed: [
          { from: 'frontend', to: 'backend', port: 8080 },
          { from: 'backend', to: 'db', port: 5432 },
        ],
      },
      cluster,
    );
    expect(result.passed).toBe(false);
    expect(result.evidence).toEqual({
      pods: ['frontend', 'backend', 'db'],
      ports: [
        { port: 8080, protocol: 'TCP' },
        { port: 5432, protocol: 'TCP' },
      ],
      expected: [
        [
          [true, true],
          [true, false],
          [false, false],
        ],
        [
          [false, false],
          [true, true],
          [false, true],
        ],
        [
          [false, false],
          [false, false],
          [true, true],
        ],
      ],
      actual: [
        [
          [true, true],
          [true, false],
          [false, false],
        ],
        [
          [false, false],
          [true, true],
          [false, true],
        ],
        [
          [true, false],
          [false, false],
          [true, true],
        ],
      ],
    });
    expect(result.message).toBe('It is not as asked: 1 of 12 flows differ: db -> frontend:8080 allowed');
    // A pod's own cells are not probed; every other cell is probed once, from its source pod.
    expect(cluster.probes).toHaveLength(12);
    expect(new Set(cluster.probes.map((call) => call.source.pod))).toEqual(
      new Set(['frontend-1', 'backend-1', 'db-1']),
    );
  });

  it('ingress routes a host/path to a service, optionally proved by a request through the controller', async () => {
    const ingress: KubeObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { namespace: 'web', name: 'site' },
      spec: {
        rules: [
          {
            host: 'shop.example.test',
            http: {
              paths: [
                {
                  path: '/api',
                  pathType: 'Prefix',
                  backend: { service: { name: 'api', port: { number: 8080 } } },
                },
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: 'frontend', port: { number: 80 } } },
                },
              ],
            },
          },
        ],
      },
    };
    const cluster = new FakeCluster(
      [ingress, pod('web', 'client', { app: 'client' }, '10.2.0.9')],
      (_, probe) => ({
        kind: 'http',
        ok: true,
        status: probe.kind === 'http' && probe.headers?.Host === 'shop.example.test' ? 200 : 404,
      }),
    );
    const check = {
      ...base,
      id: 'ing',
      title: 'ingress',
      kind: 'k8s.ingress-route' as const,
      namespace: 'web',
      host: 'shop.example.test',
    };
    expect(
      (
        await runOne(
          {
            ...check,
            path: '/api/items',
            service: { name: 'api', port: 8080 },
            probe: {
              from: { namespace: 'web', name: 'client' },
              url: 'http://ingress-nginx.ingress/api/items',
              expectStatus: 200,
            },
          },
          cluster,
        )
      ).passed,
    ).toBe(true);
    expect(
      (await runOne({ ...check, path: '/apis', service: { name: 'api', port: 8080 } }, cluster)).message,
    ).toBe('It is not as asked: shop.example.test/apis goes to frontend:80, not api:8080');
  });

  it('an unreachable cluster API is an infrastructure error for the whole grading', async () => {
    const cluster = new FakeCluster(HELLO, () => {
      throw new InfrastructureError('ephemeral container did not start', 'probe-unavailable');
    });
    const result = await gradeTask(
      {
        taskId: 't',
        graderId: 'g',
        timeoutMs: 10_000,
        checks: [
          {
            ...base,
            id: 'http',
            title: 'http',
            kind: 'k8s.http',
            from: { namespace: 'sandbox', name: 'hello-a' },
            url: 'http://hello',
            expectStatus: 200,
          },
        ],
      },
      { cluster },
    );
    expect(result).toMatchObject({
      status: 'error',
      error: { kind: 'infrastructure', code: 'probe-unavailable' },
    });
  });
});

describe('k8s.dns expecting the pod IPs of a headless service', () => {
  const check: CheckSpec = {
    ...base,
    id: 'headless',
    title: 'hello-headless resolves to the hello pods',
    kind: 'k8s.dns',
    from: { namespace: 'sandbox', name: 'hello-a' },
    name: 'hello-headless',
    expectPodAddresses: { namespace: 'sandbox', labels: { app: 'hello' } },
  };
  const answering = (addresses: string[]) =>
    new FakeCluster(HELLO, () => ({ kind: 'dns', ok: true, addresses }));

  it('passes with exactly the ready pod IPs, in any order', async () => {
    expect((await runOne(check, answering(['10.0.0.12', '10.0.0.11']))).passed).toBe(true);
  });

  it('fails with a cluster IP or a missing pod, naming what was expected', async () => {
    expect((await runOne(check, answering(['10.96.0.10']))).message).toBe(
      'It is not as asked: hello-headless resolves to 10.96.0.10, not the 2 ready app=hello pod IPs (10.0.0.11, 10.0.0.12)',
    );
    expect((await runOne(check, answering(['10.0.0.11']))).passed).toBe(false);
  });
});

describe('k8s.http to a pod IP, repeated, counting distinct answers', () => {
  const check: CheckSpec = {
    ...base,
    id: 'spread',
    title: 'requests reach both pods',
    kind: 'k8s.http',
    from: { namespace: 'sandbox', name: 'hello-a' },
    to: { namespace: 'sandbox', name: 'hello-b' },
    url: 'http://{podIP}:8080/hostname',
    expectStatus: 200,
    repeat: 4,
    distinct: { pattern: '^hello-\\S+$', atLeast: 2, what: 'hello pods' },
  };

  it('puts the pod IP in the URL and passes when the answers name enough pods', async () => {
    let turn = 0;
    const cluster = new FakeCluster(HELLO, () => ({
      kind: 'http',
      ok: true,
      status: 200,
      body: turn++ % 2 ? 'hello-a' : 'hello-b',
    }));
    const result = await runOne(check, cluster);
    expect(result.passed).toBe(true);
    expect(cluster.probes).toHaveLength(4);
    expect(cluster.probes.map(({ probe }) => (probe as { url: string }).url)).toEqual(
      Array(4).fill('http://10.0.0.12:8080/hostname'),
    );
    expect(result.evidence).toMatchObject({ distinct: ['hello-a', 'hello-b'] });
  });

  it('fails when every answer names the same pod, and stops at the first error', async () => {
    const same = new FakeCluster(HELLO, () => ({ kind: 'http', ok: true, status: 200, body: 'hello-a' }));
    expect((await runOne(check, same)).message).toBe(
      'It is not as asked: the 4 answers name 1 hello pods, expected at least 2',
    );
    const refused = new FakeCluster(HELLO, () => ({ kind: 'http', ok: false, error: 'connection refused' }));
    expect((await runOne(check, refused)).message).toBe(
      'It is not as asked: GET http://10.0.0.12:8080/hostname got no response (connection refused)',
    );
    expect(refused.probes).toHaveLength(1);
  });

  it('accepts any status below a bound, and names a request through an ingress by its Host', async () => {
    const below: CheckSpec = {
      ...base,
      id: 'below',
      title: 'answers',
      kind: 'k8s.http',
      from: { namespace: 'sandbox', name: 'hello-a' },
      url: 'http://ingress/',
      headers: { Host: 'shop.example.test' },
      expectStatusBelow: 500,
    };
    const answer = (status: number) =>
      new FakeCluster(HELLO, () => ({ kind: 'http', ok: true, status, body: '' }));
    expect((await runOne(below, answer(404))).passed).toBe(true);
    expect((await runOne(below, answer(503))).message).toBe(
      'It is not as asked: GET shop.example.test/ returned 503',
    );
  });
});

describe('k8s.policy-verdict: flows from a stand-in pod, decided by the engine', () => {
  const objects: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } },
    {
      ...pod('shop', 'api-1', { app: 'api' }, '10.0.1.1'),
      spec: { containers: [{ name: 'api', ports: [{ name: 'http', containerPort: 8080 }] }] },
    },
    service('shop', 'api', {
      clusterIP: '10.96.1.1',
      selector: { app: 'api' },
      ports: [{ port: 80, targetPort: 'http' }],
    }),
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { namespace: 'shop', name: 'api-from-web' },
      spec: {
        podSelector: { matchLabels: { app: 'api' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 8080 }] }],
      },
    },
  ];
  const verdict = (
    from: { namespace: string; labels: Record<string, string> },
    expect: 'allowed' | 'blocked',
  ): CheckSpec => ({
    ...base,
    id: 'verdict',
    title: 'who reaches the api',
    kind: 'k8s.policy-verdict',
    from,
    flows: [{ to: { service: { namespace: 'shop', name: 'api' } }, port: 80, expect }],
  });

  it('maps the service port to the named targetPort and applies the policies to the stand-in', async () => {
    const cluster = new FakeCluster(objects);
    expect(
      (await runOne(verdict({ namespace: 'shop', labels: { app: 'web' } }, 'allowed'), cluster)).passed,
    ).toBe(true);
    expect(
      (await runOne(verdict({ namespace: 'other', labels: { app: 'web' } }, 'blocked'), cluster)).passed,
    ).toBe(true);
    const probe = await runOne(verdict({ namespace: 'shop', labels: { app: 'probe' } }, 'allowed'), cluster);
    expect(probe.message).toBe(
      'It is not as asked: from a pod labelled app=probe in shop: api:80 is blocked, expected allowed',
    );
    expect(probe.evidence).toMatchObject({
      flows: [{ to: 'api:80', expected: 'allowed', actual: 'blocked' }],
    });
    expect(cluster.probes).toEqual([]);
  });

  it('fails a flow to a service without ready endpoints rather than guessing', async () => {
    const cluster = new FakeCluster(objects.filter((object) => object.kind !== 'Pod'));
    expect((await runOne(verdict({ namespace: 'shop', labels: {} }, 'blocked'), cluster)).message).toBe(
      'It is not as asked: from a new pod in shop: api:80 has no ready pods to reach',
    );
  });
});
