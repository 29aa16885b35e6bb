/**
 * The one module that imports @kubernetes/client-node (2.x). Everything else sees KubeClient,
 * KubeObject and KubeError; a library upgrade or swap stays inside this file.
 */
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  createConfiguration,
  Exec,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  ServerConfiguration,
  setHeaderOptions,
  VersionApi,
  Watch,
  type KubernetesObject,
  type V1Status,
} from '@kubernetes/client-node';
import * as models from '@kubernetes/client-node';
import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { PassThrough, Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { withRetry, type RetryPolicy } from './kube-retry.js';
import { KubeconfigDocument } from './kubeconfig.document.js';
import {
  ExecTransportError,
  KUBE_CLIENT_OPTIONS,
  KubeApiError,
  type ClusterRef,
  type CommandResult,
  type CommandRunner,
  type EphemeralContainerSpec,
  type ExecTarget,
  type KubeClient,
  type KubeClientOptions,
  type KubeError,
  type KubeObject,
  type ListQuery,
  type ObjectRef,
  type ProxyResponse,
  type RunOptions,
  type WaitOptions,
} from './kube.types.js';
import { RequestRateLimiter } from './rate-limiter.js';

/** Makes (and caches) one client per cluster. Inject it; never build clients elsewhere. */
@Injectable()
export class KubeClients {
  private readonly cache = new Map<string, { fingerprint: string; client: KubeClient }>();

  constructor(@Inject(KUBE_CLIENT_OPTIONS) private readonly options: KubeClientOptions) {}

  /** A cached client for a registered cluster (re-made when its kubeconfig changes). */
  forCluster(ref: ClusterRef): KubeClient {
    const fingerprint = createHash('sha256').update(ref.kubeconfig).digest('hex');
    const cached = this.cache.get(ref.id);
    if (cached?.fingerprint === fingerprint) return cached.client;
    const client = this.connect(ref.kubeconfig);
    this.cache.set(ref.id, { fingerprint, client });
    return client;
  }

  /** An uncached client (registration checks, a student's vcluster). Throws KubeconfigError. */
  connect(kubeconfig: string, overrides: Partial<KubeClientOptions> = {}): KubeClient {
    KubeconfigDocument.parse(kubeconfig);
    const kc = new KubeConfig();
    kc.loadFromString(kubeconfig);
    return new ApiKubeClient(kc, { ...this.options, ...overrides });
  }
}

/** Exposes the discovery-backed URL building that KubernetesObjectApi keeps protected. */
class DiscoveringObjectApi extends KubernetesObjectApi {
  collectionPath(apiVersion: string, kind: string, namespace?: string): Promise<string> {
    return this.specUriPath({ apiVersion, kind, metadata: { namespace } }, 'list');
  }

  async served(apiVersion: string, kind: string): Promise<boolean> {
    return (await this.resource(apiVersion, kind)) !== undefined;
  }
}

const MAX_EXEC_OUTPUT_BYTES = 4 * 1024 * 1024;

class ApiKubeClient implements KubeClient {
  readonly server: string;
  private readonly objects: DiscoveringObjectApi;
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly versions: VersionApi;
  private readonly retry: RetryPolicy;

  constructor(
    private readonly kc: KubeConfig,
    private readonly options: KubeClientOptions,
  ) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new KubeApiError({ kind: 'invalid', message: 'kubeconfig has no current cluster' });
    this.server = cluster.server;
    const limiter = new RequestRateLimiter(options.qps);
    const configuration = createConfiguration({
      baseServer: new ServerConfiguration(cluster.server, {}),
      authMethods: { default: kc },
      promiseMiddleware: [
        {
          pre: async (context) => {
            await limiter.take();
            context.setHeaderParam('User-Agent', `kubecohort/${options.fieldManager}`);
            context.setSignal(AbortSignal.timeout(options.requestTimeoutMs));
            return context;
          },
          post: (response) => Promise.resolve(response),
        },
      ],
    });
    this.objects = new DiscoveringObjectApi(configuration);
    this.core = new CoreV1Api(configuration);
    this.apps = new AppsV1Api(configuration);
    this.versions = new VersionApi(configuration);
    this.retry = {
      attempts: options.retryAttempts,
      baseDelayMs: options.retryBaseDelayMs,
      maxRetryAfterSeconds: options.maxRetryAfterSeconds,
    };
  }

  private call<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return withRetry(
      async () => {
        try {
          return await work();
        } catch (error) {
          throw await translate(error);
        }
      },
      this.retry,
      undefined,
      signal,
    );
  }

  async version(): Promise<{ gitVersion: string }> {
    try {
      const info = await this.versions.getCode();
      return { gitVersion: info.gitVersion };
    } catch (error) {
      throw await translate(error);
    }
  }

  servesKind(apiVersion: string, kind: string): Promise<boolean> {
    return this.call(async () => {
      try {
        return await this.objects.served(apiVersion, kind);
      } catch (error) {
        if (error instanceof ApiException && error.code === 404) return false;
        throw error;
      }
    });
  }

  apply(object: KubeObject, options: { force?: boolean } = {}): Promise<KubeObject> {
    return this.call(async () =>
      toPlain(
        await this.objects.patch(
          toModel(structuredClone(object), modelType(object)) as KubernetesObject,
          undefined,
          undefined,
          this.options.fieldManager,
          options.force ?? true,
          PatchStrategy.ServerSideApply,
        ),
        object,
      ),
    );
  }

  async get(ref: ObjectRef): Promise<KubeObject | null> {
    try {
      return await this.call(async () =>
        toPlain(
          await this.objects.read({
            apiVersion: ref.apiVersion,
            kind: ref.kind,
            metadata: { name: ref.name, namespace: ref.namespace },
          }),
          ref,
        ),
      );
    } catch (error) {
      if (error instanceof KubeApiError && error.kind === 'not_found') return null;
      throw error;
    }
  }

  async list(query: ListQuery): Promise<KubeObject[]> {
    const items: KubeObject[] = [];
    let continueToken: string | undefined;
    do {
      const page = await this.call(() =>
        this.objects.list(
          query.apiVersion,
          query.kind,
          query.namespace,
          undefined,
          undefined,
          undefined,
          undefined,
          query.labelSelector,
          500,
          continueToken,
        ),
      );
      for (const item of page.items) items.push(toPlain(item, query));
      continueToken = page.metadata?._continue || undefined;
    } while (continueToken);
    return items;
  }

  async delete(
    ref: ObjectRef,
    options: { propagationPolicy?: 'Background' | 'Foreground' } = {},
  ): Promise<'deleted' | 'absent'> {
    try {
      await this.call(() =>
        this.objects.delete(
          {
            apiVersion: ref.apiVersion,
            kind: ref.kind,
            metadata: { name: ref.name, namespace: ref.namespace },
          },
          undefined,
          undefined,
          undefined,
          undefined,
          options.propagationPolicy ?? 'Background',
        ),
      );
      return 'deleted';
    } catch (error) {
      if (error instanceof KubeApiError && error.kind === 'not_found') return 'absent';
      throw error;
    }
  }

  async waitFor(
    ref: ObjectRef,
    done: (object: KubeObject | null) => boolean,
    options: WaitOptions,
  ): Promise<KubeObject | null> {
    const deadline = Date.now() + options.timeoutMs;
    const path = await this.call(() => this.objects.collectionPath(ref.apiVersion, ref.kind, ref.namespace));
    let last: KubeObject | null = null;
    for (;;) {
      options.signal?.throwIfAborted();
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new KubeApiError({
          kind: 'timeout',
          message: `timed out after ${Math.round(options.timeoutMs / 1000)}s waiting for ${describe(ref)}; last seen: ${summarize(last)}`,
        });
      }
      try {
        last = await this.get(ref);
      } catch (error) {
        // A flaky read is just one more reason to look again; a permanent error ends the wait.
        if (!(error instanceof KubeApiError) || !error.retryable) throw error;
        await sleep(Math.min(options.recheckMs, left), undefined, { signal: options.signal });
        continue;
      }
      if (done(last)) return last;
      const seen = await this.watchOnce(path, ref, done, Math.min(options.recheckMs, left), options.signal);
      if (seen.matched) return seen.object;
    }
  }

  /** Follows one watch until an event satisfies `done`, the window closes, or the stream ends. */
  private watchOnce(
    path: string,
    ref: ObjectRef,
    done: (object: KubeObject | null) => boolean,
    windowMs: number,
    signal?: AbortSignal,
  ): Promise<{ matched: true; object: KubeObject | null } | { matched: false }> {
    return new Promise((resolve) => {
      let settled = false;
      let controller: AbortController | undefined;
      const finish = (result: { matched: true; object: KubeObject | null } | { matched: false }) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        controller?.abort();
        resolve(result);
      };
      const onAbort = () => finish({ matched: false });
      const timer = setTimeout(() => finish({ matched: false }), windowMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      new Watch(this.kc)
        .watch(
          path,
          {
            fieldSelector: `metadata.name=${ref.name}`,
            timeoutSeconds: Math.max(1, Math.ceil(windowMs / 1000)),
            allowWatchBookmarks: false,
          },
          (type: string, object: unknown) => {
            if (type === 'ERROR' || !object || typeof object !== 'object') return;
            const seen = type === 'DELETED' ? null : (object as KubeObject);
            if (seen && seen.metadata?.name !== ref.name) return;
            if (done(seen)) finish({ matched: true, object: seen });
          },
          () => {
            // The stream ended or dropped: pause a moment so a failing server is not hammered.
            setTimeout(() => finish({ matched: false }), 50);
          },
        )
        .then(
          (started) => {
            controller = started;
            if (settled) started.abort();
          },
          () => setTimeout(() => finish({ matched: false }), 50),
        );
    });
  }

  async scaleStatefulSet(namespace: string, name: string, replicas: number): Promise<void> {
    await this.call(() =>
      this.apps.replaceNamespacedStatefulSetScale({
        namespace,
        name,
        body: {
          apiVersion: 'autoscaling/v1',
          kind: 'Scale',
          metadata: { name, namespace },
          spec: { replicas },
        },
      }),
    );
  }

  async proxyGet(namespace: string, service: string, path: string): Promise<ProxyResponse> {
    try {
      const body = await this.core.connectGetNamespacedServiceProxyWithPath({
        namespace,
        name: service,
        path,
      });
      return { status: 200, body: typeof body === 'string' ? body : JSON.stringify(body) };
    } catch (error) {
      if (error instanceof ApiException) {
        const code = Number(error.code);
        return { status: code, body: await bodyText(error.body) };
      }
      throw await translate(error);
    }
  }

  execRunner(target: ExecTarget): CommandRunner {
    return new PodExecRunner(this.kc, target);
  }

  async addEphemeralContainer(
    pod: { namespace: string; name: string },
    container: EphemeralContainerSpec,
  ): Promise<void> {
    // Strategic merge keys ephemeralContainers by name: an existing one with this name is kept.
    await this.call(() =>
      this.core.patchNamespacedPodEphemeralcontainers(
        { namespace: pod.namespace, name: pod.name, body: { spec: { ephemeralContainers: [container] } } },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      ),
    );
  }
}

/**
 * Runs commands in a container over the exec subresource (WebSocket channel protocol). A command
 * that ran resolves whatever its exit code; a broken transport rejects with ExecTransportError.
 * On timeout the stream is closed and the result says `timedOut` (exit 124); closing the stream
 * does not kill the remote process everywhere, so commands should be short-lived.
 */
class PodExecRunner implements CommandRunner {
  constructor(
    private readonly kc: KubeConfig,
    private readonly target: ExecTarget,
  ) {}

  run(argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    if (argv.length === 0) return Promise.reject(new Error('empty argv'));
    const env = Object.entries(options.env ?? {});
    const command = env.length > 0 ? ['env', ...env.map(([k, v]) => `${k}=${v}`), ...argv] : [...argv];
    const stdout = collector();
    const stderr = collector();
    const stdin = options.stdin === undefined ? null : new PassThrough();
    return new Promise<CommandResult>((resolve, reject) => {
      let settled = false;
      let socket: { close(): void } | undefined;
      const finish = (result: CommandResult | Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        socket?.close();
        if (result instanceof Error) reject(result);
        else resolve(result);
      };
      const timer =
        options.timeoutMs === undefined
          ? undefined
          : setTimeout(
              () =>
                finish({
                  stdout: stdout.text(),
                  stderr: stderr.text(),
                  exitCode: 124,
                  timedOut: true,
                }),
              options.timeoutMs,
            );
      const onAbort = () =>
        finish({
          stdout: stdout.text(),
          stderr: `${stderr.text()}aborted\n`,
          exitCode: 137,
          timedOut: false,
        });
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.signal?.aborted) return onAbort();
      const { namespace, pod, container } = this.target;
      new Exec(this.kc)
        .exec(namespace, pod, container, command, stdout.stream, stderr.stream, stdin, false, (status) => {
          // Let the output frames that arrived before the status reach the collectors.
          setImmediate(() => {
            const { exitCode, message } = exitOf(status);
            finish({
              stdout: stdout.text(),
              stderr: message ? `${stderr.text()}${message}\n` : stderr.text(),
              exitCode,
              timedOut: false,
            });
          });
        })
        .then(
          (ws) => {
            socket = ws;
            if (settled) ws.close();
            stdin?.end(options.stdin);
            ws.on('close', () => {
              setTimeout(
                () =>
                  finish(
                    new ExecTransportError(
                      `exec into ${namespace}/${pod} ended without an exit status (connection closed)`,
                    ),
                  ),
                100,
              );
            });
          },
          async (error: unknown) => {
            const reason = await translate(error);
            finish(
              new ExecTransportError(
                `cannot exec into ${namespace}/${pod}: ${reason.message}`,
                'transport-down',
                {
                  cause: reason,
                },
              ),
            );
          },
        );
    });
  }
}

function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  let size = 0;
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (size < MAX_EXEC_OUTPUT_BYTES) {
        const piece = Buffer.from(chunk).subarray(0, MAX_EXEC_OUTPUT_BYTES - size);
        chunks.push(piece);
        size += piece.length;
      }
      callback();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** The exit code in an exec Status (Success, NonZeroExitCode with an ExitCode cause, or a start failure). */
function exitOf(status: V1Status): { exitCode: number; message?: string } {
  if (status.status === 'Success') return { exitCode: 0 };
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  const code = Number(cause?.message);
  if (status.reason === 'NonZeroExitCode' && Number.isInteger(code)) return { exitCode: code };
  const message = status.message ?? 'exec failed';
  // As a shell reports them: a program that is not there 127, one that cannot run 126.
  return { exitCode: /not found|no such file/i.test(message) ? 127 : 126, message };
}

interface ModelClass {
  getAttributeTypeMap(): { name: string; baseName: string; type: string }[];
}

function modelOf(type: string): ModelClass | undefined {
  const candidate = (models as unknown as Record<string, unknown>)[type];
  return typeof candidate === 'function' && 'getAttributeTypeMap' in candidate
    ? (candidate as unknown as ModelClass)
    : undefined;
}

/**
 * The client deserializes built-in kinds into its model classes, whose property names differ from
 * the API's where the API's would clash with JavaScript (`_from` for a NetworkPolicy rule's `from`):
 * back to the field names of the API, which is what callers read.
 */
function toWire(value: unknown, type: string): unknown {
  if (value === null || value === undefined) return value;
  if (type.startsWith('Array<') && Array.isArray(value)) {
    const item = type.slice('Array<'.length, -1);
    return value.map((each) => toWire(each, item));
  }
  const model = modelOf(type);
  if (!model || typeof value !== 'object' || Array.isArray(value) || value instanceof Date) return value;
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const known = new Set<string>();
  for (const attribute of model.getAttributeTypeMap()) {
    known.add(attribute.name);
    if (source[attribute.name] !== undefined)
      out[attribute.baseName] = toWire(source[attribute.name], attribute.type);
  }
  for (const [key, each] of Object.entries(source)) if (!known.has(key)) out[key] ??= each;
  return out;
}

/**
 * The reverse, for what we send: the client serializes built-in kinds from its model property names
 * and silently drops the API's (a NetworkPolicy rule's `from` would vanish from an apply).
 */
function toModel(value: unknown, type: string): unknown {
  if (value === null || value === undefined) return value;
  if (type.startsWith('Array<') && Array.isArray(value)) {
    const item = type.slice('Array<'.length, -1);
    return value.map((each) => toModel(each, item));
  }
  const model = modelOf(type);
  if (!model || typeof value !== 'object' || Array.isArray(value)) return value;
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const known = new Set<string>();
  for (const attribute of model.getAttributeTypeMap()) {
    known.add(attribute.baseName);
    if (source[attribute.baseName] !== undefined)
      out[attribute.name] = toModel(source[attribute.baseName], attribute.type);
  }
  for (const [key, each] of Object.entries(source)) if (!known.has(key)) out[key] ??= each;
  return out;
}

/** The client's model class name for a kind: `v1` + `NetworkPolicy` -> `V1NetworkPolicy`. */
function modelType(ref: { apiVersion: string; kind: string }): string {
  const version = ref.apiVersion.split('/').at(-1) ?? '';
  return `${version.charAt(0).toUpperCase()}${version.slice(1)}${ref.kind}`;
}

function toPlain(value: unknown, ref: { apiVersion: string; kind: string }): KubeObject {
  const plain = JSON.parse(JSON.stringify(toWire(value, modelType(ref)))) as KubeObject;
  // List items come without apiVersion/kind.
  plain.apiVersion ??= ref.apiVersion;
  plain.kind ??= ref.kind;
  return plain;
}

function describe(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

function summarize(object: KubeObject | null): string {
  if (!object) return 'absent';
  const status = object.status as
    { conditions?: { type?: string; status?: string; reason?: string }[] } | undefined;
  const conditions = (status?.conditions ?? []).map(
    (c) => `${c.type}=${c.status}${c.reason ? `(${c.reason})` : ''}`,
  );
  return conditions.length > 0
    ? conditions.join(', ')
    : object.metadata.deletionTimestamp
      ? 'terminating'
      : 'present';
}

async function bodyText(body: unknown): Promise<string> {
  const resolved: unknown = await body;
  if (typeof resolved === 'string') return resolved;
  if (Buffer.isBuffer(resolved)) return resolved.toString('utf8');
  if (resolved === undefined || resolved === null) return '';
  return JSON.stringify(resolved);
}

interface StatusBody {
  message?: string;
  reason?: string;
  details?: { retryAfterSeconds?: number };
}

function parseStatus(text: string): StatusBody {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? parsed : {};
  } catch {
    return {};
  }
}

/** Turns whatever the client library threw into our typed error, without echoing request bodies. */
async function translate(error: unknown): Promise<KubeApiError> {
  if (error instanceof KubeApiError) return error;
  if (error instanceof ApiException) {
    const code = Number(error.code);
    const status = parseStatus(await bodyText(error.body));
    const message = status.message ?? `the API server answered HTTP ${code}`;
    const discovery = error.message.startsWith('Failed to fetch resource metadata');
    return new KubeApiError(classify(code, message, retryAfterOf(error, status), discovery), {
      cause: error,
    });
  }
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError')
      return new KubeApiError(
        { kind: 'timeout', message: 'the API server did not answer in time' },
        { cause: error },
      );
    if (/^Unrecognized API version and kind/.test(error.message))
      return new KubeApiError({ kind: 'invalid', message: error.message }, { cause: error });
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.code ?? cause?.message ?? error.message;
    return new KubeApiError(
      { kind: 'unavailable', message: `cannot reach the API server: ${detail}` },
      { cause: error },
    );
  }
  return new KubeApiError({ kind: 'unavailable', message: String(error) });
}

function retryAfterOf(error: ApiException<unknown>, status: StatusBody): number {
  const header = Number(error.headers?.['retry-after']);
  if (Number.isFinite(header) && header >= 0) return header;
  const detail = status.details?.retryAfterSeconds;
  return typeof detail === 'number' && detail >= 0 ? detail : 1;
}

function classify(code: number, message: string, retryAfterSeconds: number, discovery: boolean): KubeError {
  if (discovery && code === 404)
    return { kind: 'invalid', status: 404, message: `the API group is not served: ${message}` };
  if (code === 404) return { kind: 'not_found', message };
  if (code === 409) return { kind: 'conflict', message };
  if (code === 429) return { kind: 'throttled', message, retryAfterSeconds };
  if (code === 401 || code === 403) return { kind: 'forbidden', status: code, message };
  if (code === 408 || code === 504) return { kind: 'timeout', message };
  if (code >= 500) return { kind: 'unavailable', status: code, message };
  return { kind: 'invalid', status: code, message };
}
