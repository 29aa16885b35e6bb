import { createHash } from 'node:crypto';
import {
  NetworkPolicyEngine,
  type NetpolCluster,
  type NetworkPolicy,
  type Protocol,
} from '@kubecohort/grading';
import type { FakeKubeApiServer } from './fake-kube-api.server.js';
import type { ExecContext, ExecResult, KubeObject } from './fake-kube-api.types.js';

/** Annotation on a pod: the body its HTTP server answers (default `ok from <pod>`). */
export const HTTP_BODY_ANNOTATION = 'fake.kubecohort.dev/http-body';
/** Annotation on the pods `settle()` creates for a Deployment: `<deployment>/<template hash>`. */
export const OWNER_ANNOTATION = 'fake.kubecohort.dev/owner';
/** What ingress-nginx's IngressClass names as its controller. */
export const INGRESS_NGINX_CONTROLLER = 'k8s.io/ingress-nginx';
const CLUSTER_DOMAIN = 'cluster.local';

type Json = Record<string, unknown>;

function record(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.map(record) : [];
}

function isReady(pod: KubeObject): boolean {
  const status = record(pod.status);
  return (
    status.phase === 'Running' &&
    list(status.conditions).some((condition) => condition.type === 'Ready' && condition.status === 'True')
  );
}

function matches(labels: Record<string, string> | undefined, selector: Record<string, string>): boolean {
  return Object.entries(selector).every(([key, value]) => labels?.[key] === value);
}

function hash(value: unknown, length: number): string {
  const digest = createHash('sha256').update(JSON.stringify(value)).digest();
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return Array.from(digest.subarray(0, length), (byte) => alphabet[byte % alphabet.length]).join('');
}

interface Listener {
  /** Absent: an address that is not a pod (the API server behind `kubernetes.default`). */
  pod?: KubeObject;
  ip: string;
  port: number;
}

type Flow = { ok: true; to?: KubeObject; port: number } | { ok: false; why: 'refused' | 'dropped' };

interface HttpAnswer {
  status: number;
  body: string;
}

type HttpResult = { ok: true; answer: HttpAnswer } | { ok: false; result: ExecResult };

/**
 * The network of the fake cluster, for probes run in ephemeral containers (`nc`, `dig`, `curl`, as
 * libs/environments' StudentClusterProbe runs them): answers computed from the fake's own objects —
 * pods (IPs, labels, container ports: a pod listens on the ports it declares), services (ClusterIP,
 * selector, targetPort by number or name; headless services resolve to their pods; a service
 * without a selector reaches the addresses of its Endpoints), DNS names of services, and
 * NetworkPolicies evaluated by libs/grading's engine, whose truth tables are written independently
 * from the Kubernetes API reference. Blocked traffic is dropped (timeouts), a port nobody listens on
 * is refused. A pod in kube-system labelled `k8s-app=kube-dns` is the DNS server: egress policies
 * can block it.
 *
 * HTTP servers behave as agnhost netexec: `/hostname` answers the pod's name, `/dial` makes the pod
 * call another address `tries` times. Pods labelled `app.kubernetes.io/name=ingress-nginx` and
 * `app.kubernetes.io/component=controller` are ingress-nginx on port 80: they route by the Host
 * header and path over the Ingresses of class `k8s.io/ingress-nginx` (404 when nothing matches,
 * 503 without endpoints, 504 when a policy drops the proxied request, 502 when it is refused).
 *
 * `settle()` plays the controllers and kubelet once: Deployments get pods, pods get IPs and become
 * ready, Services get EndpointSlices.
 */
export class SimulatedNetwork {
  /** Round-robin position per service, so repeated requests spread over the endpoints. */
  private readonly turns = new Map<string, number>();
  private nextIp = 10;

  constructor(private readonly server: FakeKubeApiServer) {}

  /** Answers the exec if it is one of the probe tools, else undefined. */
  exec(ctx: ExecContext): ExecResult | undefined {
    const [tool, ...args] = ctx.command;
    const source = this.server.getObject({
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: ctx.namespace,
      name: ctx.pod,
    });
    if (!source) return { stderr: 'pod not found\n', exitCode: 1 };
    if (tool === 'nc' && args[0] === '-z') return this.tcp(source, args[3]!, Number(args[4]));
    if (tool === 'sh' && /nc -u/.test(args[1] ?? ''))
      return this.udp(source, args[3]!, args[5]!, Number(args[6]));
    if (tool === 'dig') return this.dig(source, args.at(-1)!, args.at(-2)!);
    if (tool === 'curl') return this.curl(source, args);
    return undefined;
  }

  // ------------------------------------------------------------------ controllers and kubelet

  /**
   * Brings the cluster to rest, as its controllers would: pods for every Deployment (named
   * `<deployment>-<template hash>-<suffix>`, replaced when the template changes), running and ready
   * pods with IPs, Deployment status, and one EndpointSlice per Service with a selector.
   */
  settle(): void {
    for (const service of this.server.listObjects('v1', 'Service')) {
      if (record(service.spec).clusterIP !== undefined) continue;
      const [a, b] = createHash('sha256')
        .update(`${service.metadata.namespace}/${service.metadata.name}`)
        .digest();
      this.server.seed({
        ...service,
        spec: { ...record(service.spec), clusterIP: `10.96.${a! % 250}.${(b! % 250) + 2}` },
      });
    }
    const deployments = this.server.listObjects('apps/v1', 'Deployment');
    const wanted = new Map<string, KubeObject>();
    for (const deployment of deployments) {
      const spec = record(deployment.spec);
      const template = record(spec.template);
      const replicas = typeof spec.replicas === 'number' ? spec.replicas : 1;
      const templateHash = hash(template, 10);
      const owner = `${deployment.metadata.name}/${templateHash}`;
      for (let index = 0; index < replicas; index++) {
        const name = `${deployment.metadata.name}-${templateHash}-${hash([owner, index], 5)}`;
        const metadata = record(template.metadata);
        wanted.set(`${deployment.metadata.namespace}/${name}`, {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name,
            namespace: deployment.metadata.namespace,
            labels: { ...(record(metadata.labels) as Record<string, string>) },
            annotations: {
              ...(record(metadata.annotations) as Record<string, string>),
              [OWNER_ANNOTATION]: owner,
            },
          },
          spec: structuredClone(record(template.spec)),
        });
      }
    }
    for (const pod of this.server.listObjects('v1', 'Pod')) {
      const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
      if (pod.metadata.annotations?.[OWNER_ANNOTATION] && !wanted.has(key))
        this.server.removeObject({
          apiVersion: 'v1',
          kind: 'Pod',
          namespace: pod.metadata.namespace,
          name: pod.metadata.name,
        });
    }
    const existing = new Set(
      this.server.listObjects('v1', 'Pod').map((pod) => `${pod.metadata.namespace}/${pod.metadata.name}`),
    );
    for (const [key, pod] of wanted) if (!existing.has(key)) this.server.seed(pod);
    for (const pod of this.server.listObjects('v1', 'Pod')) {
      if (isReady(pod) && record(pod.status).podIP) continue;
      this.server.seed({ ...pod, status: this.runningStatus(pod) });
    }
    for (const deployment of deployments) this.settleDeployment(deployment);
    this.settleEndpointSlices();
  }

  private runningStatus(pod: KubeObject): Json {
    const used = new Set(this.server.listObjects('v1', 'Pod').map((each) => record(each.status).podIP));
    let ip: string;
    do {
      ip = `10.244.${Math.floor(this.nextIp / 250)}.${(this.nextIp % 250) + 2}`;
      this.nextIp++;
    } while (used.has(ip));
    const started = new Date().toISOString();
    return {
      phase: 'Running',
      hostIP: '10.0.0.10',
      podIP: ip,
      podIPs: [{ ip }],
      startTime: started,
      conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map((type) => ({
        type,
        status: 'True',
        lastTransitionTime: started,
      })),
      containerStatuses: list(record(pod.spec).containers).map((container) => ({
        name: container.name,
        image: container.image,
        ready: true,
        started: true,
        restartCount: 0,
        state: { running: { startedAt: started } },
      })),
    };
  }

  private settleDeployment(deployment: KubeObject): void {
    const spec = record(deployment.spec);
    const replicas = typeof spec.replicas === 'number' ? spec.replicas : 1;
    const ready = this.server
      .listObjects('v1', 'Pod', deployment.metadata.namespace)
      .filter(
        (pod) =>
          pod.metadata.annotations?.[OWNER_ANNOTATION]?.startsWith(`${deployment.metadata.name}/`) &&
          isReady(pod),
      ).length;
    const generation = deployment.metadata.generation ?? 1;
    this.server.seed({
      ...deployment,
      status: {
        observedGeneration: generation,
        replicas,
        updatedReplicas: replicas,
        ...(ready > 0 ? { readyReplicas: ready, availableReplicas: ready } : {}),
        conditions: [
          {
            type: 'Available',
            status: ready >= replicas ? 'True' : 'False',
            reason: ready >= replicas ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable',
          },
        ],
      },
    });
  }

  private settleEndpointSlices(): void {
    const services = this.server.listObjects('v1', 'Service');
    const wanted = new Set<string>();
    for (const service of services) {
      const spec = record(service.spec);
      const selector = record(spec.selector) as Record<string, string>;
      if (Object.keys(selector).length === 0) continue;
      const name = `${service.metadata.name}-kc`;
      wanted.add(`${service.metadata.namespace}/${name}`);
      const servicePorts = list(spec.ports);
      const pods = this.server
        .listObjects('v1', 'Pod', service.metadata.namespace)
        .filter((pod) => matches(pod.metadata.labels, selector));
      const first = servicePorts[0];
      const resolvedPort = (pod: KubeObject): number | undefined => {
        if (!first) return undefined;
        const target = first.targetPort ?? first.port;
        return typeof target === 'number'
          ? target
          : this.namedPort(pod, String(target), (first.protocol as Protocol | undefined) ?? 'TCP');
      };
      const endpoints = pods
        .filter((pod) => record(pod.status).podIP && resolvedPort(pod) !== undefined)
        .map((pod) => ({
          addresses: [record(pod.status).podIP],
          conditions: { ready: isReady(pod) },
          targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name },
        }));
      const port = pods.map(resolvedPort).find((each) => each !== undefined);
      this.server.seed({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          name,
          namespace: service.metadata.namespace,
          labels: {
            'kubernetes.io/service-name': service.metadata.name,
            'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
          },
        },
        addressType: 'IPv4',
        endpoints,
        ports:
          first && port !== undefined
            ? [
                {
                  ...(typeof first.name === 'string' ? { name: first.name } : {}),
                  port,
                  protocol: first.protocol ?? 'TCP',
                },
              ]
            : [],
      });
    }
    for (const slice of this.server.listObjects('discovery.k8s.io/v1', 'EndpointSlice')) {
      if (!wanted.has(`${slice.metadata.namespace}/${slice.metadata.name}`))
        this.server.removeObject({
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          namespace: slice.metadata.namespace,
          name: slice.metadata.name,
        });
    }
  }

  // ------------------------------------------------------------------ probe tools

  private tcp(source: KubeObject, host: string, port: number): ExecResult {
    const flow = this.connect(source, host, port, 'TCP');
    if (flow.ok) return { exitCode: 0 };
    return flow.why === 'refused'
      ? { stderr: `nc: connect to ${host} port ${port} (tcp) failed: Connection refused\n`, exitCode: 1 }
      : {
          stderr: `nc: connect to ${host} port ${port} (tcp) timed out: Operation now in progress\n`,
          exitCode: 1,
        };
  }

  private udp(source: KubeObject, payload: string, host: string, port: number): ExecResult {
    const flow = this.connect(source, host, port, 'UDP');
    // nc -u exits 0 either way; only an echo server's reply tells.
    return flow.ok ? { stdout: payload, exitCode: 0 } : { exitCode: 0 };
  }

  private dig(source: KubeObject, name: string, recordType: string): ExecResult {
    if (!this.dnsReachable(source))
      return { stdout: ';; connection timed out; no servers could be reached\n', exitCode: 9 };
    const ips = this.resolve(source, name);
    const status = ips.length > 0 ? 'NOERROR' : 'NXDOMAIN';
    const header = `;; Got answer:\n;; ->>HEADER<<- opcode: QUERY, status: ${status}, id: 4242\n`;
    const answer =
      ips.length > 0 && recordType === 'A'
        ? `;; ANSWER SECTION:\n${ips.map((ip) => `${this.fqdn(source, name)}.\t30\tIN\tA\t${ip}\n`).join('')}`
        : '';
    return { stdout: `${header}${answer}`, exitCode: 0 };
  }

  private curl(source: KubeObject, args: string[]): ExecResult {
    const url = new URL(args.at(-1)!);
    const head = args.includes('--head');
    const headers: Record<string, string> = {};
    args.forEach((arg, index) => {
      if (arg !== '-H') return;
      const [name, ...value] = (args[index + 1] ?? '').split(':');
      headers[name!.trim().toLowerCase()] = value.join(':').trim();
    });
    const result = this.http(source, url, headers);
    if (!result.ok) return result.result;
    return {
      stdout: head ? '' : result.answer.body,
      stderr: `KC_HTTP_STATUS=${result.answer.status}\n`,
      exitCode: 0,
    };
  }

  private http(source: KubeObject, url: URL, headers: Record<string, string>): HttpResult {
    const isIp = /^[\d.]+$/.test(url.hostname);
    const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1';
    const unresolved = (): HttpResult => ({
      ok: false,
      result: {
        stderr: `curl: (6) Could not resolve host: ${url.hostname}\nKC_HTTP_STATUS=000\n`,
        exitCode: 6,
      },
    });
    if (!local && !isIp && !this.dnsReachable(source)) return unresolved();
    const ip = local
      ? String(record(source.status).podIP)
      : isIp
        ? url.hostname
        : this.resolve(source, url.hostname)[0];
    if (!ip) return unresolved();
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const flow: Flow = local ? { ok: true, to: source, port } : this.connect(source, ip, port, 'TCP');
    if (!flow.ok)
      return {
        ok: false,
        result:
          flow.why === 'refused'
            ? {
                stderr: `curl: (7) Failed to connect to ${url.hostname} port ${port}: Connection refused\nKC_HTTP_STATUS=000\n`,
                exitCode: 7,
              }
            : {
                stderr: `curl: (28) Connection timed out after 3001 milliseconds\nKC_HTTP_STATUS=000\n`,
                exitCode: 28,
              },
      };
    const host = (headers.host ?? url.hostname).replace(/:\d+$/, '');
    return { ok: true, answer: this.serve(flow.to, flow.port, url, host) };
  }

  /** What the server at `pod:port` answers for the request. */
  private serve(pod: KubeObject | undefined, port: number, url: URL, host: string): HttpAnswer {
    if (!pod) return { status: 200, body: '{"kind":"APIVersions"}' };
    if (this.isIngressController(pod) && port === 80) return this.route(pod, url, host);
    if (url.pathname === '/hostname') return { status: 200, body: pod.metadata.name };
    if (url.pathname === '/dial') return this.dial(pod, url);
    const body = pod.metadata.annotations?.[HTTP_BODY_ANNOTATION] ?? `ok from ${pod.metadata.name}`;
    return { status: 200, body };
  }

  /** agnhost netexec's /dial: the pod itself calls host:port `tries` times and lists the answers. */
  private dial(pod: KubeObject, url: URL): HttpAnswer {
    const query = url.searchParams;
    const tries = Number(query.get('tries') ?? '1');
    const target = new URL(`http://${query.get('host')}:${query.get('port')}/${query.get('request') ?? ''}`);
    const responses: string[] = [];
    const errors: string[] = [];
    for (let attempt = 0; attempt < tries; attempt++) {
      const result = this.http(pod, target, {});
      if (result.ok && result.answer.status === 200) responses.push(result.answer.body);
      else errors.push(result.ok ? `status ${result.answer.status}` : 'dial failed');
    }
    return {
      status: 200,
      body: JSON.stringify(errors.length > 0 ? { errors } : { responses }),
    };
  }

  private isIngressController(pod: KubeObject): boolean {
    return matches(pod.metadata.labels, {
      'app.kubernetes.io/name': 'ingress-nginx',
      'app.kubernetes.io/component': 'controller',
    });
  }

  /** ingress-nginx: the Ingress rule for host and path (longest path wins), then the backend's answer. */
  private route(controller: KubeObject, url: URL, host: string): HttpAnswer {
    const classes = new Set(
      this.server
        .listObjects('networking.k8s.io/v1', 'IngressClass')
        .filter((each) => record(each.spec).controller === INGRESS_NGINX_CONTROLLER)
        .map((each) => each.metadata.name),
    );
    let best: { namespace: string; path: string; backend: Json } | undefined;
    for (const ingress of this.server.listObjects('networking.k8s.io/v1', 'Ingress')) {
      if (!classes.has(String(record(ingress.spec).ingressClassName))) continue;
      for (const rule of list(record(ingress.spec).rules)) {
        if (rule.host !== undefined && rule.host !== host) continue;
        for (const path of list(record(rule.http).paths)) {
          const rulePath = typeof path.path === 'string' ? path.path : '/';
          const trimmed = rulePath.replace(/\/+$/, '');
          const hit =
            path.pathType === 'Exact'
              ? url.pathname === rulePath
              : trimmed === '' || url.pathname === trimmed || url.pathname.startsWith(`${trimmed}/`);
          if (hit && (!best || rulePath.length > best.path.length))
            best = { namespace: ingress.metadata.namespace!, path: rulePath, backend: record(path.backend) };
        }
      }
    }
    if (!best) return { status: 404, body: 'default backend - 404' };
    const unavailable = { status: 503, body: '503 Service Temporarily Unavailable' };
    const backend = record(best.backend.service);
    const service = this.server.getObject({
      apiVersion: 'v1',
      kind: 'Service',
      namespace: best.namespace,
      name: String(backend.name),
    });
    const wantedPort = record(backend.port);
    const servicePort = list(record(service?.spec).ports).find((port) =>
      wantedPort.number !== undefined ? port.port === wantedPort.number : port.name === wantedPort.name,
    );
    if (!service || !servicePort) return unavailable;
    const endpoints = this.endpoints(service, servicePort, 'TCP');
    if (endpoints.length === 0) return unavailable;
    const endpoint = this.pick(service, endpoints);
    const flow = this.connect(controller, endpoint.ip, endpoint.port, 'TCP');
    if (!flow.ok)
      return flow.why === 'refused'
        ? { status: 502, body: '502 Bad Gateway' }
        : { status: 504, body: '504 Gateway Time-out' };
    return this.serve(flow.to, flow.port, url, host);
  }

  // ------------------------------------------------------------------ addressing and policies

  /** Where traffic to host:port lands (a pod, or a service's endpoint) and whether policies let it. */
  private connect(source: KubeObject, host: string, port: number, protocol: Protocol): Flow {
    const listeners = this.listeners(host, port, protocol);
    if (listeners === undefined) return { ok: false, why: 'dropped' };
    const engine = this.engine();
    let refused = false;
    for (const listener of listeners) {
      const verdict = engine.evaluate({
        from: { namespace: source.metadata.namespace!, pod: source.metadata.name },
        to: listener.pod
          ? { namespace: listener.pod.metadata.namespace!, pod: listener.pod.metadata.name }
          : { ip: listener.ip },
        port: listener.port,
        protocol,
      });
      if (!verdict.allowed) continue;
      if (!listener.pod) return { ok: true, port: listener.port };
      if (this.listensOn(listener.pod, listener.port, protocol))
        return { ok: true, to: listener.pod, port: listener.port };
      refused = true;
    }
    return { ok: false, why: refused ? 'refused' : 'dropped' };
  }

  /** The pods behind an address: the pod with that IP, or a service's endpoints (next one first); undefined if nothing has it. */
  private listeners(host: string, port: number, protocol: Protocol): Listener[] | undefined {
    const pod = this.server.listObjects('v1', 'Pod').find((each) => record(each.status).podIP === host);
    if (pod) return [{ pod, ip: host, port }];
    const service = this.server
      .listObjects('v1', 'Service')
      .find((each) => record(each.spec).clusterIP === host);
    if (!service) return undefined;
    const servicePort = list(record(service.spec).ports).find(
      (each) => each.port === port && ((each.protocol as string | undefined) ?? 'TCP') === protocol,
    );
    if (!servicePort) return [];
    const endpoints = this.endpoints(service, servicePort, protocol);
    if (endpoints.length === 0) return [];
    const first = this.pick(service, endpoints);
    return [first, ...endpoints.filter((each) => each !== first)];
  }

  /** A service's ready endpoints for one of its ports; a service without a selector, its Endpoints' addresses. */
  private endpoints(service: KubeObject, servicePort: Json, protocol: Protocol): Listener[] {
    const selector = record(record(service.spec).selector) as Record<string, string>;
    if (Object.keys(selector).length === 0) {
      const endpoints = this.server.getObject({
        apiVersion: 'v1',
        kind: 'Endpoints',
        namespace: service.metadata.namespace,
        name: service.metadata.name,
      });
      return list(endpoints?.subsets).flatMap((subset) => {
        const target = list(subset.ports)[0]?.port;
        return typeof target === 'number'
          ? list(subset.addresses).map((address) => ({ ip: String(address.ip), port: target }))
          : [];
      });
    }
    return this.server
      .listObjects('v1', 'Pod', service.metadata.namespace)
      .filter((each) => isReady(each) && matches(each.metadata.labels, selector))
      .flatMap((each) => {
        const target = servicePort.targetPort ?? servicePort.port;
        const resolved = typeof target === 'number' ? target : this.namedPort(each, String(target), protocol);
        return resolved === undefined
          ? []
          : [{ pod: each, ip: String(record(each.status).podIP), port: resolved }];
      });
  }

  /** The endpoint whose turn it is (kube-proxy spreads connections; round robin keeps tests deterministic). */
  private pick(service: KubeObject, endpoints: Listener[]): Listener {
    const key = `${service.metadata.namespace}/${service.metadata.name}`;
    const turn = this.turns.get(key) ?? 0;
    this.turns.set(key, turn + 1);
    return endpoints[turn % endpoints.length]!;
  }

  private containerPorts(pod: KubeObject): Json[] {
    return list(record(pod.spec).containers).flatMap((container) => list(container.ports));
  }

  private namedPort(pod: KubeObject, name: string, protocol: Protocol): number | undefined {
    const found = this.containerPorts(pod).find(
      (port) => port.name === name && ((port.protocol as string | undefined) ?? 'TCP') === protocol,
    );
    return typeof found?.containerPort === 'number' ? found.containerPort : undefined;
  }

  private listensOn(pod: KubeObject, port: number, protocol: Protocol): boolean {
    return this.containerPorts(pod).some(
      (each) => each.containerPort === port && ((each.protocol as string | undefined) ?? 'TCP') === protocol,
    );
  }

  private dnsReachable(source: KubeObject): boolean {
    const dns = this.server
      .listObjects('v1', 'Pod', 'kube-system')
      .find((pod) => pod.metadata.labels?.['k8s-app'] === 'kube-dns');
    if (!dns) return true;
    return this.engine().evaluate({
      from: { namespace: source.metadata.namespace!, pod: source.metadata.name },
      to: { namespace: 'kube-system', pod: dns.metadata.name },
      port: 53,
      protocol: 'UDP',
    }).allowed;
  }

  /** The fully qualified name a (possibly short) service name stands for from the source's namespace. */
  private fqdn(source: KubeObject, name: string): string {
    const trimmed = name.replace(/\.$/, '');
    const parts = trimmed.split('.');
    if (trimmed.endsWith(`.svc.${CLUSTER_DOMAIN}`)) return trimmed;
    if (parts.length === 1) return `${trimmed}.${source.metadata.namespace}.svc.${CLUSTER_DOMAIN}`;
    if (parts.length === 2) return `${trimmed}.svc.${CLUSTER_DOMAIN}`;
    if (parts.length === 3 && parts[2] === 'svc') return `${trimmed}.${CLUSTER_DOMAIN}`;
    return trimmed;
  }

  /** A service's ClusterIP (or a headless service's ready pod IPs) by DNS name; empty: NXDOMAIN. */
  private resolve(source: KubeObject, name: string): string[] {
    const match = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local$/.exec(this.fqdn(source, name));
    if (!match) return [];
    const service = this.server.getObject({
      apiVersion: 'v1',
      kind: 'Service',
      namespace: match[2],
      name: match[1]!,
    });
    if (!service) return [];
    const ip = record(service.spec).clusterIP;
    if (typeof ip === 'string' && ip !== 'None') return [ip];
    if (ip !== 'None') return [];
    const selector = record(record(service.spec).selector) as Record<string, string>;
    return this.server
      .listObjects('v1', 'Pod', service.metadata.namespace)
      .filter((pod) => isReady(pod) && matches(pod.metadata.labels, selector))
      .map((pod) => String(record(pod.status).podIP));
  }

  private engine(): NetworkPolicyEngine {
    const cluster: NetpolCluster = {
      namespaces: this.server.listObjects('v1', 'Namespace').map((namespace) => ({
        name: namespace.metadata.name,
        labels: namespace.metadata.labels ?? {},
      })),
      pods: this.server.listObjects('v1', 'Pod').map((pod) => {
        const ip = record(pod.status).podIP;
        return {
          namespace: pod.metadata.namespace!,
          name: pod.metadata.name,
          labels: pod.metadata.labels ?? {},
          ...(typeof ip === 'string' ? { ip } : {}),
          ports: this.containerPorts(pod).map((port) => ({
            ...(typeof port.name === 'string' ? { name: port.name } : {}),
            containerPort: Number(port.containerPort),
            protocol: (port.protocol as Protocol | undefined) ?? 'TCP',
          })),
        };
      }),
      policies: this.server
        .listObjects('networking.k8s.io/v1', 'NetworkPolicy')
        .map((policy) => policy as unknown as NetworkPolicy),
    };
    return new NetworkPolicyEngine(cluster);
  }
}
