/** Shared shapes and small JSON helpers for the fake Kubernetes API server. */

export type JsonMap = Record<string, unknown>;

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: JsonMap;
  subresource?: string;
}

export interface KubeMetadata {
  name: string;
  namespace?: string;
  generateName?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  managedFields?: ManagedFieldsEntry[];
  [key: string]: unknown;
}

/** Any stored object. Kind-specific fields (spec, status, data, ...) stay loosely typed on purpose. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: KubeMetadata;
  [key: string]: unknown;
}

/** Identifies one object the way tests think of it. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface ExecContext {
  namespace: string;
  pod: string;
  /** The container asked for, or the pod's first container when the request named none. */
  container: string;
  command: string[];
  /** Everything the client wrote on stdin (only when it asked for stdin). */
  stdin?: string;
  tty: boolean;
}

export interface ExecResult {
  stdout?: string | Buffer;
  stderr?: string | Buffer;
  exitCode?: number;
}

export type ExecHandler = (ctx: ExecContext) => ExecResult | Promise<ExecResult>;

export interface LogContext {
  namespace: string;
  pod: string;
  container: string;
  query: Record<string, string>;
}

export type LogHandler = (ctx: LogContext) => string | undefined | Promise<string | undefined>;

export interface EphemeralContainerContext {
  namespace: string;
  pod: string;
  container: JsonMap & { name: string };
}

/** What a started ephemeral container does: keep running (default) or exit with a code after runMs. */
export interface EphemeralContainerOutcome {
  logs?: string;
  exitCode?: number;
  runMs?: number;
}

export type EphemeralContainerHandler = (
  ctx: EphemeralContainerContext,
) => EphemeralContainerOutcome | undefined | Promise<EphemeralContainerOutcome | undefined>;

export interface HelmReleaseOutcome {
  ready: boolean;
  reason?: string;
  message?: string;
}

export type HelmReleaseOutcomeHandler = (release: KubeObject) => HelmReleaseOutcome;

export interface ControllerOptions {
  /** Runs the simulated controllers at all (HelmRelease, StatefulSet, pods, namespace finalization). */
  enabled: boolean;
  helmReleaseReadyDelayMs: number;
  helmUninstallDelayMs: number;
  helmRepositoryReadyDelayMs: number;
  podReadyDelayMs: number;
  namespaceDeletionDelayMs: number;
  ephemeralContainerStartDelayMs: number;
  /** Deployments have no simulated pods: their status follows spec.replicas after this delay. */
  deploymentReadyDelayMs: number;
}

export interface FakeKubeApiOptions {
  /** Bearer token the kubeconfig carries and the server checks (when requireAuth). */
  token?: string;
  requireAuth?: boolean;
  /** Namespaces that exist from the start. */
  initialNamespaces?: string[];
  /** Watch events kept for resourceVersion replays; older ones answer 410 Gone. */
  watchHistoryLimit?: number;
  controller?: Partial<ControllerOptions>;
}

export interface RequestRecord {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  contentType?: string;
  userAgent?: string;
  /** Milliseconds since the epoch, when the request arrived. */
  timestamp: number;
  /** HTTP status sent back (set once answered; 101 for upgraded exec streams). */
  status?: number;
  watch: boolean;
}

export function isPlainObject(value: unknown): value is JsonMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

export function deepClone<T>(value: T): T {
  return structuredClone(value);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

export function asMap(value: unknown): JsonMap {
  return isPlainObject(value) ? value : {};
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Reads a dotted path ("spec.replicas") from a JSON value. */
export function getPath(root: unknown, path: readonly string[]): unknown {
  let current: unknown = root;
  for (const segment of path) {
    if (!isPlainObject(current)) return undefined;
    current = current[segment];
  }
  return current;
}

export function nowIso(): string {
  // Kubernetes timestamps have second precision (RFC 3339 without fractions).
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

export interface ServiceProxyContext {
  namespace: string;
  service: string;
  /** From `https:<name>:<port>` style names; undefined when the request named none. */
  scheme?: string;
  port?: string;
  /** The proxied path, without a leading slash ("metrics"). */
  path: string;
  method: string;
  query: Record<string, string>;
  body?: Buffer;
}

export interface ServiceProxyResponse {
  status?: number;
  body: string | Buffer;
  contentType?: string;
}

export type ServiceProxyHandler = (
  ctx: ServiceProxyContext,
) => ServiceProxyResponse | undefined | Promise<ServiceProxyResponse | undefined>;
