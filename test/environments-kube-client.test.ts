import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  DEFAULT_KUBE_CLIENT_OPTIONS,
  KubeApiError,
  KubeClients,
  KubeconfigError,
  type KubeClient,
  type KubeObject,
} from '@kubecohort/kubernetes';
import { FakeKubeApiServer } from './fake-kube-api/index.js';

/** libs/kubernetes against the fake API server, through the real @kubernetes/client-node. */
describe('KubeClient against the fake API server', () => {
  let server: FakeKubeApiServer;
  let clients: KubeClients;
  let kube: KubeClient;
  let counter = 0;
  const ns = () => `kc-client-${++counter}-${Date.now().toString(36)}`;

  beforeAll(async () => {
    server = new FakeKubeApiServer({
      token: 'client-test-token',
      controller: { helmReleaseReadyDelayMs: 30, podReadyDelayMs: 10, namespaceDeletionDelayMs: 100 },
    });
    await server.start();
    clients = new KubeClients({ ...DEFAULT_KUBE_CLIENT_OPTIONS, retryBaseDelayMs: 10, qps: 1000 });
    kube = clients.forCluster({ id: 'fake', kubeconfig: server.kubeconfig() });
  });
  afterAll(async () => {
    await server.stop();
  });

  const namespace = (name: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { team: 'a' } },
  });

  it('applies with our field manager, reads, lists and deletes', async () => {
    const name = ns();
    const applied = await kube.apply(namespace(name));
    expect(applied.metadata.name).toBe(name);
    const managers = (applied.metadata.managedFields as { manager: string; operation: string }[]).map(
      (m) => `${m.manager}/${m.operation}`,
    );
    expect(managers).toContain('kubecohort/Apply');
    // Idempotent: applying again changes nothing.
    const again = await kube.apply(namespace(name));
    expect(again.metadata.resourceVersion).toBe(applied.metadata.resourceVersion);
    await kube.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: name, labels: { a: 'b' } },
      data: { x: '1' },
    });
    expect(
      (await kube.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: name, name: 'settings' }))?.data,
    ).toEqual({
      x: '1',
    });
    expect(await kube.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: name, name: 'nope' })).toBeNull();
    const listed = await kube.list({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: name,
      labelSelector: 'a=b',
    });
    expect(listed.map((o) => [o.kind, o.metadata.name])).toEqual([['ConfigMap', 'settings']]);
    expect(
      await kube.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: name, name: 'settings' }),
    ).toBe('deleted');
    expect(
      await kube.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: name, name: 'settings' }),
    ).toBe('absent');
  });

  it('discovers kinds and reports the server version', async () => {
    expect(await kube.servesKind('helm.toolkit.fluxcd.io/v2', 'HelmRelease')).toBe(true);
    expect(await kube.servesKind('example.org/v1', 'Widget')).toBe(false);
    expect((await kube.version()).gitVersion).toMatch(/^v1\./);
  });

  it('waits through a watch for a HelmRelease to become ready, and for a namespace to go away', async () => {
    const name = ns();
    await kube.apply(namespace(name));
    await kube.apply({
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: 'vc', namespace: name },
      spec: { interval: '10m', chart: { spec: { chart: 'vcluster', version: '0.28.0' } } },
    });
    const ready = await kube.waitFor(
      { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', namespace: name, name: 'vc' },
      (o) =>
        ((o?.status as { conditions?: { type: string; status: string }[] })?.conditions ?? []).some(
          (c) => c.type === 'Ready' && c.status === 'True',
        ),
      { timeoutMs: 5000, recheckMs: 1000 },
    );
    expect(ready?.metadata.name).toBe('vc');
    expect(
      server.requestsMatching({ watch: true, path: `/namespaces/${name}/helmreleases` }).length,
    ).toBeGreaterThan(0);

    await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name });
    const terminating = await kube.get({ apiVersion: 'v1', kind: 'Namespace', name });
    expect(terminating?.metadata.deletionTimestamp).toBeTruthy();
    const gone = await kube.waitFor({ apiVersion: 'v1', kind: 'Namespace', name }, (o) => o === null, {
      timeoutMs: 5000,
      recheckMs: 200,
    });
    expect(gone).toBeNull();
  });

  it('keeps waiting when the watch is dropped, and times out with a typed error', async () => {
    const name = ns();
    await kube.apply(namespace(name));
    const waiting = kube.waitFor(
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: name, name: 'late' },
      (o) => o !== null,
      { timeoutMs: 5000, recheckMs: 2000 },
    );
    await new Promise((r) => setTimeout(r, 150));
    expect(server.faults.dropWatches()).toBeGreaterThan(0);
    await kube.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late', namespace: name } });
    expect((await waiting)?.metadata.name).toBe('late');

    const error = await kube
      .waitFor({ apiVersion: 'v1', kind: 'ConfigMap', namespace: name, name: 'never' }, (o) => o !== null, {
        timeoutMs: 300,
        recheckMs: 100,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeApiError);
    expect((error as KubeApiError).error).toMatchObject({ kind: 'timeout' });
    expect((error as KubeApiError).message).toContain('ConfigMap');
  });

  it('retries 409, 429 (honouring Retry-After), 500 and dropped connections', async () => {
    const name = ns();
    server.clearRequests();
    server.faults.add({ method: 'PATCH', pathPattern: `/namespaces/${name}`, status: 409, times: 1 });
    server.faults.add({
      method: 'PATCH',
      pathPattern: `/namespaces/${name}`,
      status: 429,
      retryAfterSeconds: 1,
    });
    server.faults.add({ method: 'PATCH', pathPattern: `/namespaces/${name}`, status: 500, times: 1 });
    server.faults.add({
      method: 'PATCH',
      pathPattern: `/namespaces/${name}`,
      dropConnection: true,
      times: 1,
    });
    await kube.apply(namespace(name));
    const calls = server.requestsMatching({ method: 'PATCH', path: `/namespaces/${name}` });
    expect(calls.map((c) => c.status)).toEqual([409, 429, 500, 0, 201]);
    expect(calls[2]!.timestamp - calls[1]!.timestamp).toBeGreaterThanOrEqual(950);
  });

  it('does not retry what retrying cannot fix, and maps statuses to kinds', async () => {
    const name = ns();
    server.faults.add({ method: 'PATCH', pathPattern: `/namespaces/${name}`, status: 403, times: 1 });
    const error = await kube.apply(namespace(name)).catch((e: unknown) => e);
    expect((error as KubeApiError).error).toMatchObject({ kind: 'forbidden', status: 403 });
    expect(server.requestsMatching({ method: 'PATCH', path: `/namespaces/${name}` })).toHaveLength(1);

    const invalid = await kube
      .apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name', namespace: name } })
      .catch((e: unknown) => e);
    expect((invalid as KubeApiError).error.kind).toBe('invalid');

    const unknownKind = await kube
      .get({ apiVersion: 'example.org/v1', kind: 'Widget', name: 'x', namespace: name })
      .catch((e: unknown) => e);
    expect((unknownKind as KubeApiError).error.kind).toBe('invalid');
  });

  it('reports an unreachable server as unavailable, and rejects unsafe kubeconfigs', async () => {
    const down = new FakeKubeApiServer();
    await down.start();
    const kubeconfig = down.kubeconfig();
    await down.stop();
    const client = clients.connect(kubeconfig, { retryAttempts: 1 });
    const error = await client.version().catch((e: unknown) => e);
    expect((error as KubeApiError).error.kind).toBe('unavailable');

    const withExec = server
      .kubeconfig()
      .replace(
        /user:\n(\s+)token: .*/,
        'user:\n$1exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/sh}',
      );
    expect(() => clients.connect(withExec)).toThrow(KubeconfigError);
  });

  it('proxies GETs to a service, and runs commands in a pod', async () => {
    const name = ns();
    await kube.apply(namespace(name));
    await kube.apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'vc', namespace: name },
      spec: { ports: [{ port: 443 }] },
    });
    server.onServiceProxy((ctx) =>
      ctx.service === 'vc' && ctx.path === 'version' ? { body: '{"gitVersion":"v1.32.1"}' } : undefined,
    );
    expect(await kube.proxyGet(name, 'https:vc:443', 'version')).toEqual({
      status: 200,
      body: '{"gitVersion":"v1.32.1"}',
    });
    expect((await kube.proxyGet(name, 'https:missing:443', 'version')).status).toBe(404);
    server.onServiceProxy(undefined);

    await kube.apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'box', namespace: name },
      spec: { containers: [{ name: 'main', image: 'busybox' }] },
    });
    server.onExec(({ command, stdin }) =>
      command[0] === 'cat'
        ? { stdout: (stdin ?? '').toUpperCase() }
        : command.includes('fail')
          ? { stderr: 'boom\n', exitCode: 3 }
          : { stdout: command.join(' ') },
    );
    const runner = kube.execRunner({ namespace: name, pod: 'box', container: 'main' });
    expect(await runner.run(['ip', '-j', 'link'])).toEqual({
      stdout: 'ip -j link',
      stderr: '',
      exitCode: 0,
      timedOut: false,
    });
    expect(await runner.run(['sh', 'fail'])).toMatchObject({ stderr: 'boom\n', exitCode: 3 });
    expect((await runner.run(['cat'], { stdin: 'hello' })).stdout).toBe('HELLO');
    expect((await runner.run(['printenv'], { env: { A: '1' } })).stdout).toBe('env A=1 printenv');
    server.onExec(() => new Promise((r) => setTimeout(() => r({ stdout: 'late' }), 400)));
    expect(await runner.run(['sleep', '5'], { timeoutMs: 100 })).toMatchObject({
      exitCode: 124,
      timedOut: true,
    });
    const missing = kube.execRunner({ namespace: name, pod: 'nope', container: 'main' });
    await expect(missing.run(['true'])).rejects.toMatchObject({ name: 'InfrastructureError' });
    server.onExec(undefined);
  });
});
