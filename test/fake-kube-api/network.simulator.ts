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

interface Listener {
  pod: KubeObject;
  port: number;
}

type Flow = { ok: true; to: KubeObject } | { ok: false; why: 'refused' | 'dropped' };

/**
 * The network of the fake cluster, for probes run in ephemeral containers (`nc`, `dig`, `curl`, as
 * libs/environments' StudentClusterProbe runs them): answers computed from the fake's own objects —
 * pods (IPs, labels, container ports: a pod listens on the ports it declares), services (ClusterIP,
 * selector, targetPort by number or name), DNS names of services, and NetworkPolicies evaluated by
 * libs/grading's engine, whose truth tables are written independently from the Kubernetes API
 * reference. Blocked traffic is dropped (timeouts), a port nobody listens on is refused. A pod in
 * kube-system labelled `k8s-app=kube-dns` is the DNS server: egress policies can block it.
 */
export class SimulatedNetwork {
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
    const ip = this.resolve(source, name);
    const status = ip ? 'NOERROR' : 'NXDOMAIN';
    const header = `;; Got answer:\n;; ->>HEADER<<- opcode: QUERY, status: ${status}, id: 4242\n`;
    const answer =
      ip && recordType === 'A' ? `;; ANSWER SECTION:\n${this.fqdn(source, name)}.\t30\tIN\tA\t${ip}\n` : '';
    return { stdout: `${header}${answer}`, exitCode: 0 };
  }

  private curl(source: KubeObject, args: string[]): ExecResult {
    const url = new URL(args.at(-1)!);
    const head = args.includes('--head');
    if (!this.dnsReachable(source) && !/^[\d.]+$/.test(url.hostname))
      return {
        stderr: `curl: (6) Could not resolve host: ${url.hostname}\nKC_HTTP_STATUS=000\n`,
        exitCode: 6,
      };
    const ip = /^[\d.]+$/.test(url.hostname) ? url.hostname : this.resolve(source, url.hostname);
    if (!ip)
      return {
        stderr: `curl: (6) Could not resolve host: ${url.hostname}\nKC_HTTP_STATUS=000\n`,
        exitCode: 6,
      };
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const flow = this.connect(source, ip, port, 'TCP');
    if (!flow.ok)
      return flow.why === 'refused'
        ? {
            stderr: `curl: (7) Failed to connect to ${url.hostname} port ${port}: Connection refused\nKC_HTTP_STATUS=000\n`,
            exitCode: 7,
          }
        : {
            stderr: `curl: (28) Connection timed out after 3001 milliseconds\nKC_HTTP_STATUS=000\n`,
            exitCode: 28,
          };
    const body = flow.to.metadata.annotations?.[HTTP_BODY_ANNOTATION] ?? `ok from ${flow.to.metadata.name}`;
    return { stdout: head ? '' : body, stderr: 'KC_HTTP_STATUS=200\n', exitCode: 0 };
  }

  /** Where traffic to host:port lands (a pod, or a service's ready endpoint) and whether policies let it. */
  private connect(source: KubeObject, host: string, port: number, protocol: Protocol): Flow {
    const listeners = this.listeners(host, port, protocol);
    if (listeners === undefined) return { ok: false, why: 'dropped' };
    const engine = this.engine();
    let refused = false;
    for (const listener of listeners) {
      const verdict = engine.evaluate({
        from: { namespace: source.metadata.namespace!, pod: source.metadata.name },
        to: { namespace: listener.pod.metadata.namespace!, pod: listener.pod.metadata.name },
        port: listener.port,
        protocol,
      });
      if (!verdict.allowed) continue;
      if (this.listensOn(listener.pod, listener.port, protocol)) return { ok: true, to: listener.pod };
      refused = true;
    }
    return { ok: false, why: refused ? 'refused' : 'dropped' };
  }

  /** The pods behind an address: the pod with that IP, or a service's ready endpoints; undefined if nothing has it. */
  private listeners(host: string, port: number, protocol: Protocol): Listener[] | undefined {
    const pods = this.server.listObjects('v1', 'Pod');
    const pod = pods.find((each) => record(each.status).podIP === host);
    if (pod) return [{ pod, port }];
    const service = this.server
      .listObjects('v1', 'Service')
      .find((each) => record(each.spec).clusterIP === host);
    if (!service) return undefined;
    const spec = record(service.spec);
    const servicePort = list(spec.ports).find(
      (each) => each.port === port && ((each.protocol as string | undefined) ?? 'TCP') === protocol,
    );
    if (!servicePort) return [];
    const selector = record(spec.selector) as Record<string, string>;
    if (Object.keys(selector).length === 0) return [];
    return pods
      .filter(
        (each) =>
          each.metadata.namespace === service.metadata.namespace &&
          isReady(each) &&
          Object.entries(selector).every(([key, value]) => each.metadata.labels?.[key] === value),
      )
      .flatMap((each) => {
        const target = servicePort.targetPort ?? servicePort.port;
        const resolved = typeof target === 'number' ? target : this.namedPort(each, String(target), protocol);
        return resolved === undefined ? [] : [{ pod: each, port: resolved }];
      });
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

  /** A service's ClusterIP by DNS name (search path of the source's namespace), or undefined (NXDOMAIN). */
  private resolve(source: KubeObject, name: string): string | undefined {
    const match = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local$/.exec(this.fqdn(source, name));
    if (!match) return undefined;
    const service = this.server.getObject({
      apiVersion: 'v1',
      kind: 'Service',
      namespace: match[2],
      name: match[1]!,
    });
    const ip = record(service?.spec).clusterIP;
    return typeof ip === 'string' && ip !== 'None' ? ip : undefined;
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
