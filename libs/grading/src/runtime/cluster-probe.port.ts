/**
 * What Kubernetes checks need from a student's cluster: reads, and network probes made with a
 * pod's network identity. Implemented by libs/kubernetes against the student's vcluster; the
 * runtime only interprets the plain JSON objects it returns.
 *
 * Contract: "not found" is a value (`null`, `[]`), a failed probe is a value (`ProbeOutcome` with
 * `ok: false`); only an unreachable API server, a probe container that cannot start, and the
 * like reject, with an InfrastructureError.
 */
export interface ClusterProbe {
  /** One object, or `null` when it does not exist. */
  get(ref: ObjectRef, options?: ProbeCallOptions): Promise<KubeObject | null>;
  /** Objects of a kind, optionally in one namespace and matching a label selector. */
  list(query: ListQuery, options?: ProbeCallOptions): Promise<KubeObject[]>;
  /**
   * Runs a network probe from inside `source`'s network namespace: the implementation adds an
   * ephemeral container (image with the probe tools, no privileges) to the pod through the pods/
   * ephemeralcontainers subresource, runs the probe in it, and reads its output. The traffic
   * therefore carries the pod's IP and is subject to the NetworkPolicies that select the pod.
   */
  probeFromPod(source: PodRef, probe: NetworkProbe, options?: ProbeCallOptions): Promise<ProbeOutcome>;
}

export interface ProbeCallOptions {
  signal?: AbortSignal;
}

export interface ObjectRef {
  /** `v1`, `apps/v1`, `networking.k8s.io/v1`... */
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
  /** `matchLabels` only, ANDed. */
  labels?: Readonly<Record<string, string>>;
}

/** A Kubernetes object as the API returns it, untyped beyond its metadata. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    [field: string]: unknown;
  };
  [field: string]: unknown;
}

export interface PodRef {
  namespace: string;
  pod: string;
}

export type NetworkProbe = TcpProbe | UdpProbe | DnsProbe | HttpProbe;

/** Connects (and closes). */
export interface TcpProbe {
  kind: 'tcp';
  host: string;
  port: number;
  timeoutMs: number;
}

/**
 * UDP has no handshake: the probe sends `payload` and counts a reply as connectivity, so the
 * destination must run an echo server (agnhost netexec --udp-port, for example).
 */
export interface UdpProbe {
  kind: 'udp';
  host: string;
  port: number;
  payload: string;
  timeoutMs: number;
}

/** Resolves through the pod's resolv.conf, as the pod's applications would. */
export interface DnsProbe {
  kind: 'dns';
  name: string;
  recordType: 'A' | 'AAAA';
  timeoutMs: number;
}

export interface HttpProbe {
  kind: 'http';
  url: string;
  method: 'GET' | 'HEAD';
  headers?: Readonly<Record<string, string>>;
  timeoutMs: number;
}

export type ProbeOutcome = ConnectOutcome | DnsOutcome | HttpOutcome;

export interface ConnectOutcome {
  kind: 'tcp' | 'udp';
  /** Connected (TCP) or got a reply (UDP). */
  ok: boolean;
  /** Why not, in the probe tool's words: `connection refused`, `timeout`... */
  error?: string;
}

export interface DnsOutcome {
  kind: 'dns';
  ok: boolean;
  addresses: string[];
  /** `NXDOMAIN`, `timeout`... */
  error?: string;
}

export interface HttpOutcome {
  kind: 'http';
  /** A response arrived (whatever its status). */
  ok: boolean;
  status?: number;
  /** The first few KiB of the body. */
  body?: string;
  error?: string;
}
