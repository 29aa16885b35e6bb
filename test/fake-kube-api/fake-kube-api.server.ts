/**
 * An in-process fake Kubernetes API server on real HTTP, good enough for an unchanged
 * @kubernetes/client-node 2.x: discovery, CRUD, server-side apply, watch, exec over WebSocket,
 * simulated controllers, and fault injection for tests.
 */

import { randomUUID } from 'node:crypto';
import {
  createServer,
  STATUS_CODES,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify as toYaml } from 'yaml';
import { ClusterController } from './cluster.controller.js';
import { ExecServer } from './exec.session.js';
import { FaultInjector } from './fault.injector.js';
import { KubeApiError, errors } from './kube-status.errors.js';
import { VclusterMetrics } from './metrics.simulator.js';
import { ObjectStore } from './object.store.js';
import { mergePatch } from './patch.engine.js';
import {
  RequestRouter,
  flag,
  parsePath,
  queryRecord,
  resolveContainer,
  sendError,
} from './request.router.js';
import { ResourceRegistry, storageKey, type ResourceType } from './resource.registry.js';
import { ResourceHandlers } from './resource.handlers.js';
import { WatchStreamer } from './watch.streamer.js';
import {
  asMap,
  deepClone,
  isPlainObject,
  nowIso,
  splitApiVersion,
  type EphemeralContainerHandler,
  type ExecContext,
  type ExecHandler,
  type FakeKubeApiOptions,
  type HelmReleaseOutcomeHandler,
  type JsonMap,
  type KubeMetadata,
  type KubeObject,
  type LogHandler,
  type ObjectRef,
  type RequestRecord,
  type ServiceProxyHandler,
} from './fake-kube-api.types.js';

export interface RequestFilter {
  method?: string;
  /** RegExp tested against the path, or a string the path must contain. */
  path?: RegExp | string;
  watch?: boolean;
}

/** What tests seed: a full object, status included, stored as given (no admission, no defaults). */
export interface SeedObject {
  apiVersion: string;
  kind: string;
  metadata: Partial<KubeMetadata> & { name: string };
  [key: string]: unknown;
}

export class FakeKubeApiServer {
  readonly token: string;
  readonly store: ObjectStore;
  readonly registry = new ResourceRegistry();
  readonly faults: FaultInjector;
  readonly controller: ClusterController;
  readonly metrics = new VclusterMetrics();

  private readonly handlers: ResourceHandlers;
  private readonly watches: WatchStreamer;
  private readonly exec = new ExecServer();
  private readonly router: RequestRouter;
  private readonly requireAuth: boolean;
  private readonly log: RequestRecord[] = [];
  private server?: Server;
  private baseUrl?: string;
  private logHandler?: LogHandler;
  private proxyHandler?: ServiceProxyHandler;

  constructor(options: FakeKubeApiOptions = {}) {
    this.token = options.token ?? 'fake-kube-api-token';
    this.requireAuth = options.requireAuth ?? true;
    this.store = new ObjectStore(options.watchHistoryLimit);
    this.handlers = new ResourceHandlers(this.store, this.registry);
    this.watches = new WatchStreamer(this.store, this.handlers);
    this.faults = new FaultInjector(() => this.watches.dropAll());
    this.controller = new ClusterController(this.store, this.handlers, this.registry, options.controller);
    this.router = new RequestRouter({
      registry: this.registry,
      handlers: this.handlers,
      watches: this.watches,
      metrics: this.metrics,
      containerLogs: this.controller.containerLogs,
      logHandler: () => this.logHandler,
      proxyHandler: () => this.proxyHandler,
      serverAddress: () => (this.baseUrl ?? 'http://127.0.0.1:0').replace(/^http:\/\//, ''),
    });
    for (const name of options.initialNamespaces ?? [
      'default',
      'kube-system',
      'kube-public',
      'kube-node-lease',
    ]) {
      this.handlers.create(
        this.registry.preferred('', 'namespaces'),
        undefined,
        { metadata: { name } },
        { manager: 'kube-apiserver' },
      );
    }
  }

  // ------------------------------------------------------------ lifecycle

  async start(): Promise<{ url: string }> {
    if (this.server) throw new Error('fake-kube-api: already started');
    const server = createServer((req, res) => {
      void this.onRequest(req, res);
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      void this.onUpgrade(req, socket, head);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    this.controller.start();
    return { url: this.baseUrl };
  }

  async stop(): Promise<void> {
    this.controller.stop();
    this.watches.endAll();
    this.exec.close();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  get url(): string {
    if (!this.baseUrl) throw new Error('fake-kube-api: not started');
    return this.baseUrl;
  }

  /** A kubeconfig (YAML) for this server: plain HTTP, so TLS verification is skipped; bearer token auth. */
  kubeconfig(options: { namespace?: string; contextName?: string } = {}): string {
    const name = options.contextName ?? 'fake-kube-api';
    return toYaml({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name, cluster: { server: this.url, 'insecure-skip-tls-verify': true } }],
      users: [{ name, user: { token: this.token } }],
      contexts: [
        {
          name,
          context: {
            cluster: name,
            user: name,
            ...(options.namespace ? { namespace: options.namespace } : {}),
          },
        },
      ],
      'current-context': name,
      preferences: {},
    });
  }

  // ------------------------------------------------------------ test hooks

  /** Answers pod exec requests; `undefined` restores the default, which fails with exit code 126. */
  onExec(handler: ExecHandler | undefined): void {
    this.exec.setHandler(handler);
  }

  /** Every exec that reached the handler, in order. */
  get execCalls(): readonly ExecContext[] {
    return this.exec.calls;
  }

  /** Answers pods/<name>/log; returning undefined falls back to logs an ephemeral container produced. */
  onLogs(handler: LogHandler | undefined): void {
    this.logHandler = handler;
  }

  /** Answers services/<name>/proxy/<path>; returning undefined falls back to the simulated metrics. */
  onServiceProxy(handler: ServiceProxyHandler | undefined): void {
    this.proxyHandler = handler;
  }

  /** Decides what a started ephemeral container does (keep running, or exit with a code and logs). */
  onEphemeralContainer(handler: EphemeralContainerHandler | undefined): void {
    this.controller.ephemeralHandler = handler;
  }

  /** Decides whether a HelmRelease install succeeds (default: it does). */
  onHelmRelease(handler: HelmReleaseOutcomeHandler | undefined): void {
    this.controller.helmReleaseOutcome = handler;
  }

  // ------------------------------------------------------------ request log

  get requests(): readonly RequestRecord[] {
    return this.log;
  }

  requestsMatching(filter: RequestFilter = {}): RequestRecord[] {
    return this.log.filter((r) => {
      if (filter.method && r.method !== filter.method.toUpperCase()) return false;
      if (filter.watch !== undefined && r.watch !== filter.watch) return false;
      if (filter.path === undefined) return true;
      return typeof filter.path === 'string' ? r.path.includes(filter.path) : filter.path.test(r.path);
    });
  }

  clearRequests(): void {
    this.log.length = 0;
  }

  // ------------------------------------------------------------ state helpers

  get resourceVersion(): string {
    return String(this.store.currentRv());
  }

  get openWatchCount(): number {
    return this.watches.openCount;
  }

  /** Stores objects as given (status included), bypassing admission; replaces existing ones. */
  seed(...objects: SeedObject[]): KubeObject[] {
    return objects.map((input) => {
      const rt = this.typeOf(input.apiVersion, input.kind);
      const object: KubeObject = deepClone(input);
      object.metadata.uid ??= randomUUID();
      object.metadata.creationTimestamp ??= nowIso();
      object.metadata.generation ??= 1;
      if (!rt.namespaced) delete object.metadata.namespace;
      else object.metadata.namespace ??= 'default';
      const key = storageKey(rt);
      const existing = this.store.get(key, object.metadata.namespace, object.metadata.name);
      return existing ? this.store.update(key, object) : this.store.create(key, object);
    });
  }

  getObject(ref: ObjectRef): KubeObject | undefined {
    const rt = this.typeOf(ref.apiVersion, ref.kind);
    const found = this.store.get(
      storageKey(rt),
      rt.namespaced ? (ref.namespace ?? 'default') : undefined,
      ref.name,
    );
    return found ? this.handlers.present(found, rt) : undefined;
  }

  listObjects(apiVersion: string, kind: string, namespace?: string): KubeObject[] {
    const rt = this.typeOf(apiVersion, kind);
    return this.store.list(storageKey(rt), namespace).map((o) => this.handlers.present(o, rt));
  }

  /** JSON-merge-patches a stored object (status too), as an outside actor would; watchers see MODIFIED. */
  patchObject(ref: ObjectRef, patch: JsonMap): KubeObject {
    const rt = this.typeOf(ref.apiVersion, ref.kind);
    const live = this.store.get(
      storageKey(rt),
      rt.namespaced ? (ref.namespace ?? 'default') : undefined,
      ref.name,
    );
    if (!live) throw new Error(`fake-kube-api: ${ref.kind} ${ref.namespace ?? ''}/${ref.name} not found`);
    const next = mergePatch(live, patch);
    if (!isPlainObject(next)) throw new Error('fake-kube-api: patch must be an object');
    return this.store.update(storageKey(rt), next as KubeObject);
  }

  /** Removes an object at once (no finalizers, no cascade); returns whether it existed. */
  removeObject(ref: ObjectRef): boolean {
    const rt = this.typeOf(ref.apiVersion, ref.kind);
    return !!this.store.remove(
      storageKey(rt),
      rt.namespaced ? (ref.namespace ?? 'default') : undefined,
      ref.name,
    );
  }

  /** Polls until the object exists and satisfies `predicate`. */
  async waitFor(
    ref: ObjectRef,
    predicate: (o: KubeObject) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<KubeObject> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.getObject(ref);
      if (found && predicate(found)) return found;
      if (Date.now() > deadline) {
        throw new Error(
          `fake-kube-api: timed out waiting for ${ref.kind} ${ref.namespace ?? ''}/${ref.name}; last seen: ${JSON.stringify(found?.status ?? found ?? null)}`,
        );
      }
      await sleep(5);
    }
  }

  async waitForGone(ref: ObjectRef, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.getObject(ref)) {
      if (Date.now() > deadline)
        throw new Error(`fake-kube-api: ${ref.kind} ${ref.namespace ?? ''}/${ref.name} still exists`);
      await sleep(5);
    }
  }

  /** Forgets watch history: resuming a watch from an older resourceVersion then gets 410 Gone. */
  compactWatchHistory(): void {
    this.store.compact();
  }

  private typeOf(apiVersion: string, kind: string): ResourceType {
    const { group, version } = splitApiVersion(apiVersion);
    const rt = this.registry.byKind(group, version, kind);
    if (!rt) throw new Error(`fake-kube-api: unknown kind ${apiVersion} ${kind}`);
    return rt;
  }

  // ------------------------------------------------------------ HTTP plumbing

  private record(req: IncomingMessage, url: URL): RequestRecord {
    const record: RequestRecord = {
      method: (req.method ?? 'GET').toUpperCase(),
      path: url.pathname,
      query: queryRecord(url.searchParams),
      contentType: req.headers['content-type'],
      userAgent: req.headers['user-agent'],
      timestamp: Date.now(),
      watch: flag(url.searchParams, 'watch') || url.pathname.includes('/watch/'),
    };
    this.log.push(record);
    return record;
  }

  /** Latency, faults and authentication, shared by plain requests and WebSocket upgrades. */
  private async gate(
    req: IncomingMessage,
    record: RequestRecord,
  ): Promise<KubeApiError | 'drop' | undefined> {
    const latency = this.faults.currentLatencyMs;
    if (latency > 0) await sleep(latency);
    const fault = this.faults.take(record.method, record.path, record.watch);
    if (fault?.kind === 'drop') return 'drop';
    if (fault?.kind === 'error') return fault.error;
    const open = /^\/(healthz|readyz|livez)/.test(record.path);
    if (this.requireAuth && !open && req.headers.authorization !== `Bearer ${this.token}`)
      return errors.unauthorized();
    return undefined;
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const record = this.record(req, url);
    res.on('finish', () => (record.status = res.statusCode));
    try {
      const gate = await this.gate(req, record);
      if (gate === 'drop') {
        record.status = 0;
        req.socket.destroy();
        return;
      }
      if (gate) throw gate;
      await this.router.route(req, res, url);
      if (res.headersSent) record.status = res.statusCode;
    } catch (err) {
      sendError(res, err);
    }
  }

  private async onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const record = this.record(req, url);
    const reject = (err: unknown): void => {
      const error = err instanceof KubeApiError ? err : new KubeApiError(500, 'InternalError', String(err));
      record.status = error.code;
      const body = JSON.stringify(error.toStatus());
      const headers = {
        'Content-Type': 'application/json',
        'Content-Length': String(Buffer.byteLength(body)),
        Connection: 'close',
        ...error.headers,
      };
      socket.end(
        `HTTP/1.1 ${error.code} ${STATUS_CODES[error.code] ?? 'Error'}\r\n${Object.entries(headers)
          .map(([k, v]) => `${k}: ${v}`)
          .join('\r\n')}\r\n\r\n${body}`,
      );
    };
    try {
      const gate = await this.gate(req, record);
      if (gate === 'drop') {
        record.status = 0;
        socket.destroy();
        return;
      }
      if (gate) return reject(gate);
      const parsed = parsePath(this.registry, url.pathname, this.url.replace(/^http:\/\//, ''));
      if (parsed.kind !== 'resource' || parsed.rt.kind !== 'Pod' || parsed.sub !== 'exec' || !parsed.name) {
        return reject(errors.notFoundPath());
      }
      const namespace = parsed.namespace ?? 'default';
      const pod = this.handlers.getLive(parsed.rt, namespace, parsed.name);
      const phase = asMap(pod.status).phase;
      if (phase === 'Succeeded' || phase === 'Failed') {
        throw errors.badRequest(
          `cannot exec into a container in a completed pod; current phase is ${String(phase)}`,
        );
      }
      const q = url.searchParams;
      const container = resolveContainer(pod, q.get('container') ?? undefined);
      const state = asMap(container.status?.state);
      if ((container.ephemeral && !container.status) || (container.status && !state.running)) {
        throw errors.badRequest(`unable to upgrade connection: container not found ("${container.name}")`);
      }
      const command = q.getAll('command');
      if (command.length === 0) throw errors.badRequest('you must specify at least 1 command');
      this.exec.upgrade(
        req,
        socket,
        head,
        {
          namespace,
          pod: parsed.name,
          container: container.name,
          command,
          stdin: flag(q, 'stdin'),
          stdout: flag(q, 'stdout'),
          stderr: flag(q, 'stderr'),
          tty: flag(q, 'tty'),
        },
        () => (record.status = 101),
      );
    } catch (err) {
      reject(err);
    }
  }
}
