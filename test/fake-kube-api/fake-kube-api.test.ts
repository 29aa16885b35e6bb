import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { PassThrough, Writable } from 'node:stream';
import {
  ApiException,
  ApisApi,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  Exec,
  KubeConfig,
  KubernetesObjectApi,
  NetworkingV1Api,
  makeInformer,
  PatchStrategy,
  Watch,
  setHeaderOptions,
  type KubernetesObject,
  type V1Status,
} from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { FakeKubeApiServer, type JsonMap } from './index.js';

let server: FakeKubeApiServer;
let kc: KubeConfig;
let core: CoreV1Api;
let apps: AppsV1Api;
let objects: KubernetesObjectApi;
let custom: CustomObjectsApi;
let counter = 0;

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}-${Date.now().toString(36)}`;
}

async function newNamespace(): Promise<string> {
  const name = uniqueName('ns');
  await core.createNamespace({ body: { metadata: { name } } });
  return name;
}

/** The ApiException a call failed with (fails the test when it succeeded or threw something else). */
async function apiError(
  call: Promise<unknown>,
): Promise<ApiException<string> & { status: V1Status & { code?: number } }> {
  try {
    await call;
  } catch (err) {
    expect(err).toBeInstanceOf(ApiException);
    const e = err as ApiException<string> & { status: V1Status };
    e.status = JSON.parse(e.body) as V1Status;
    return e;
  }
  throw new Error('expected the call to fail');
}

async function eventually<T>(
  probe: () => Promise<T>,
  check: (v: T) => boolean,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined && check(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met in time; last value ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function runExec(
  namespace: string,
  pod: string,
  container: string,
  command: string[],
  stdin?: string,
): Promise<{ stdout: string; stderr: string; status: V1Status }> {
  const out = collector();
  const err = collector();
  const input = stdin === undefined ? null : new PassThrough();
  const status = await new Promise<V1Status>((resolve, reject) => {
    new Exec(kc)
      .exec(namespace, pod, container, command, out.stream, err.stream, input, false, resolve)
      .then(() => {
        if (input) input.end(stdin);
      }, reject);
  });
  return { stdout: out.text(), stderr: err.text(), status };
}

async function createRunningPod(namespace: string, name: string): Promise<void> {
  await core.createNamespacedPod({
    namespace,
    body: {
      metadata: { name, labels: { app: 'probe-target' } },
      spec: { containers: [{ name: 'main', image: 'busybox' }] },
    },
  });
  await eventually(
    () => core.readNamespacedPod({ namespace, name }),
    (p) => p.status?.phase === 'Running',
  );
}

beforeAll(async () => {
  server = new FakeKubeApiServer({
    controller: {
      helmReleaseReadyDelayMs: 50,
      podReadyDelayMs: 20,
      namespaceDeletionDelayMs: 300,
      ephemeralContainerStartDelayMs: 30,
    },
  });
  await server.start();
  kc = new KubeConfig();
  kc.loadFromString(server.kubeconfig());
  core = kc.makeApiClient(CoreV1Api);
  apps = kc.makeApiClient(AppsV1Api);
  custom = kc.makeApiClient(CustomObjectsApi);
  objects = KubernetesObjectApi.makeApiClient(kc);
});

afterAll(async () => {
  await server.stop();
});

afterEach(() => {
  server.faults.clear();
  server.onExec(undefined);
});

describe('discovery', () => {
  it('serves core and group resource lists with namespaced flags, kinds and verbs', async () => {
    const coreList = await core.getAPIResources();
    const pods = coreList.resources.find((r) => r.name === 'pods');
    expect(pods).toMatchObject({ kind: 'Pod', namespaced: true });
    expect(pods?.verbs).toEqual(
      expect.arrayContaining(['create', 'get', 'list', 'watch', 'patch', 'delete']),
    );
    expect(coreList.resources.find((r) => r.name === 'namespaces')).toMatchObject({ namespaced: false });
    expect(coreList.resources.map((r) => r.name)).toEqual(
      expect.arrayContaining(['pods/exec', 'pods/ephemeralcontainers']),
    );

    const groups = await kc.makeApiClient(ApisApi).getAPIVersions();
    expect(groups.groups.map((g) => g.name)).toEqual(
      expect.arrayContaining([
        'apps',
        'networking.k8s.io',
        'helm.toolkit.fluxcd.io',
        'source.toolkit.fluxcd.io',
      ]),
    );
    const scale = (await apps.getAPIResources()).resources.find((r) => r.name === 'statefulsets/scale');
    expect(scale).toMatchObject({ kind: 'Scale', group: 'autoscaling', version: 'v1' });
  });

  it('rejects requests without the kubeconfig token', async () => {
    const res = await fetch(`${server.url}/api/v1/namespaces`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
  });
});

describe('namespaces and basic CRUD', () => {
  it('creates, gets, lists and deletes a namespace through Terminating', async () => {
    const name = uniqueName('lifecycle');
    const created = await core.createNamespace({ body: { metadata: { name, labels: { cohort: 'c1' } } } });
    expect(created.status?.phase).toBe('Active');
    expect(created.metadata?.uid).toBeTruthy();
    expect(Number(created.metadata?.resourceVersion)).toBeGreaterThan(0);

    const dup = await apiError(core.createNamespace({ body: { metadata: { name } } }));
    expect(dup.code).toBe(409);
    expect(dup.status).toMatchObject({ kind: 'Status', reason: 'AlreadyExists', code: 409 });

    const listed = await core.listNamespace({ labelSelector: 'cohort in (c1,c2)' });
    expect(listed.items.map((n) => n.metadata?.name)).toEqual([name]);

    await core.createNamespacedSecret({
      namespace: name,
      body: { metadata: { name: 's1' }, stringData: { a: 'b' } },
    });
    await core.deleteNamespace({ name });
    const terminating = await core.readNamespace({ name });
    expect(terminating.status?.phase).toBe('Terminating');
    expect(terminating.metadata?.deletionTimestamp).toBeTruthy();

    const forbidden = await apiError(
      core.createNamespacedConfigMap({ namespace: name, body: { metadata: { name: 'late' } } }),
    );
    expect(forbidden.code).toBe(403);

    await eventually(
      () =>
        core.readNamespace({ name }).then(
          () => 'present',
          (e: ApiException<string>) => (e.code === 404 ? 'gone' : 'error'),
        ),
      (v) => v === 'gone',
    );
    expect(server.listObjects('v1', 'Secret', name)).toEqual([]);
  });

  it('answers a missing object with a NotFound Status', async () => {
    const ns = await newNamespace();
    const err = await apiError(core.readNamespacedSecret({ namespace: ns, name: 'nope' }));
    expect(err.code).toBe(404);
    expect(err.status).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'NotFound',
      message: 'secrets "nope" not found',
    });
    const del = await apiError(core.deleteNamespacedSecret({ namespace: ns, name: 'nope' }));
    expect(del.code).toBe(404);
  });

  it('lists with selectors, replaces with optimistic concurrency and patches', async () => {
    const ns = await newNamespace();
    for (const [name, tier] of [
      ['a', 'web'],
      ['b', 'db'],
      ['c', 'web'],
    ]) {
      await core.createNamespacedConfigMap({
        namespace: ns,
        body: { metadata: { name, labels: { tier: tier! } }, data: { k: name! } },
      });
    }
    const web = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'tier=web' });
    expect(web.items.map((i) => i.metadata?.name)).toEqual(['a', 'c']);
    const notWeb = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'tier notin (web)' });
    expect(notWeb.items.map((i) => i.metadata?.name)).toEqual(['b']);
    const byName = await core.listNamespacedConfigMap({ namespace: ns, fieldSelector: 'metadata.name=c' });
    expect(byName.items.map((i) => i.metadata?.name)).toEqual(['c']);

    const a = await core.readNamespacedConfigMap({ namespace: ns, name: 'a' });
    const replaced = await core.replaceNamespacedConfigMap({
      namespace: ns,
      name: 'a',
      body: { ...a, data: { k: 'a2' } },
    });
    expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(Number(a.metadata?.resourceVersion));
    const stale = await apiError(
      core.replaceNamespacedConfigMap({ namespace: ns, name: 'a', body: { ...a, data: { k: 'a3' } } }),
    );
    expect(stale.code).toBe(409);
    expect(stale.status.reason).toBe('Conflict');

    const merged = await core.patchNamespacedConfigMap(
      { namespace: ns, name: 'b', body: { data: { extra: 'x' } } },
      merge,
    );
    expect(merged.data).toEqual({ k: 'b', extra: 'x' });
    // The generated client's default patch type is JSON patch.
    const jsonPatched = await core.patchNamespacedConfigMap({
      namespace: ns,
      name: 'b',
      body: [{ op: 'remove', path: '/data/k' }],
    });
    expect(jsonPatched.data).toEqual({ extra: 'x' });

    const secret = await core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: 's' }, stringData: { password: 'hunter2' } },
    });
    expect(Buffer.from(secret.data!.password!, 'base64').toString()).toBe('hunter2');

    await core.deleteNamespacedConfigMap({ namespace: ns, name: 'c' });
    expect(
      (await core.listNamespacedConfigMap({ namespace: ns })).items.map((i) => i.metadata?.name),
    ).toEqual(['a', 'b']);
  });

  it('serves network policies, quotas, limit ranges, service accounts and services', async () => {
    const ns = await newNamespace();
    const net = kc.makeApiClient(NetworkingV1Api);
    await net.createNamespacedNetworkPolicy({
      namespace: ns,
      body: { metadata: { name: 'deny-all' }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } },
    });
    expect((await net.listNamespacedNetworkPolicy({ namespace: ns })).items).toHaveLength(1);
    await core.createNamespacedResourceQuota({
      namespace: ns,
      body: { metadata: { name: 'q' }, spec: { hard: { pods: '10' } } },
    });
    await core.createNamespacedLimitRange({
      namespace: ns,
      body: { metadata: { name: 'l' }, spec: { limits: [{ type: 'Container', _default: { cpu: '500m' } }] } },
    });
    await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: 'student' } } });
    const svc = await core.createNamespacedService({
      namespace: ns,
      body: { metadata: { name: 'web' }, spec: { ports: [{ port: 80 }] } },
    });
    expect(svc.spec?.clusterIP).toMatch(/^10\.96\./);
    expect(
      (await core.readNamespacedLimitRange({ namespace: ns, name: 'l' })).spec?.limits[0]?._default,
    ).toEqual({ cpu: '500m' });
  });
});

describe('server-side apply', () => {
  const cm = (
    ns: string,
    data: Record<string, string>,
  ): KubernetesObject & { data: Record<string, string> } => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'settings', namespace: ns },
    data,
  });

  it('creates, re-applies idempotently, detects conflicts between managers and honours force', async () => {
    const ns = await newNamespace();
    const created = await objects.patch(
      cm(ns, { a: '1', b: '2' }),
      undefined,
      undefined,
      'manager-a',
      undefined,
      PatchStrategy.ServerSideApply,
    );
    expect(created.metadata?.managedFields?.[0]).toMatchObject({ manager: 'manager-a', operation: 'Apply' });

    const again = await objects.patch(
      cm(ns, { a: '1', b: '2' }),
      undefined,
      undefined,
      'manager-a',
      undefined,
      PatchStrategy.ServerSideApply,
    );
    expect(again.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);

    // Same value: shared ownership, no conflict.
    await objects.patch(
      cm(ns, { a: '1' }),
      undefined,
      undefined,
      'manager-b',
      undefined,
      PatchStrategy.ServerSideApply,
    );

    const conflict = await apiError(
      objects.patch(
        cm(ns, { a: 'changed' }),
        undefined,
        undefined,
        'manager-b',
        undefined,
        PatchStrategy.ServerSideApply,
      ),
    );
    expect(conflict.code).toBe(409);
    expect(conflict.status.reason).toBe('Conflict');
    expect(conflict.status.message).toContain('conflict with "manager-a"');
    expect(conflict.status.message).toContain('.data.a');

    const forced = await objects.patch(
      cm(ns, { a: 'changed' }),
      undefined,
      undefined,
      'manager-b',
      true,
      PatchStrategy.ServerSideApply,
    );
    expect(forced.data.a).toBe('changed');
    const owners = forced.metadata?.managedFields ?? [];
    const ownerA = owners.find((m) => m.manager === 'manager-a');
    expect(JSON.stringify(ownerA?.fieldsV1)).not.toContain('"f:a"');
    expect(JSON.stringify(owners.find((m) => m.manager === 'manager-b')?.fieldsV1)).toContain('"f:a"');

    // manager-a drops b from its configuration: b goes away (nobody else owns it).
    const dropped = await objects.patch(
      cm(ns, {}),
      undefined,
      undefined,
      'manager-a',
      undefined,
      PatchStrategy.ServerSideApply,
    );
    expect(dropped.data).toEqual({ a: 'changed' });
  });

  it('requires a fieldManager and applies to custom resources', async () => {
    const ns = await newNamespace();
    const hr: KubernetesObject & { spec: JsonMap } = {
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: 'applied', namespace: ns },
      spec: { chart: { spec: { chart: 'vcluster', version: '0.20.0' } }, interval: '10m' },
    };
    const missing = await apiError(
      objects.patch(hr, undefined, undefined, undefined, undefined, PatchStrategy.ServerSideApply),
    );
    expect(missing.code).toBe(400);
    const applied = await objects.patch(
      hr,
      undefined,
      undefined,
      'kubecohort',
      true,
      PatchStrategy.ServerSideApply,
    );
    expect(applied.metadata?.uid).toBeTruthy();
    const read = await objects.read({
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: 'applied', namespace: ns },
    });
    expect((read as typeof read & { spec: { interval: string } }).spec.interval).toBe('10m');
  });
});

describe('statefulsets', () => {
  it('scales through the scale subresource and readyReplicas follows', async () => {
    const ns = await newNamespace();
    await apps.createNamespacedStatefulSet({
      namespace: ns,
      body: {
        metadata: { name: 'db' },
        spec: {
          serviceName: 'db',
          replicas: 1,
          selector: { matchLabels: { app: 'db' } },
          template: {
            metadata: { labels: { app: 'db' } },
            spec: { containers: [{ name: 'pg', image: 'postgres' }] },
          },
        },
      },
    });
    const scale = await apps.readNamespacedStatefulSetScale({ namespace: ns, name: 'db' });
    expect(scale.spec?.replicas).toBe(1);
    expect(scale.status?.selector).toBe('app=db');

    await apps.patchNamespacedStatefulSetScale({
      namespace: ns,
      name: 'db',
      body: [{ op: 'replace', path: '/spec/replicas', value: 3 }],
    });
    const ready = await eventually(
      () => apps.readNamespacedStatefulSet({ namespace: ns, name: 'db' }),
      (s) => s.status?.readyReplicas === 3,
    );
    expect(ready.spec?.replicas).toBe(3);
    expect((await core.listNamespacedPod({ namespace: ns, labelSelector: 'app=db' })).items).toHaveLength(3);

    await apps.patchNamespacedStatefulSetScale(
      { namespace: ns, name: 'db', body: { spec: { replicas: 0 } } },
      merge,
    );
    await eventually(
      () => apps.readNamespacedStatefulSet({ namespace: ns, name: 'db' }),
      (s) => s.status?.replicas === 0 && s.status.readyReplicas === undefined,
    );
    expect((await core.listNamespacedPod({ namespace: ns })).items).toHaveLength(0);
  });
});

describe('watch', () => {
  it('streams ADDED, MODIFIED and DELETED and resumes from a resourceVersion', async () => {
    const ns = await newNamespace();
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'before' } } });
    const events: Array<[string, string]> = [];
    const watch = new Watch(kc);
    const controller = await watch.watch(
      `/api/v1/namespaces/${ns}/configmaps`,
      {},
      (type, obj: KubernetesObject) => events.push([type, obj.metadata!.name!]),
      () => undefined,
    );
    await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'w' }, data: { a: '1' } },
    });
    await core.patchNamespacedConfigMap({ namespace: ns, name: 'w', body: { data: { a: '2' } } }, merge);
    await core.deleteNamespacedConfigMap({ namespace: ns, name: 'w' });
    await eventually(
      () => Promise.resolve(events.length),
      (n) => n >= 4,
    );
    controller.abort();
    expect(events).toEqual([
      ['ADDED', 'before'],
      ['ADDED', 'w'],
      ['MODIFIED', 'w'],
      ['DELETED', 'w'],
    ]);

    const list = await core.listNamespacedConfigMap({ namespace: ns });
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'after' } } });
    const resumed: string[] = [];
    const c2 = await watch.watch(
      `/api/v1/namespaces/${ns}/configmaps`,
      { resourceVersion: list.metadata?.resourceVersion },
      (type, obj: KubernetesObject) => resumed.push(`${type}:${obj.metadata!.name!}`),
      () => undefined,
    );
    await eventually(
      () => Promise.resolve(resumed.length),
      (n) => n >= 1,
    );
    c2.abort();
    expect(resumed).toEqual(['ADDED:after']);
  });

  it('answers 410 Expired for a compacted resourceVersion and ends at timeoutSeconds', async () => {
    const ns = await newNamespace();
    const list = await core.listNamespacedConfigMap({ namespace: ns });
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'x' } } });
    server.compactWatchHistory();
    const got: Array<{ type: string; code?: number }> = [];
    await new Promise<void>((resolve) => {
      void new Watch(kc).watch(
        `/api/v1/namespaces/${ns}/configmaps`,
        { resourceVersion: list.metadata?.resourceVersion },
        (type, obj: { code?: number }) => got.push({ type, code: obj.code }),
        () => resolve(),
      );
    });
    expect(got).toEqual([{ type: 'ERROR', code: 410 }]);

    const started = Date.now();
    await new Promise<void>((resolve) => {
      void new Watch(kc).watch(
        `/api/v1/namespaces/${ns}/configmaps`,
        { timeoutSeconds: 1 },
        () => undefined,
        () => resolve(),
      );
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });
});

describe('informer', () => {
  it('lists then watches from the list resourceVersion, and survives a dropped watch', async () => {
    const ns = await newNamespace();
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'first' } } });
    const informer = makeInformer(kc, `/api/v1/namespaces/${ns}/configmaps`, () =>
      core.listNamespacedConfigMap({ namespace: ns }),
    );
    const seen: string[] = [];
    informer.on('add', (o) => seen.push(`add:${o.metadata!.name!}`));
    informer.on('update', (o) => seen.push(`update:${o.metadata!.name!}`));
    informer.on('delete', (o) => seen.push(`delete:${o.metadata!.name!}`));
    let stopped = false;
    let errors = 0;
    // ListWatch stops on errors; restarting is the caller's job.
    informer.on('error', () => {
      errors += 1;
      setTimeout(() => {
        if (!stopped) void informer.start();
      }, 20);
    });
    await informer.start();
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'second' } } });
    await eventually(
      () => Promise.resolve(seen.length),
      (n) => n >= 2,
    );
    server.faults.dropWatches();
    await core.patchNamespacedConfigMap({ namespace: ns, name: 'second', body: { data: { x: '1' } } }, merge);
    await core.deleteNamespacedConfigMap({ namespace: ns, name: 'first' });
    await eventually(
      () => Promise.resolve(seen.length),
      (n) => n >= 4,
      8000,
    );
    stopped = true;
    await informer.stop();
    await eventually(
      () => Promise.resolve(server.openWatchCount),
      (n) => n === 0,
    );
    expect(errors).toBeGreaterThanOrEqual(1); // the drop, plus the abort stop() itself causes
    expect(seen).toEqual(['add:first', 'add:second', 'update:second', 'delete:first']);
    expect(informer.list().map((o) => o.metadata?.name)).toEqual(['second']);
  });
});

describe('exec and ephemeral containers', () => {
  it('round-trips a command through the channel protocol', async () => {
    const ns = await newNamespace();
    await createRunningPod(ns, 'target');
    server.onExec(({ command, container }) =>
      command[0] === 'fail'
        ? { stderr: 'boom\n', exitCode: 3 }
        : { stdout: `${container}: ${command.join(' ')}\n` },
    );
    const ok = await runExec(ns, 'target', 'main', ['echo', 'hello']);
    expect(ok.stdout).toBe('main: echo hello\n');
    expect(ok.status.status).toBe('Success');

    const failed = await runExec(ns, 'target', 'main', ['fail']);
    expect(failed.stderr).toBe('boom\n');
    expect(failed.status).toMatchObject({ status: 'Failure', reason: 'NonZeroExitCode' });
    expect(failed.status.details?.causes?.[0]).toMatchObject({ reason: 'ExitCode', message: '3' });

    server.onExec(({ stdin }) => ({ stdout: (stdin ?? '').toUpperCase() }));
    const echoed = await runExec(ns, 'target', 'main', ['cat'], 'piped input');
    expect(echoed.stdout).toBe('PIPED INPUT');
    expect(server.execCalls.at(-1)).toMatchObject({
      namespace: ns,
      pod: 'target',
      command: ['cat'],
      stdin: 'piped input',
    });
  });

  it('fails clearly without a handler', async () => {
    const ns = await newNamespace();
    await createRunningPod(ns, 'plain');
    const result = await runExec(ns, 'plain', 'main', ['ls']);
    expect(result.stderr).toContain('server.onExec');
    expect(result.status.status).toBe('Failure');
  });

  it('adds an ephemeral container that starts running and can be exec-ed into', async () => {
    const ns = await newNamespace();
    await createRunningPod(ns, 'victim');
    server.controller.configure({ ephemeralContainerStartDelayMs: 300 });
    await core.patchNamespacedPodEphemeralcontainers(
      {
        namespace: ns,
        name: 'victim',
        body: {
          spec: {
            ephemeralContainers: [
              { name: 'probe', image: 'busybox', command: ['sleep', '3600'], targetContainerName: 'main' },
            ],
          },
        },
      },
      strategic,
    );
    // Not started yet: exec into it is refused, as the kubelet refuses a container that isn't running.
    await expect(runExec(ns, 'victim', 'probe', ['true'])).rejects.toMatchObject({
      message: expect.stringContaining('400'),
    });
    server.controller.configure({ ephemeralContainerStartDelayMs: 30 });
    const running = await eventually(
      () => core.readNamespacedPod({ namespace: ns, name: 'victim' }),
      (p) => !!p.status?.ephemeralContainerStatuses?.find((s) => s.name === 'probe')?.state?.running,
    );
    expect(running.spec?.ephemeralContainers?.map((c) => c.name)).toEqual(['probe']);

    server.onExec(({ container, command }) => ({ stdout: `${container} ran ${command.join(' ')}` }));
    const result = await runExec(ns, 'victim', 'probe', ['wget', '-qO-', 'http://web']);
    expect(result.stdout).toBe('probe ran wget -qO- http://web');

    // The WebSocket handshake is refused with the real server's 400 for an unknown container.
    await expect(runExec(ns, 'victim', 'nothere', ['true'])).rejects.toMatchObject({
      message: expect.stringContaining('400'),
    });

    const removal = await apiError(
      core.patchNamespacedPodEphemeralcontainers({
        namespace: ns,
        name: 'victim',
        body: [{ op: 'remove', path: '/spec/ephemeralContainers/0' }],
      }),
    );
    expect(removal.code).toBe(422);
  });
});

describe('ephemeral container outcomes', () => {
  it('runs a probe that exits with logs readable through pods/log', async () => {
    const ns = await newNamespace();
    await createRunningPod(ns, 'app');
    server.onEphemeralContainer(({ container }) =>
      container.name === 'probe-fail'
        ? { exitCode: 1, logs: 'connection refused\n' }
        : { exitCode: 0, logs: 'HTTP/1.1 200 OK\n' },
    );
    try {
      await core.patchNamespacedPodEphemeralcontainers(
        {
          namespace: ns,
          name: 'app',
          body: { spec: { ephemeralContainers: [{ name: 'probe-fail', image: 'curl' }] } },
        },
        strategic,
      );
      const pod = await eventually(
        () => core.readNamespacedPod({ namespace: ns, name: 'app' }),
        (p) => p.status?.ephemeralContainerStatuses?.[0]?.state?.terminated !== undefined,
      );
      expect(pod.status?.ephemeralContainerStatuses?.[0]?.state?.terminated?.exitCode).toBe(1);
      expect(await core.readNamespacedPodLog({ namespace: ns, name: 'app', container: 'probe-fail' })).toBe(
        'connection refused\n',
      );
    } finally {
      server.onEphemeralContainer(undefined);
    }
  });
});

describe('simulated controller', () => {
  it('makes a HelmRelease Ready and installs the vcluster objects, then uninstalls on delete', async () => {
    const ns = await newNamespace();
    const target = await newNamespace();
    await custom.createNamespacedCustomObject({
      group: 'helm.toolkit.fluxcd.io',
      version: 'v2',
      namespace: ns,
      plural: 'helmreleases',
      body: {
        apiVersion: 'helm.toolkit.fluxcd.io/v2',
        kind: 'HelmRelease',
        metadata: { name: 'student-1' },
        spec: { targetNamespace: target, chart: { spec: { chart: 'vcluster', version: '0.20.0' } } },
      },
    });
    type Hr = { status?: { conditions?: Array<{ type: string; status: string }> } };
    await eventually(
      () =>
        custom.getNamespacedCustomObject({
          group: 'helm.toolkit.fluxcd.io',
          version: 'v2',
          namespace: ns,
          plural: 'helmreleases',
          name: 'student-1',
        }) as Promise<Hr>,
      (hr) => hr.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    );
    const secret = await core.readNamespacedSecret({ namespace: target, name: 'vc-student-1' });
    const kubeconfig = parseYaml(Buffer.from(secret.data!.config!, 'base64').toString()) as {
      clusters: Array<{ cluster: { server: string } }>;
    };
    expect(kubeconfig.clusters[0]?.cluster.server).toBe('https://localhost:8443');
    await core.readNamespacedService({ namespace: target, name: 'student-1-headless' });
    await eventually(
      () => apps.readNamespacedStatefulSet({ namespace: target, name: 'student-1' }),
      (s) => s.status?.readyReplicas === 1,
    );

    await custom.deleteNamespacedCustomObject({
      group: 'helm.toolkit.fluxcd.io',
      version: 'v2',
      namespace: ns,
      plural: 'helmreleases',
      name: 'student-1',
    });
    await server.waitForGone({
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      namespace: ns,
      name: 'student-1',
    });
    expect(
      server.getObject({ apiVersion: 'v1', kind: 'Secret', namespace: target, name: 'vc-student-1' }),
    ).toBeUndefined();
  });

  it('reports a failed install from the onHelmRelease hook and readies HelmRepositories', async () => {
    const ns = await newNamespace();
    server.onHelmRelease(() => ({ ready: false, reason: 'InstallFailed', message: 'chart pull failed' }));
    try {
      await objects.create({
        apiVersion: 'helm.toolkit.fluxcd.io/v2',
        kind: 'HelmRelease',
        metadata: { name: 'broken', namespace: ns },
        spec: { chart: { spec: { chart: 'vcluster' } } },
      } as KubernetesObject);
      const hr = await server.waitFor(
        { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', namespace: ns, name: 'broken' },
        (o) => JSON.stringify(o.status ?? {}).includes('"status":"False"'),
      );
      expect(JSON.stringify(hr.status)).toContain('chart pull failed');
      expect(
        server.getObject({ apiVersion: 'v1', kind: 'Secret', namespace: ns, name: 'vc-broken' }),
      ).toBeUndefined();
    } finally {
      server.onHelmRelease(undefined);
    }
    await objects.create({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'HelmRepository',
      metadata: { name: 'loft', namespace: ns },
      spec: { url: 'https://charts.loft.sh', interval: '1h' },
    } as KubernetesObject);
    await server.waitFor(
      { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmRepository', namespace: ns, name: 'loft' },
      (o) => JSON.stringify(o.status ?? {}).includes('"status":"True"'),
    );
  });

  it('keeps status out of main-resource writes and orphans dependents on request', async () => {
    const ns = await newNamespace();
    server.controller.enabled = false;
    try {
      await apps.createNamespacedStatefulSet({
        namespace: ns,
        body: {
          metadata: { name: 'frozen' },
          spec: {
            serviceName: 'f',
            selector: { matchLabels: { a: 'b' } },
            template: { metadata: { labels: { a: 'b' } } },
          },
          status: { replicas: 99 },
        },
      });
      const patched = await apps.patchNamespacedStatefulSetStatus(
        { namespace: ns, name: 'frozen', body: { status: { replicas: 1, readyReplicas: 1 } } },
        merge,
      );
      expect(patched.status?.readyReplicas).toBe(1);
      const replaced = await apps.replaceNamespacedStatefulSet({
        namespace: ns,
        name: 'frozen',
        body: { ...patched, status: { replicas: 5 } },
      });
      expect(replaced.status?.replicas).toBe(1);
      expect(replaced.metadata?.generation).toBe(1);

      const owned = async (owner: string, dependent: string): Promise<void> => {
        const created = await core.createNamespacedConfigMap({
          namespace: ns,
          body: { metadata: { name: owner } },
        });
        const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: owner, uid: created.metadata!.uid! };
        await core.createNamespacedSecret({
          namespace: ns,
          body: { metadata: { name: dependent, ownerReferences: [ref] } },
        });
      };
      await owned('owner-1', 'kept');
      await owned('owner-2', 'collected');
      await core.deleteNamespacedConfigMap({ namespace: ns, name: 'owner-1', propagationPolicy: 'Orphan' });
      await core.deleteNamespacedConfigMap({ namespace: ns, name: 'owner-2' });
      const left = (await core.listNamespacedSecret({ namespace: ns })).items;
      expect(left.map((x) => x.metadata?.name)).toEqual(['kept']);
      expect(left[0]?.metadata?.ownerReferences).toBeUndefined();
    } finally {
      server.controller.enabled = true;
    }
  });

  it('exposes simulated vcluster metrics through the service proxy', async () => {
    const ns = await newNamespace();
    await core.createNamespacedService({
      namespace: ns,
      body: { metadata: { name: 'vc' }, spec: { ports: [{ port: 443 }] } },
    });
    server.metrics.bump(ns, 'vc', { verb: 'LIST', resource: 'pods' }, 5);
    const text = await core.connectGetNamespacedServiceProxyWithPath({
      namespace: ns,
      name: 'https:vc:443',
      path: 'metrics',
    });
    expect(text).toContain('apiserver_request_total{code="200",component="apiserver"');
    expect(text).toContain('resource="pods"');
    expect(text).toMatch(/verb="LIST",version="v1"} 5\n/);
  });
});

describe('faults and request log', () => {
  it('answers 429 with Retry-After visible in the ApiException', async () => {
    const ns = await newNamespace();
    server.faults.add({
      method: 'GET',
      pathPattern: /\/secrets$/,
      status: 429,
      retryAfterSeconds: 2,
      times: 1,
    });
    const err = await apiError(core.listNamespacedSecret({ namespace: ns }));
    expect(err.code).toBe(429);
    expect(err.headers['retry-after']).toBe('2');
    expect(err.status).toMatchObject({ reason: 'TooManyRequests', details: { retryAfterSeconds: 2 } });
    await core.listNamespacedSecret({ namespace: ns });
  });

  it('injects 500s a given number of times and counts requests', async () => {
    const ns = await newNamespace();
    server.clearRequests();
    const fault = server.faults.add({ pathPattern: `/namespaces/${ns}/configmaps`, status: 500, times: 2 });
    for (let i = 0; i < 2; i++) {
      expect((await apiError(core.listNamespacedConfigMap({ namespace: ns }))).code).toBe(500);
    }
    await core.listNamespacedConfigMap({ namespace: ns });
    expect(fault.hits).toBe(2);
    const calls = server.requestsMatching({ method: 'GET', path: `/namespaces/${ns}/configmaps` });
    expect(calls.map((c) => c.status)).toEqual([500, 500, 200]);
  });

  it('adds latency to every request', async () => {
    server.faults.latency(150);
    const started = Date.now();
    await core.listNamespace();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('drops open watches abruptly', async () => {
    const ns = await newNamespace();
    const ended = new Promise<unknown>((resolve) => {
      void new Watch(kc).watch(`/api/v1/namespaces/${ns}/pods`, {}, () => undefined, resolve);
    });
    await eventually(
      () => Promise.resolve(server.requestsMatching({ watch: true, path: `/namespaces/${ns}/pods` }).length),
      (n) => n > 0,
    );
    expect(server.faults.dropWatches()).toBeGreaterThan(0);
    const err = await ended;
    expect(err).toBeTruthy();
  });
});
