/**
 * The Kubernetes capability as the rest of kubecohort sees it: our own shapes, never the client
 * library's. Only kube-client.ts knows @kubernetes/client-node.
 */

/** A cluster to talk to. The kubeconfig is plaintext YAML: keep it in memory only, never log it. */
export interface ClusterRef {
  /** Stable identity for client caching (a host cluster id, an environment id...). */
  id: string;
  kubeconfig: string;
}

/** Any object as the API returns it (plain JSON), typed beyond its metadata only where we read it. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: KubeMetadata;
  [field: string]: unknown;
}

export interface KubeMetadata {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  deletionTimestamp?: string;
  finalizers?: string[];
  [field: string]: unknown;
}

export interface ObjectRef {
  /** `v1`, `apps/v1`, `helm.toolkit.fluxcd.io/v2`... */
  apiVersion: string;
  kind: string;
  /** Absent for cluster-scoped kinds. */
  namespace?: string;
  name: string;
}

export interface ListQuery {
  apiVersion: string;
  kind: string;
  namespace?: string;
  /** `key=value,other` label selector syntax. */
  labelSelector?: string;
}

/**
 * Why a call failed, as a closed union callers switch on. `conflict`, `throttled`, `unavailable`
 * and `timeout` are infrastructure trouble worth retrying; the rest will not change by retrying.
 */
export type KubeError =
  | { kind: 'conflict'; message: string }
  | { kind: 'throttled'; message: string; retryAfterSeconds: number }
  | { kind: 'unavailable'; message: string; status?: number }
  | { kind: 'not_found'; message: string }
  | { kind: 'forbidden'; message: string; status: 401 | 403 }
  | { kind: 'invalid'; message: string; status?: number }
  | { kind: 'timeout'; message: string };

export type KubeErrorKind = KubeError['kind'];

export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';

  constructor(
    readonly error: KubeError,
    options?: { cause?: unknown },
  ) {
    super(error.message, options);
  }

  get kind(): KubeErrorKind {
    return this.error.kind;
  }

  get retryable(): boolean {
    return isRetryable(this.error);
  }
}

export function isRetryable(error: KubeError): boolean {
  switch (error.kind) {
    case 'conflict':
    case 'throttled':
    case 'unavailable':
    case 'timeout':
      return true;
    case 'not_found':
    case 'forbidden':
    case 'invalid':
      return false;
  }
}

export function isKubeApiError(error: unknown): error is KubeApiError {
  return error instanceof KubeApiError;
}

/** Options for every client the process makes. */
export interface KubeClientOptions {
  /** Field manager for server-side apply: the owner of every field we set. */
  fieldManager: string;
  /** Requests in any one second to one cluster, per client (a ceiling, no burst above it). */
  qps: number;
  /** Each HTTP request is abandoned after this long (watches excepted). */
  requestTimeoutMs: number;
  /** Attempts per call on retryable errors (1 = no retry). */
  retryAttempts: number;
  /** First backoff; doubles per attempt, with jitter. */
  retryBaseDelayMs: number;
  /** A Retry-After longer than this is not slept through in-process: the error goes to the caller. */
  maxRetryAfterSeconds: number;
}

export const KUBE_CLIENT_OPTIONS = Symbol('KUBE_CLIENT_OPTIONS');

export const DEFAULT_KUBE_CLIENT_OPTIONS: KubeClientOptions = {
  fieldManager: 'kubecohort',
  qps: 20,
  requestTimeoutMs: 15000,
  retryAttempts: 5,
  retryBaseDelayMs: 200,
  maxRetryAfterSeconds: 30,
};

export interface WaitOptions {
  /** Gives up with a `timeout` KubeError after this long. */
  timeoutMs: number;
  /** Re-reads the object at least this often even when the watch is quiet (or broken). */
  recheckMs: number;
  /** Stops waiting (rejects with the signal's reason). */
  signal?: AbortSignal;
}

export interface ProxyResponse {
  status: number;
  body: string;
}

/** A container added to a running pod (`kubectl debug` style); pods only ever gain them. */
export interface EphemeralContainerSpec {
  name: string;
  image: string;
  command: string[];
  /** Shares this container's process namespace (optional; network is shared by every container). */
  targetContainerName?: string;
  securityContext?: Record<string, unknown>;
}

/** Which container an exec goes to. */
export interface ExecTarget {
  namespace: string;
  pod: string;
  container: string;
}

/**
 * Runs one command (argv, no shell) somewhere and says how it ended. Structurally the grading
 * runtime's `CommandRunner` (libs/grading, runtime/command-runner.port.ts), so an exec transport
 * from here can be handed to graders without this lib depending on grading.
 */
export interface CommandRunner {
  run(argv: readonly string[], options?: RunOptions): Promise<CommandResult>;
}

export interface RunOptions {
  stdin?: string;
  env?: Readonly<Record<string, string>>;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface CommandResult {
  stdout: string;
  stderr: string;
  /** 124 when timed out (as coreutils `timeout` reports it). */
  exitCode: number;
  timedOut: boolean;
}

/** What a transport failure looks like to graders (same name and code as grading's InfrastructureError). */
export class ExecTransportError extends Error {
  override readonly name = 'InfrastructureError';

  constructor(
    message: string,
    readonly code = 'transport-down',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** One cluster's API, through which everything in kubecohort talks to Kubernetes. */
export interface KubeClient {
  /** The API server URL from the kubeconfig. */
  readonly server: string;
  /** GET /version: proves the server answers and the credentials work. */
  version(): Promise<{ gitVersion: string }>;
  /** Whether the server serves this kind (API discovery). */
  servesKind(apiVersion: string, kind: string): Promise<boolean>;
  /** Server-side apply with our field manager (`force` takes fields other managers own). */
  apply(object: KubeObject, options?: { force?: boolean }): Promise<KubeObject>;
  /** The object, or null when it does not exist. */
  get(ref: ObjectRef): Promise<KubeObject | null>;
  list(query: ListQuery): Promise<KubeObject[]>;
  /** Deletes; `absent` when there was nothing to delete. */
  delete(
    ref: ObjectRef,
    options?: { propagationPolicy?: 'Background' | 'Foreground' },
  ): Promise<'deleted' | 'absent'>;
  /**
   * Resolves with the object once `done(object | null)` is true, following a watch (re-established
   * when it drops) and re-reading at least every `recheckMs`.
   */
  waitFor(
    ref: ObjectRef,
    done: (object: KubeObject | null) => boolean,
    options: WaitOptions,
  ): Promise<KubeObject | null>;
  /**
   * Sets a StatefulSet's replicas through its `scale` subresource (what `kubectl scale` does):
   * no field of the spec changes hands, whoever applied the StatefulSet.
   */
  scaleStatefulSet(namespace: string, name: string, replicas: number): Promise<void>;
  /** GET through the API server's service proxy (`https:<service>:<port>` names the port). */
  proxyGet(namespace: string, service: string, path: string): Promise<ProxyResponse>;
  /** An exec transport into one container. */
  execRunner(target: ExecTarget): CommandRunner;
  /**
   * Adds an ephemeral container to a pod (the pods/ephemeralcontainers subresource). Adding the
   * same container again is a no-op; a pod that does not exist is a `not_found` KubeApiError.
   */
  addEphemeralContainer(
    pod: { namespace: string; name: string },
    container: EphemeralContainerSpec,
  ): Promise<void>;
}
