/** Maps HTTP requests (paths, verbs, query parameters, bodies) onto the fake API server's handlers. */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { KubeApiError, errors } from './kube-status.errors.js';
import { PATCH_TYPES } from './patch.engine.js';
import { storageKey, type ResourceRegistry, type ResourceType } from './resource.registry.js';
import type { ResourceHandlers, DeleteOptions, ListOptions } from './resource.handlers.js';
import type { WatchStreamer } from './watch.streamer.js';
import type { VclusterMetrics } from './metrics.simulator.js';
import {
  asArray,
  asMap,
  asString,
  isPlainObject,
  type JsonMap,
  type KubeObject,
  type LogHandler,
  type ServiceProxyHandler,
} from './fake-kube-api.types.js';

export type ParsedPath =
  | { kind: 'json'; body: JsonMap }
  | { kind: 'health' }
  | { kind: 'notFound' }
  | {
      kind: 'resource';
      rt: ResourceType;
      namespace?: string;
      name?: string;
      sub?: string;
      subPath: string;
      watchPrefix: boolean;
    };

export const VERSION_INFO: JsonMap = {
  major: '1',
  minor: '31',
  gitVersion: 'v1.31.0-fake',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2024-08-13T00:00:00Z',
  goVersion: 'go1.22.5',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export function parsePath(registry: ResourceRegistry, path: string, serverAddress: string): ParsedPath {
  const segments = path
    .split('/')
    .filter((s) => s.length > 0)
    .map(decodeURIComponent);
  const [first, second, third] = segments;
  if (first === 'healthz' || first === 'readyz' || first === 'livez') return { kind: 'health' };
  if (first === 'version' && segments.length === 1) return { kind: 'json', body: VERSION_INFO };
  if (first === 'api' && segments.length === 1)
    return { kind: 'json', body: registry.apiVersions(serverAddress) };
  if (first === 'api' && second === 'v1' && segments.length === 2)
    return { kind: 'json', body: registry.apiResourceList('', 'v1') };
  if (first === 'apis' && segments.length === 1) return { kind: 'json', body: registry.apiGroupList() };
  if (first === 'apis' && segments.length === 2) {
    const group = registry.apiGroup(second!);
    return group ? { kind: 'json', body: group } : { kind: 'notFound' };
  }
  if (first === 'apis' && segments.length === 3) {
    return registry.hasGroupVersion(second!, third!)
      ? { kind: 'json', body: registry.apiResourceList(second!, third!) }
      : { kind: 'notFound' };
  }

  let group: string;
  let version: string;
  let rest: string[];
  if (first === 'api' && second === 'v1') [group, version, rest] = ['', 'v1', segments.slice(2)];
  else if (first === 'apis' && second && third) [group, version, rest] = [second, third, segments.slice(3)];
  else return { kind: 'notFound' };

  const watchPrefix = rest[0] === 'watch';
  if (watchPrefix) rest = rest.slice(1);
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const nested = registry.byPlural(group, version, rest[2]!);
    if (nested?.namespaced) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
  }
  const rt = rest[0] ? registry.byPlural(group, version, rest[0]) : undefined;
  if (!rt) return { kind: 'notFound' };
  if (rt.namespaced && namespace === undefined && rest.length > 1) return { kind: 'notFound' };
  return {
    kind: 'resource',
    rt,
    namespace,
    name: rest[1],
    sub: rest[2],
    subPath: rest.slice(3).join('/'),
    watchPrefix,
  };
}

export function queryRecord(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    out[key] = values.length === 1 ? values[0]! : values;
  }
  return out;
}

export function flag(params: URLSearchParams, key: string): boolean {
  const v = params.get(key);
  return v === 'true' || v === '1';
}

export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseBody(raw: Buffer, contentType: string): unknown {
  if (raw.length === 0) return undefined;
  const text = raw.toString('utf8');
  try {
    return contentType === PATCH_TYPES.apply || contentType.endsWith('yaml')
      ? parseYaml(text)
      : JSON.parse(text);
  } catch (err) {
    throw errors.badRequest(
      `couldn't get version/kind; json parse error: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

export function sendJson(
  res: ServerResponse,
  code: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, err: unknown): void {
  const error =
    err instanceof KubeApiError
      ? err
      : new KubeApiError(
          500,
          'InternalError',
          `Internal error occurred: ${err instanceof Error ? err.message : String(err)}`,
        );
  if (!(err instanceof KubeApiError)) console.error('fake-kube-api: internal error', err);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, error.code, error.toStatus(), error.headers);
}

function text(
  res: ServerResponse,
  code: number,
  body: string | Buffer,
  contentType = 'text/plain; charset=utf-8',
): void {
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Picks the container an exec or log request means, as the real API server validates it. */
export function resolveContainer(
  pod: KubeObject,
  requested: string | undefined,
): { name: string; ephemeral: boolean; status?: JsonMap } {
  const spec = asMap(pod.spec);
  const status = asMap(pod.status);
  const regular = [...asArray(spec.containers), ...asArray(spec.initContainers)].map(
    (c) => asString(asMap(c).name) ?? '',
  );
  const ephemeral = asArray(spec.ephemeralContainers).map((c) => asString(asMap(c).name) ?? '');
  let name = requested;
  if (!name) {
    if (regular.length !== 1) {
      throw errors.badRequest(
        `a container name must be specified for pod ${pod.metadata.name}, choose one of: [${regular.join(' ')}]`,
      );
    }
    name = regular[0]!;
  }
  if (!regular.includes(name) && !ephemeral.includes(name)) {
    throw errors.badRequest(`container ${name} is not valid for pod ${pod.metadata.name}`);
  }
  const statuses = [
    ...asArray(status.containerStatuses),
    ...asArray(status.initContainerStatuses),
    ...asArray(status.ephemeralContainerStatuses),
  ];
  const found = statuses.map(asMap).find((s) => s.name === name);
  return { name, ephemeral: ephemeral.includes(name), ...(found ? { status: found } : {}) };
}

export interface RouterDeps {
  registry: ResourceRegistry;
  handlers: ResourceHandlers;
  watches: WatchStreamer;
  metrics: VclusterMetrics;
  containerLogs: Map<string, string>;
  logHandler: () => LogHandler | undefined;
  proxyHandler: () => ServiceProxyHandler | undefined;
  serverAddress: () => string;
}

export class RequestRouter {
  constructor(private readonly deps: RouterDeps) {}

  async route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const parsed = parsePath(this.deps.registry, url.pathname, this.deps.serverAddress());
    const method = (req.method ?? 'GET').toUpperCase();
    switch (parsed.kind) {
      case 'health':
        return text(res, 200, 'ok');
      case 'json':
        if (method !== 'GET') throw errors.methodNotAllowed();
        return sendJson(res, 200, parsed.body);
      case 'notFound':
        throw errors.notFoundPath();
      case 'resource':
        return this.resource(req, res, url, method, parsed);
    }
  }

  private async resource(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    method: string,
    p: Extract<ParsedPath, { kind: 'resource' }>,
  ): Promise<void> {
    const { rt, namespace, name, sub } = p;
    const q = url.searchParams;
    const h = this.deps.handlers;
    const contentType = mediaType(req);
    const raw = await readBody(req);
    const body = sub === 'proxy' ? undefined : parseBody(raw, contentType);
    const userAgent = req.headers['user-agent'] ?? '';
    const fieldManager = q.get('fieldManager') ?? undefined;
    const manager = fieldManager ?? (userAgent.split('/')[0] || 'unknown');
    const dryRun = q.getAll('dryRun').includes('All');
    const write = { manager, dryRun };
    const allow = (verb: string): void => {
      if (!rt.verbs.includes(verb)) throw errors.methodNotAllowed();
    };

    if (!name) {
      if (method === 'GET') {
        allow('list');
        if (p.watchPrefix || flag(q, 'watch')) {
          const timeout = q.get('timeoutSeconds');
          this.deps.watches.serve(req, res, {
            rt,
            namespace,
            labelSelector: q.get('labelSelector') ?? undefined,
            fieldSelector: q.get('fieldSelector') ?? undefined,
            resourceVersion: q.get('resourceVersion') ?? undefined,
            timeoutSeconds: timeout ? Number(timeout) : undefined,
            allowWatchBookmarks: flag(q, 'allowWatchBookmarks'),
            sendInitialEvents: flag(q, 'sendInitialEvents'),
          });
          return;
        }
        return sendJson(res, 200, h.list(rt, namespace, this.listOptions(q)));
      }
      if (method === 'POST') {
        allow('create');
        return sendJson(res, 201, h.create(rt, namespace, body, write));
      }
      if (method === 'DELETE') {
        allow('deletecollection');
        return sendJson(
          res,
          200,
          h.deleteCollection(rt, namespace, this.listOptions(q), {
            ...write,
            ...this.deleteOptions(q, body),
          }),
        );
      }
      throw errors.methodNotAllowed();
    }

    if (p.watchPrefix) {
      throw errors.badRequest(
        'watching a single object by name needs a list watch with fieldSelector=metadata.name=<name>',
      );
    }

    switch (sub) {
      case undefined:
        switch (method) {
          case 'GET':
            allow('get');
            return sendJson(res, 200, h.get(rt, namespace, name));
          case 'PUT':
            allow('update');
            return sendJson(res, 200, h.replace(rt, namespace, name, body, write));
          case 'PATCH': {
            allow('patch');
            const existed = !!this.deps.handlers.store.get(
              storageKey(rt),
              rt.namespaced ? namespace : undefined,
              name,
            );
            const result = h.patch(rt, namespace, name, contentType, body, {
              ...write,
              manager: contentType === PATCH_TYPES.apply ? (fieldManager ?? '') : manager,
              force: flag(q, 'force'),
            });
            return sendJson(res, existed ? 200 : 201, result);
          }
          case 'DELETE': {
            allow('delete');
            const result = h.delete(rt, namespace, name, { ...write, ...this.deleteOptions(q, body) });
            return sendJson(res, result.code, result.body);
          }
          default:
            throw errors.methodNotAllowed();
        }
      case 'status':
        if (!rt.hasStatus) throw errors.notFoundPath();
        return this.statusSubresource(res, method, rt, namespace, name, contentType, body, {
          ...write,
          force: flag(q, 'force'),
          fieldManager,
        });
      case 'scale':
        if (!rt.hasScale) throw errors.notFoundPath();
        if (method === 'GET') return sendJson(res, 200, h.getScale(rt, namespace, name));
        if (method === 'PUT') return sendJson(res, 200, h.replaceScale(rt, namespace, name, body, write));
        if (method === 'PATCH')
          return sendJson(res, 200, h.patchScale(rt, namespace, name, contentType, body, write));
        throw errors.methodNotAllowed();
      case 'ephemeralcontainers':
        if (rt.kind !== 'Pod') throw errors.notFoundPath();
        if (method === 'GET') return sendJson(res, 200, h.get(rt, namespace, name));
        if (method === 'PUT')
          return sendJson(res, 200, h.updateEphemeralContainers(rt, namespace, name, undefined, body, write));
        if (method === 'PATCH')
          return sendJson(
            res,
            200,
            h.updateEphemeralContainers(rt, namespace, name, contentType, body, write),
          );
        throw errors.methodNotAllowed();
      case 'log':
        if (rt.kind !== 'Pod' || method !== 'GET') throw errors.notFoundPath();
        return this.logs(res, rt, namespace ?? 'default', name, q);
      case 'exec':
      case 'attach':
      case 'portforward':
        if (rt.kind !== 'Pod') throw errors.notFoundPath();
        throw errors.badRequest('Upgrade request required');
      case 'proxy':
        if (rt.kind !== 'Service') throw errors.notFoundPath();
        return this.serviceProxy(res, method, namespace ?? 'default', name, p.subPath, q, raw);
      default:
        throw errors.notFoundPath();
    }
  }

  private statusSubresource(
    res: ServerResponse,
    method: string,
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    contentType: string,
    body: unknown,
    opts: { manager: string; dryRun: boolean; force: boolean; fieldManager?: string },
  ): void {
    const h = this.deps.handlers;
    switch (method) {
      case 'GET':
        return sendJson(res, 200, h.get(rt, namespace, name));
      case 'PUT':
        return sendJson(res, 200, h.replace(rt, namespace, name, body, opts, 'status'));
      case 'PATCH': {
        const manager = contentType === PATCH_TYPES.apply ? (opts.fieldManager ?? '') : opts.manager;
        return sendJson(
          res,
          200,
          h.patch(rt, namespace, name, contentType, body, { ...opts, manager }, 'status'),
        );
      }
      default:
        throw errors.methodNotAllowed();
    }
  }

  private listOptions(q: URLSearchParams): ListOptions {
    const limit = q.get('limit');
    return {
      labelSelector: q.get('labelSelector') ?? undefined,
      fieldSelector: q.get('fieldSelector') ?? undefined,
      limit: limit ? Number(limit) : undefined,
      continueToken: q.get('continue') ?? undefined,
    };
  }

  private deleteOptions(q: URLSearchParams, body: unknown): Omit<DeleteOptions, 'manager'> {
    const b = isPlainObject(body) ? body : {};
    const pre = asMap(b.preconditions);
    const dryRunBody = asArray(b.dryRun).includes('All');
    return {
      propagationPolicy:
        q.get('propagationPolicy') ??
        asString(b.propagationPolicy) ??
        (q.get('orphanDependents') === 'true' || b.orphanDependents === true ? 'Orphan' : undefined),
      preconditions: { uid: asString(pre.uid), resourceVersion: asString(pre.resourceVersion) },
      ...(dryRunBody || q.getAll('dryRun').includes('All') ? { dryRun: true } : {}),
    };
  }

  private async logs(
    res: ServerResponse,
    rt: ResourceType,
    namespace: string,
    name: string,
    q: URLSearchParams,
  ): Promise<void> {
    const pod = this.deps.handlers.getLive(rt, namespace, name);
    const container = resolveContainer(pod, q.get('container') ?? undefined);
    const query: Record<string, string> = {};
    for (const [k, v] of q) query[k] = v;
    const fromHandler = await this.deps.logHandler()?.({
      namespace,
      pod: name,
      container: container.name,
      query,
    });
    let body = fromHandler ?? this.deps.containerLogs.get(`${namespace}/${name}/${container.name}`) ?? '';
    const tail = q.get('tailLines');
    if (tail)
      body =
        body
          .split('\n')
          .filter((l, i, all) => i < all.length - 1 || l.length > 0)
          .slice(-Number(tail))
          .join('\n') + (body ? '\n' : '');
    text(res, 200, body);
  }

  private async serviceProxy(
    res: ServerResponse,
    method: string,
    namespace: string,
    rawName: string,
    path: string,
    q: URLSearchParams,
    raw: Buffer,
  ): Promise<void> {
    const parts = rawName.split(':');
    const [scheme, service, port] =
      parts.length === 3
        ? parts
        : parts.length === 2
          ? [undefined, parts[0], parts[1]]
          : [undefined, parts[0], undefined];
    const serviceName = service ?? rawName;
    this.deps.handlers.getLive(this.deps.registry.preferred('', 'services'), namespace, serviceName);
    const query: Record<string, string> = {};
    for (const [k, v] of q) query[k] = v;
    const answer = await this.deps.proxyHandler()?.({
      namespace,
      service: serviceName,
      scheme,
      port,
      path,
      method,
      query,
      ...(raw.length > 0 ? { body: raw } : {}),
    });
    if (answer)
      return text(res, answer.status ?? 200, answer.body, answer.contentType ?? 'text/plain; charset=utf-8');
    if (path === 'metrics' && method === 'GET' && this.deps.metrics.has(namespace, serviceName)) {
      return text(
        res,
        200,
        this.deps.metrics.render(namespace, serviceName),
        'text/plain; version=0.0.4; charset=utf-8',
      );
    }
    throw new KubeApiError(503, 'ServiceUnavailable', `no endpoints available for service "${rawName}"`);
  }
}
