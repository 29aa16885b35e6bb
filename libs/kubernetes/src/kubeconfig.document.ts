import { isMap, parseDocument, stringify } from 'yaml';

/** A kubeconfig we refuse to use, with a message that never quotes the document (it holds secrets). */
export class KubeconfigError extends Error {
  override readonly name = 'KubeconfigError';
}

interface NamedEntry<T> {
  name: string;
  [key: string]: unknown;
  value: T;
}

type Json = Record<string, unknown>;

/** User fields that would make the worker run a program or read a file: never accepted. */
const FORBIDDEN_USER_FIELDS = ['exec', 'auth-provider', 'client-certificate', 'client-key', 'tokenFile'];
const FORBIDDEN_CLUSTER_FIELDS = ['certificate-authority'];

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function entries(root: Json, list: string, inner: string): NamedEntry<Json>[] {
  const raw = root[list];
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new KubeconfigError(`kubeconfig: ${list} must be a list`);
  return raw.map((item, index) => {
    if (!isObject(item) || typeof item.name !== 'string' || !isObject(item[inner])) {
      throw new KubeconfigError(`kubeconfig: ${list}[${index}] needs a name and a ${inner} object`);
    }
    return { name: item.name, value: item[inner] };
  });
}

/**
 * A parsed, checked kubeconfig. Only inline credentials are accepted (token, client certificate
 * data, basic auth): exec plugins, auth providers and file references would let whoever supplies
 * the document run programs or read files on our workers.
 */
export class KubeconfigDocument {
  private constructor(private readonly root: Json) {}

  static parse(text: string): KubeconfigDocument {
    if (typeof text !== 'string' || text.trim() === '') throw new KubeconfigError('kubeconfig is empty');
    // prettyErrors off: the YAML library would otherwise quote the offending lines (secrets).
    const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
    if (doc.errors.length > 0) {
      const line = doc.errors[0]?.linePos?.[0]?.line;
      throw new KubeconfigError(`kubeconfig is not valid YAML${line ? ` (line ${line})` : ''}`);
    }
    if (!isMap(doc.contents)) throw new KubeconfigError('kubeconfig must be a YAML mapping');
    const root: unknown = doc.toJS({ maxAliasCount: 10 });
    if (!isObject(root)) throw new KubeconfigError('kubeconfig must be a YAML mapping');
    const config = new KubeconfigDocument(root);
    config.check();
    return config;
  }

  private check(): void {
    const clusters = entries(this.root, 'clusters', 'cluster');
    const users = entries(this.root, 'users', 'user');
    const contexts = entries(this.root, 'contexts', 'context');
    for (const cluster of clusters) {
      for (const field of FORBIDDEN_CLUSTER_FIELDS) {
        if (field in cluster.value)
          throw new KubeconfigError(
            `kubeconfig: cluster "${cluster.name}" uses ${field} (a file); inline it as ${field}-data`,
          );
      }
      const server = cluster.value.server;
      if (typeof server !== 'string' || !/^https?:\/\/[^\s/]+/.test(server))
        throw new KubeconfigError(`kubeconfig: cluster "${cluster.name}" needs an http(s) server URL`);
    }
    for (const user of users) {
      for (const field of FORBIDDEN_USER_FIELDS) {
        if (field in user.value)
          throw new KubeconfigError(
            `kubeconfig: user "${user.name}" uses ${field}; only inline credentials (token, client-certificate-data/client-key-data) are accepted`,
          );
      }
    }
    const current = this.root['current-context'];
    if (typeof current !== 'string' || current === '')
      throw new KubeconfigError('kubeconfig: current-context is not set');
    const context = contexts.find((c) => c.name === current);
    if (!context) throw new KubeconfigError(`kubeconfig: current-context "${current}" is not defined`);
    if (!clusters.some((c) => c.name === context.value.cluster))
      throw new KubeconfigError(`kubeconfig: context "${current}" names an unknown cluster`);
    if (!users.some((u) => u.name === context.value.user))
      throw new KubeconfigError(`kubeconfig: context "${current}" names an unknown user`);
  }

  private currentCluster(): Json {
    const contexts = entries(this.root, 'contexts', 'context');
    const context = contexts.find((c) => c.name === this.root['current-context'])!;
    return entries(this.root, 'clusters', 'cluster').find((c) => c.name === context.value.cluster)!.value;
  }

  /** The API server URL of the current context. */
  get server(): string {
    return String(this.currentCluster().server);
  }

  /**
   * A copy whose every cluster points at `server`, with the context renamed (students merge
   * several kubeconfigs; a distinct name avoids clobbering theirs). TLS data is kept as is.
   */
  withServer(server: string, options: { contextName?: string; tlsServerName?: string } = {}): string {
    const root = structuredClone(this.root);
    for (const item of root.clusters as Json[]) {
      const cluster = item.cluster as Json;
      cluster.server = server;
      if (options.tlsServerName) cluster['tls-server-name'] = options.tlsServerName;
    }
    if (options.contextName) {
      const name = options.contextName;
      const current = root['current-context'];
      for (const item of root.contexts as Json[]) if (item.name === current) item.name = name;
      root['current-context'] = name;
    }
    return stringify(root);
  }

  toString(): string {
    return stringify(this.root);
  }
}
