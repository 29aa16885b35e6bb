import { isDeepStrictEqual } from 'node:util';
import type {
  ConnectivityCheck,
  ConnectivityMatrixCheck,
  ConnectivityTarget,
  DnsCheck,
  HttpCheck,
  IngressRouteCheck,
  ObjectCheck,
  PodSelectorRef,
  PolicyVerdictCheck,
  PodsReadyCheck,
  ServiceEndpointsCheck,
} from './check-spec.types.js';
import type { CheckContext, CheckOutcome } from './check-executor.types.js';
import type { ClusterProbe, KubeObject, PodRef, ProbeOutcome } from './cluster-probe.port.js';
import { listSome } from './linux.checks.js';
import { NetworkPolicyEngine } from '../network-policy/network-policy.engine.js';
import type { NetworkPolicy, Protocol } from '../network-policy/network-policy.types.js';

const DEFAULT_PROBE_TIMEOUT_MS = 3000;
/** Probes of a matrix in flight at once: each one is a container exec in the student's cluster. */
const MATRIX_CONCURRENCY = 8;
const BODY_EVIDENCE_CHARS = 500;

type Json = Record<string, unknown>;

function record(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

/** `spec.ports[0].targetPort` -> the value, or `undefined` when any step is missing. */
export function readPath(object: unknown, path: string): unknown {
  const steps = path.match(/[^.[\]]+/g) ?? [];
  let current: unknown = object;
  for (const step of steps) {
    if (Array.isArray(current) && /^\d+$/.test(step)) current = current[Number(step)];
    else current = record(current)?.[step];
    if (current === undefined) return undefined;
  }
  return current;
}

export function isPodReady(pod: KubeObject): boolean {
  const status = record(pod.status);
  const conditions = Array.isArray(status?.conditions) ? status.conditions : [];
  return (
    status?.phase === 'Running' &&
    conditions.some(
      (condition) => record(condition)?.type === 'Ready' && record(condition)?.status === 'True',
    )
  );
}

function podIp(pod: KubeObject): string | undefined {
  const ip = record(pod.status)?.podIP;
  return typeof ip === 'string' && ip !== '' ? ip : undefined;
}

function describeSelector(ref: PodSelectorRef): string {
  if (ref.name) return `${ref.namespace}/${ref.name}`;
  const labels = Object.entries(ref.labels ?? {}).map(([key, value]) => `${key}=${value}`);
  return `a pod in ${ref.namespace} labelled ${labels.join(',')}`;
}

type Resolved = { ok: true; pod: KubeObject; ref: PodRef } | { ok: false; problem: string };

/** A ready pod for a selector: the named one, or the first ready one by name. */
async function resolvePod(
  cluster: ClusterProbe,
  ref: PodSelectorRef,
  signal: AbortSignal,
): Promise<Resolved> {
  let candidates: KubeObject[];
  if (ref.name) {
    const pod = await cluster.get(
      { apiVersion: 'v1', kind: 'Pod', namespace: ref.namespace, name: ref.name },
      { signal },
    );
    candidates = pod ? [pod] : [];
  } else {
    candidates = await cluster.list(
      { apiVersion: 'v1', kind: 'Pod', namespace: ref.namespace, labels: ref.labels ?? {} },
      { signal },
    );
  }
  if (candidates.length === 0)
    return {
      ok: false,
      problem: ref.name
        ? `there is no pod ${describeSelector(ref)}`
        : `there is no ${describeSelector(ref).slice(2)}`,
    };
  const ready = candidates.filter(isPodReady).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const pod = ready[0];
  if (!pod) return { ok: false, problem: `${describeSelector(ref)} is not ready` };
  return { ok: true, pod, ref: { namespace: ref.namespace, pod: pod.metadata.name } };
}

function probeError(outcome: ProbeOutcome): string {
  return outcome.error ?? 'no answer';
}

export async function runObjectCheck(spec: ObjectCheck, ctx: CheckContext): Promise<CheckOutcome> {
  const object = await ctx.cluster().get(spec.object, { signal: ctx.signal });
  const name = `${spec.object.kind} ${spec.object.namespace ? `${spec.object.namespace}/` : ''}${spec.object.name}`;
  if (!object)
    return {
      passed: false,
      reason: `${name} does not exist`,
      evidence: { object: spec.object, found: false },
    };
  const problems: string[] = [];
  const fields: Json[] = [];
  for (const field of spec.fields ?? []) {
    const value = readPath(object, field.path);
    fields.push({ path: field.path, value: value ?? null });
    if (field.exists !== undefined && (value !== undefined) !== field.exists) {
      problems.push(field.exists ? `${field.path} is not set` : `${field.path} should not be set`);
    } else if (field.equals !== undefined && !isDeepStrictEqual(value, field.equals)) {
      problems.push(`${field.path} is ${JSON.stringify(value ?? null)}, not ${JSON.stringify(field.equals)}`);
    } else if (
      field.matches !== undefined &&
      (value === undefined ||
        !new RegExp(field.matches).test(typeof value === 'string' ? value : JSON.stringify(value)))
    ) {
      problems.push(`${field.path} is ${JSON.stringify(value ?? null)}`);
    }
  }
  return {
    passed: problems.length === 0,
    reason: listSome(problems) || undefined,
    evidence: { object: spec.object, found: true, fields },
  };
}

export async function runPodsReadyCheck(spec: PodsReadyCheck, ctx: CheckContext): Promise<CheckOutcome> {
  const pods = await ctx
    .cluster()
    .list(
      { apiVersion: 'v1', kind: 'Pod', namespace: spec.namespace, labels: spec.labels },
      { signal: ctx.signal },
    );
  const ready = pods.filter(isPodReady).map((pod) => pod.metadata.name);
  const notReady = pods.filter((pod) => !isPodReady(pod)).map((pod) => pod.metadata.name);
  return {
    passed: ready.length >= spec.minReady,
    reason: ready.length >= spec.minReady ? undefined : `${ready.length} of ${spec.minReady} pods are ready`,
    evidence: { namespace: spec.namespace, labels: spec.labels, ready, notReady },
  };
}

export async function runServiceEndpointsCheck(
  spec: ServiceEndpointsCheck,
  ctx: CheckContext,
): Promise<CheckOutcome> {
  const cluster = ctx.cluster();
  const service = await cluster.get(
    { apiVersion: 'v1', kind: 'Service', namespace: spec.namespace, name: spec.service },
    { signal: ctx.signal },
  );
  if (!service)
    return {
      passed: false,
      reason: `service ${spec.service} does not exist`,
      evidence: { ready: [], notReady: [] },
    };
  const slices = await cluster.list(
    {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      namespace: spec.namespace,
      labels: { 'kubernetes.io/service-name': spec.service },
    },
    { signal: ctx.signal },
  );
  const ready: string[] = [];
  const notReady: string[] = [];
  for (const slice of slices) {
    for (const endpoint of Array.isArray(slice.endpoints) ? slice.endpoints : []) {
      const addresses = (record(endpoint)?.addresses as unknown[] | undefined) ?? [];
      // An absent `ready` condition means ready (EndpointSlice API).
      const isReady = record(record(endpoint)?.conditions)?.ready !== false;
      for (const address of addresses) (isReady ? ready : notReady).push(String(address));
    }
  }
  const passed = ready.length >= spec.minReady;
  return {
    passed,
    reason: passed
      ? undefined
      : `${spec.service} has ${ready.length} ready endpoints, expected ${spec.minReady}${ready.length === 0 ? ' (does its selector match the pods?)' : ''}`,
    evidence: { service: spec.service, ready, notReady },
  };
}

export async function runDnsCheck(spec: DnsCheck, ctx: CheckContext): Promise<CheckOutcome> {
  const cluster = ctx.cluster();
  const source = await resolvePod(cluster, spec.from, ctx.signal);
  if (!source.ok) return { passed: false, reason: source.problem, evidence: { name: spec.name } };
  const outcome = await cluster.probeFromPod(
    source.ref,
    {
      kind: 'dns',
      name: spec.name,
      recordType: spec.recordType ?? 'A',
      timeoutMs: spec.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS,
    },
    { signal: ctx.signal },
  );
  const addresses = outcome.kind === 'dns' ? outcome.addresses : [];
  const evidence: Json = { from: source.ref, name: spec.name, addresses, error: outcome.error ?? null };
  if (!outcome.ok || addresses.length === 0) {
    return {
      passed: false,
      reason: `${spec.name} does not resolve from ${source.ref.pod} (${probeError(outcome)})`,
      evidence,
    };
  }
  if (spec.expectPodAddresses) {
    const { namespace, labels } = spec.expectPodAddresses;
    const pods = await cluster.list(
      { apiVersion: 'v1', kind: 'Pod', namespace, labels },
      { signal: ctx.signal },
    );
    const expected = pods
      .filter(isPodReady)
      .map(podIp)
      .filter((ip): ip is string => ip !== undefined)
      .sort();
    evidence.podIps = expected;
    const got = [...new Set(addresses)].sort();
    if (!isDeepStrictEqual(got, expected)) {
      const selector = Object.entries(labels)
        .map(([key, value]) => `${key}=${value}`)
        .join(',');
      return {
        passed: false,
        reason: `${spec.name} resolves to ${got.join(', ')}, not the ${expected.length} ready ${selector} pod IPs (${expected.join(', ') || 'none'})`,
        evidence,
      };
    }
  }
  if (spec.expectServiceIp) {
    const { namespace, name } = spec.expectServiceIp;
    const service = await cluster.get(
      { apiVersion: 'v1', kind: 'Service', namespace, name },
      { signal: ctx.signal },
    );
    const clusterIp = service ? readPath(service, 'spec.clusterIP') : undefined;
    evidence.serviceIp = clusterIp ?? null;
    if (typeof clusterIp !== 'string' || !addresses.includes(clusterIp)) {
      return {
        passed: false,
        reason: `${spec.name} resolves to ${addresses.join(', ')}, not the ClusterIP of ${name}`,
        evidence,
      };
    }
  }
  return { passed: true, evidence };
}

export async function runHttpCheck(spec: HttpCheck, ctx: CheckContext): Promise<CheckOutcome> {
  const cluster = ctx.cluster();
  const source = await resolvePod(cluster, spec.from, ctx.signal);
  if (!source.ok) return { passed: false, reason: source.problem, evidence: { url: spec.url } };
  let url = spec.url;
  if (spec.to) {
    const target = await resolvePod(cluster, spec.to, ctx.signal);
    if (!target.ok) return { passed: false, reason: target.problem, evidence: { url: spec.url } };
    const ip = podIp(target.pod);
    if (!ip) return { passed: false, reason: `${target.ref.pod} has no IP`, evidence: { url: spec.url } };
    url = url.replaceAll('{podIP}', ip);
  }
  const times = Math.max(1, spec.repeat ?? 1);
  // Through an ingress the Host header is what matters: `shop.lab4.test/hostname`.
  const host = Object.entries(spec.headers ?? {}).find(([name]) => name.toLowerCase() === 'host')?.[1];
  const request = host ? `${host}${new URL(url).pathname}` : url;
  const bodies: string[] = [];
  const statuses: (number | null)[] = [];
  const problems: string[] = [];
  let evidence: Json = { from: source.ref, url };
  for (let attempt = 0; attempt < times && problems.length === 0; attempt++) {
    const outcome = await cluster.probeFromPod(
      source.ref,
      {
        kind: 'http',
        url,
        method: 'GET',
        headers: spec.headers,
        timeoutMs: spec.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS,
      },
      { signal: ctx.signal },
    );
    const status = outcome.kind === 'http' ? outcome.status : undefined;
    const body = outcome.kind === 'http' ? (outcome.body ?? '') : '';
    statuses.push(status ?? null);
    bodies.push(body);
    evidence = {
      from: source.ref,
      url,
      status: status ?? null,
      body: body.slice(0, BODY_EVIDENCE_CHARS),
      error: outcome.error ?? null,
      ...(times > 1 ? { requests: attempt + 1 } : {}),
    };
    if (!outcome.ok) {
      problems.push(`GET ${request} got no response (${probeError(outcome)})`);
      break;
    }
    // A wrong status says it all; the body of an error page is noise.
    if (spec.expectStatus !== undefined && status !== spec.expectStatus) {
      problems.push(`GET ${request} returned ${status ?? 'no status'}, not ${spec.expectStatus}`);
      break;
    }
    if (spec.expectStatusBelow !== undefined && (status === undefined || status >= spec.expectStatusBelow)) {
      problems.push(`GET ${request} returned ${status ?? 'no status'}`);
      break;
    }
    if (spec.expectBody?.contains !== undefined && !body.includes(spec.expectBody.contains))
      problems.push(`the body does not contain "${spec.expectBody.contains}"`);
    if (spec.expectBody?.matches !== undefined && !new RegExp(spec.expectBody.matches).test(body))
      problems.push(`the answer is ${JSON.stringify(body.slice(0, 40))}`);
  }
  if (problems.length === 0 && spec.distinct) {
    const seen = new Set<string>();
    for (const body of bodies) {
      for (const match of body.matchAll(new RegExp(spec.distinct.pattern, 'g')))
        seen.add(match[1] ?? match[0]);
    }
    evidence.distinct = [...seen].sort();
    if (seen.size < spec.distinct.atLeast)
      problems.push(
        `${times > 1 ? `the ${times} answers name` : 'the answer names'} ${seen.size} ${spec.distinct.what}, expected at least ${spec.distinct.atLeast}`,
      );
  }
  return { passed: problems.length === 0, reason: listSome(problems) || undefined, evidence };
}

async function resolveTarget(
  cluster: ClusterProbe,
  target: ConnectivityTarget,
  signal: AbortSignal,
): Promise<{ host?: string; label: string; problem?: string }> {
  if ('host' in target) return { host: target.host, label: target.host };
  if ('service' in target) {
    const { namespace, name } = target.service;
    const service = await cluster.get({ apiVersion: 'v1', kind: 'Service', namespace, name }, { signal });
    const clusterIp = service ? readPath(service, 'spec.clusterIP') : undefined;
    if (typeof clusterIp !== 'string' || clusterIp === 'None')
      return { label: name, problem: `service ${namespace}/${name} has no ClusterIP` };
    return { host: clusterIp, label: `service ${name}` };
  }
  const resolved = await resolvePod(cluster, target.pod, signal);
  if (!resolved.ok) return { label: describeSelector(target.pod), problem: resolved.problem };
  const ip = podIp(resolved.pod);
  if (!ip) return { label: resolved.ref.pod, problem: `${resolved.ref.pod} has no IP` };
  return { host: ip, label: resolved.ref.pod };
}

async function probeConnect(
  cluster: ClusterProbe,
  source: PodRef,
  host: string,
  port: number,
  protocol: 'TCP' | 'UDP',
  timeoutMs: number,
  signal: AbortSignal,
): Promise<ProbeOutcome> {
  const probe =
    protocol === 'TCP'
      ? { kind: 'tcp' as const, host, port, timeoutMs }
      : { kind: 'udp' as const, host, port, payload: 'kc-grader', timeoutMs };
  return cluster.probeFromPod(source, probe, { signal });
}

export async function runConnectivityCheck(
  spec: ConnectivityCheck,
  ctx: CheckContext,
): Promise<CheckOutcome> {
  const cluster = ctx.cluster();
  const source = await resolvePod(cluster, spec.from, ctx.signal);
  if (!source.ok) return { passed: false, reason: source.problem, evidence: {} };
  const target = await resolveTarget(cluster, spec.to, ctx.signal);
  if (target.host === undefined)
    return { passed: false, reason: target.problem, evidence: { from: source.ref } };
  const outcome = await probeConnect(
    cluster,
    source.ref,
    target.host,
    spec.port,
    spec.protocol,
    spec.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS,
    ctx.signal,
  );
  const allowed = outcome.ok;
  const passed = allowed === (spec.expect === 'allowed');
  const flow = `${source.ref.pod} -> ${target.label}:${spec.port}/${spec.protocol}`;
  return {
    passed,
    reason: passed
      ? undefined
      : `${flow} is ${allowed ? 'allowed' : `blocked (${probeError(outcome)})`}, expected ${spec.expect}`,
    evidence: {
      from: source.ref,
      to: target.label,
      host: target.host,
      port: spec.port,
      protocol: spec.protocol,
      expected: spec.expect,
      actual: allowed ? 'allowed' : 'blocked',
    },
  };
}

async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Probes every (from, to, port) pair of the pods, from != to, and compares with the expected flows.
 * Evidence is `{pods, ports, expected, actual}` with `[from][to][port]` booleans, for the dashboard.
 */
export async function runConnectivityMatrixCheck(
  spec: ConnectivityMatrixCheck,
  ctx: CheckContext,
): Promise<CheckOutcome> {
  const cluster = ctx.cluster();
  const pods = spec.pods.map((pod) => pod.label);
  const ports = spec.ports.map((port) => ({ port: port.port, protocol: port.protocol }));
  const resolved = await Promise.all(spec.pods.map((pod) => resolvePod(cluster, pod, ctx.signal)));
  const missing = resolved.flatMap((entry) => (entry.ok ? [] : [entry.problem]));
  if (missing.length > 0) return { passed: false, reason: listSome(missing), evidence: { pods, ports } };
  const sources = resolved.map((entry) => entry as Extract<Resolved, { ok: true }>);
  const ips = sources.map((entry) => podIp(entry.pod));

  const expected = pods.map((from) =>
    pods.map((to) =>
      ports.map(
        (port) =>
          from === to ||
          spec.allowed.some(
            (flow) =>
              flow.from === from &&
              flow.to === to &&
              flow.port === port.port &&
              (flow.protocol ?? 'TCP') === port.protocol,
          ),
      ),
    ),
  );
  const cells = pods.flatMap((_, from) =>
    pods.flatMap((__, to) => ports.map((___, port) => ({ from, to, port }))),
  );
  const probed = await mapLimited(cells, MATRIX_CONCURRENCY, async ({ from, to, port }) => {
    // A pod always reaches itself; probing it proves nothing about policies.
    if (from === to) return true;
    const host = ips[to];
    if (!host) return false;
    const { port: number, protocol } = ports[port]!;
    const outcome = await probeConnect(
      cluster,
      sources[from]!.ref,
      host,
      number,
      protocol,
      spec.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS,
      ctx.signal,
    );
    return outcome.ok;
  });
  const actual = pods.map(() => pods.map(() => ports.map(() => false)));
  cells.forEach(({ from, to, port }, index) => {
    actual[from]![to]![port] = probed[index]!;
  });
  const flows = cells.filter(({ from, to }) => from !== to);
  const wrong = flows
    .filter(({ from, to, port }) => actual[from]![to]![port] !== expected[from]![to]![port])
    .map(
      ({ from, to, port }) =>
        `${pods[from]} -> ${pods[to]}:${ports[port]!.port} ${actual[from]![to]![port] ? 'allowed' : 'blocked'}`,
    );
  return {
    passed: wrong.length === 0,
    reason:
      wrong.length === 0
        ? undefined
        : `${wrong.length} of ${flows.length} flows differ: ${listSome(wrong, 2)}`,
    evidence: { pods, ports, expected, actual },
  };
}

function pathMatches(pathType: unknown, rulePath: unknown, requested: string): boolean {
  const path = typeof rulePath === 'string' ? rulePath : '/';
  if (pathType === 'Exact') return requested === path;
  // Prefix (and ImplementationSpecific, as ingress-nginx treats it): element-wise prefix match.
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === '' || requested === trimmed || requested.startsWith(`${trimmed}/`);
}

export async function runIngressRouteCheck(
  spec: IngressRouteCheck,
  ctx: CheckContext,
): Promise<CheckOutcome> {
  const cluster = ctx.cluster();
  const ingresses = await cluster.list(
    { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', namespace: spec.namespace },
    { signal: ctx.signal },
  );
  let routed: { ingress: string; service: unknown; port: unknown } | undefined;
  for (const ingress of ingresses) {
    const rules = readPath(ingress, 'spec.rules');
    for (const rule of Array.isArray(rules) ? rules : []) {
      const host = record(rule)?.host;
      if (host !== undefined && host !== spec.host) continue;
      const paths = readPath(rule, 'http.paths');
      for (const path of Array.isArray(paths) ? paths : []) {
        if (!pathMatches(record(path)?.pathType, record(path)?.path, spec.path)) continue;
        const service = readPath(path, 'backend.service.name');
        const port =
          readPath(path, 'backend.service.port.number') ?? readPath(path, 'backend.service.port.name');
        routed ??= { ingress: ingress.metadata.name, service, port };
      }
    }
  }
  const evidence: Json = { host: spec.host, path: spec.path, route: routed ?? null };
  if (!routed)
    return {
      passed: false,
      reason: `no Ingress in ${spec.namespace} routes ${spec.host}${spec.path}`,
      evidence,
    };
  if (routed.service !== spec.service.name || routed.port !== spec.service.port) {
    return {
      passed: false,
      reason: `${spec.host}${spec.path} goes to ${String(routed.service)}:${String(routed.port)}, not ${spec.service.name}:${spec.service.port}`,
      evidence,
    };
  }
  if (spec.probe) {
    const source = await resolvePod(cluster, spec.probe.from, ctx.signal);
    if (!source.ok) return { passed: false, reason: source.problem, evidence };
    const outcome = await cluster.probeFromPod(
      source.ref,
      {
        kind: 'http',
        url: spec.probe.url,
        method: 'GET',
        headers: { Host: spec.host },
        timeoutMs: spec.probe.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS,
      },
      { signal: ctx.signal },
    );
    const status = outcome.kind === 'http' ? outcome.status : undefined;
    evidence.probe = { status: status ?? null, error: outcome.error ?? null };
    if (status !== spec.probe.expectStatus) {
      return {
        passed: false,
        reason: `${spec.host}${spec.path} through the ingress returned ${status ?? probeError(outcome)}, not ${spec.probe.expectStatus}`,
        evidence,
      };
    }
  }
  return { passed: true, evidence };
}

function selectorText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

/** The name the engine knows the grader's stand-in pod by. */
const STAND_IN_POD = 'kc-grader-stand-in';

/**
 * Evaluates flows from a stand-in pod (labels in a namespace) with the NetworkPolicy engine over the
 * cluster's namespaces, pods and policies as read now. A flow to a service is allowed when every
 * ready endpoint admits it, blocked when none does.
 */
export async function runPolicyVerdictCheck(
  spec: PolicyVerdictCheck,
  ctx: CheckContext,
): Promise<CheckOutcome> {
  const cluster = ctx.cluster();
  const options = { signal: ctx.signal };
  const [namespaces, pods, policies] = await Promise.all([
    cluster.list({ apiVersion: 'v1', kind: 'Namespace' }, options),
    cluster.list({ apiVersion: 'v1', kind: 'Pod' }, options),
    cluster.list({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' }, options),
  ]);
  const known = namespaces.map((namespace) => ({
    name: namespace.metadata.name,
    labels: namespace.metadata.labels ?? {},
  }));
  if (!known.some((namespace) => namespace.name === spec.from.namespace))
    known.push({ name: spec.from.namespace, labels: {} });
  const containerPorts = (pod: KubeObject): Json[] => {
    const containers = readPath(pod, 'spec.containers');
    return (Array.isArray(containers) ? containers : []).flatMap((container) => {
      const ports = record(container)?.ports;
      return Array.isArray(ports) ? ports.map((port) => record(port) ?? {}) : [];
    });
  };
  const engine = new NetworkPolicyEngine({
    namespaces: known,
    pods: [
      ...pods.map((pod) => ({
        namespace: pod.metadata.namespace ?? 'default',
        name: pod.metadata.name,
        labels: pod.metadata.labels ?? {},
        ports: containerPorts(pod).map((port) => ({
          ...(typeof port.name === 'string' ? { name: port.name } : {}),
          containerPort: Number(port.containerPort),
          protocol: (port.protocol as Protocol | undefined) ?? 'TCP',
        })),
      })),
      { namespace: spec.from.namespace, name: STAND_IN_POD, labels: spec.from.labels, ports: [] },
    ],
    policies: policies.map((policy) => policy as unknown as NetworkPolicy),
  });
  const labels = selectorText(spec.from.labels);
  const source = `${labels ? `a pod labelled ${labels}` : 'a new pod'} in ${spec.from.namespace}`;
  const wrong: string[] = [];
  const flows: Json[] = [];
  for (const flow of spec.flows) {
    const protocol = flow.protocol ?? 'TCP';
    let label: string;
    let targets: { pod: KubeObject; port: number | string }[];
    if ('service' in flow.to) {
      const { namespace, name } = flow.to.service;
      label = `${name}:${flow.port}`;
      const service = await cluster.get({ apiVersion: 'v1', kind: 'Service', namespace, name }, options);
      const ports = readPath(service, 'spec.ports');
      const servicePort = (Array.isArray(ports) ? ports : [])
        .map((port) => record(port) ?? {})
        .find((port) => port.port === flow.port && (port.protocol ?? 'TCP') === protocol);
      const selector = record(readPath(service, 'spec.selector')) as Record<string, string> | undefined;
      if (!service || !servicePort || !selector || Object.keys(selector).length === 0) {
        wrong.push(`service ${namespace}/${name} has no port ${flow.port} with a selector`);
        continue;
      }
      const endpoints = await cluster.list(
        { apiVersion: 'v1', kind: 'Pod', namespace, labels: selector },
        options,
      );
      // targetPort: a number, a container port's name (resolved on each pod by the engine), or absent.
      const target = servicePort.targetPort;
      const port = typeof target === 'number' || typeof target === 'string' ? target : flow.port;
      targets = endpoints.filter(isPodReady).map((pod) => ({ pod, port }));
    } else {
      const { namespace, labels } = flow.to.pods;
      label = `${selectorText(labels)}:${flow.port}`;
      const found = await cluster.list({ apiVersion: 'v1', kind: 'Pod', namespace, labels }, options);
      targets = found.filter(isPodReady).map((pod) => ({ pod, port: flow.port }));
    }
    if (targets.length === 0) {
      wrong.push(`${label} has no ready pods to reach`);
      continue;
    }
    const verdicts = targets.map(({ pod, port }) =>
      engine.evaluate({
        from: { namespace: spec.from.namespace, pod: STAND_IN_POD },
        to: { namespace: pod.metadata.namespace ?? 'default', pod: pod.metadata.name },
        port,
        protocol,
      }),
    );
    const admitted = verdicts.filter((verdict) => verdict.allowed).length;
    const actual = admitted === verdicts.length ? 'allowed' : admitted === 0 ? 'blocked' : 'partly allowed';
    flows.push({ to: label, expected: flow.expect, actual, explanation: verdicts[0]!.explanation });
    if (actual !== flow.expect) wrong.push(`${label} is ${actual}, expected ${flow.expect}`);
  }
  return {
    passed: wrong.length === 0,
    reason: wrong.length === 0 ? undefined : `from ${source}: ${listSome(wrong, 3)}`,
    evidence: { from: spec.from, flows },
  };
}
