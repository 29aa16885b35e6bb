/**
 * Grader specs are data: a task's grader is a list of typed checks the runtime knows how to run.
 * Nothing here executes anything; see grader.runtime.ts.
 */

/** Longest failure message a student sees for one check (a spec test enforces it on every grader). */
export const MAX_MESSAGE_LENGTH = 200;

export interface CheckBase {
  /** Unique within the grader; results and `needs` refer to it. Kebab-case. */
  id: string;
  /** What the check verifies, as the task's grading contract words it. */
  title: string;
  points: number;
  /** Shown when the check fails: what is wrong, in one line (the runtime appends the specific finding). */
  failureMessage: string;
  /** Shown with the failure: where to look. */
  hint: string;
  /** Checks that must pass first; when one did not, this check is skipped with a message. */
  needs?: string[];
  /** Overrides the grader's default per-check timeout. */
  timeoutMs?: number;
}

// --- Kubernetes checks (run through the ClusterProbe port) -------------------------------------

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** One field of an object, by a dotted path with indexes: `spec.ports[0].targetPort`. */
export interface FieldExpectation {
  path: string;
  /** Deep equality with the value at `path`. */
  equals?: JsonValue;
  /** A regular expression the value (as a string) must match. */
  matches?: string;
  /** `true`: the path must exist; `false`: it must not. */
  exists?: boolean;
}

export interface ObjectCheck extends CheckBase {
  kind: 'k8s.object';
  object: { apiVersion: string; kind: string; namespace?: string; name: string };
  fields?: FieldExpectation[];
}

/** A pod chosen by name or by labels (then the first ready one, by name). */
export interface PodSelectorRef {
  namespace: string;
  name?: string;
  labels?: Record<string, string>;
}

export interface PodsReadyCheck extends CheckBase {
  kind: 'k8s.pods-ready';
  namespace: string;
  labels: Record<string, string>;
  minReady: number;
}

export interface ServiceEndpointsCheck extends CheckBase {
  kind: 'k8s.service-endpoints';
  namespace: string;
  service: string;
  minReady: number;
}

export interface DnsCheck extends CheckBase {
  kind: 'k8s.dns';
  from: PodSelectorRef;
  name: string;
  recordType?: 'A' | 'AAAA';
  /** Besides resolving at all: the answer must contain this service's ClusterIP. */
  expectServiceIp?: { namespace: string; name: string };
  /** Besides resolving at all: the answer must be exactly the IPs of the ready pods with these labels (headless services). */
  expectPodAddresses?: { namespace: string; labels: Record<string, string> };
  probeTimeoutMs?: number;
}

export interface HttpCheck extends CheckBase {
  kind: 'k8s.http';
  from: PodSelectorRef;
  /** May contain `{podIP}`: the IP of the `to` pod. */
  url: string;
  /** The pod whose IP replaces `{podIP}` in the url. */
  to?: PodSelectorRef;
  headers?: Record<string, string>;
  expectStatus?: number;
  /** Any status below this one passes (e.g. 500: the app answered, whatever it said). */
  expectStatusBelow?: number;
  /** Send the request this many times (default 1); every response must meet the expectations. */
  repeat?: number;
  /**
   * Across all responses, the distinct matches of `pattern` (global; group 1 when it has one) must
   * number at least `atLeast`: e.g. distinct pod names, proving load balancing.
   */
  distinct?: { pattern: string; atLeast: number; what: string };
  /** The body contains this text / matches this regular expression. */
  expectBody?: { contains?: string; matches?: string };
  probeTimeoutMs?: number;
}

export type ConnectivityTarget =
  { pod: PodSelectorRef } | { service: { namespace: string; name: string } } | { host: string };

export interface ConnectivityCheck extends CheckBase {
  kind: 'k8s.connectivity';
  from: PodSelectorRef;
  to: ConnectivityTarget;
  port: number;
  protocol: 'TCP' | 'UDP';
  expect: 'allowed' | 'blocked';
  /** How long a probe waits before calling the flow blocked. */
  probeTimeoutMs?: number;
}

export interface MatrixPod extends PodSelectorRef {
  /** Row/column label in the evidence, e.g. `frontend`. */
  label: string;
}

export interface ConnectivityMatrixCheck extends CheckBase {
  kind: 'k8s.connectivity-matrix';
  pods: MatrixPod[];
  ports: { port: number; protocol: 'TCP' | 'UDP' }[];
  /** Every flow that must be allowed, by pod label; every other (from != to) flow must be blocked. */
  allowed: { from: string; to: string; port: number; protocol?: 'TCP' | 'UDP' }[];
  probeTimeoutMs?: number;
}

/**
 * What the cluster's NetworkPolicies decide for a pod the grader stands in for (labels in a
 * namespace; it need not exist), evaluated by the NetworkPolicy engine over the objects read
 * through the ClusterProbe. For "a grader pod labelled app=probe" flows: the ClusterProbe can
 * probe from existing pods only.
 */
export interface PolicyVerdictCheck extends CheckBase {
  kind: 'k8s.policy-verdict';
  from: { namespace: string; labels: Record<string, string> };
  flows: {
    /** A service (its ready endpoints, its `port` mapped to their targetPort) or the pods with these labels. */
    to:
      | { service: { namespace: string; name: string } }
      | { pods: { namespace: string; labels: Record<string, string> } };
    port: number;
    protocol?: 'TCP' | 'UDP';
    expect: 'allowed' | 'blocked';
  }[];
}

export interface IngressRouteCheck extends CheckBase {
  kind: 'k8s.ingress-route';
  namespace: string;
  host: string;
  path: string;
  service: { name: string; port: number | string };
  /** Also send a request through the ingress controller, from a pod, and expect this status. */
  probe?: { from: PodSelectorRef; url: string; expectStatus: number; probeTimeoutMs?: number };
}

// --- Linux checks (run in the student's workbench through the CommandRunner port) ------------

/** `netns` absent: the workbench's own (root) network namespace. */
export interface LinkRef {
  netns?: string;
  name: string;
}

export interface InterfaceExpectation extends LinkRef {
  /** `linkinfo.info_kind` from `ip -d link`. */
  type?: 'veth' | 'bridge';
  /** Administratively up (default true). */
  up?: boolean;
  /** IPv4 CIDRs the interface must carry, e.g. `10.10.0.1/24`. */
  addresses?: string[];
  /** The bridge the interface must be attached to. */
  master?: string;
}

export interface NetnsCheck extends CheckBase {
  kind: 'linux.netns';
  namespaces: string[];
}

export interface InterfacesCheck extends CheckBase {
  kind: 'linux.interfaces';
  interfaces: InterfaceExpectation[];
}

export interface VethPairCheck extends CheckBase {
  kind: 'linux.veth-pair';
  ends: [LinkRef, LinkRef];
}

export interface RouteExpectation {
  netns?: string;
  /** `default`: the default route; an address: what `ip route get <address>` picks. */
  destination: string;
  via: string;
}

export interface RoutesCheck extends CheckBase {
  kind: 'linux.routes';
  routes: RouteExpectation[];
}

export interface SysctlCheck extends CheckBase {
  kind: 'linux.sysctl';
  netns?: string;
  /** Dotted, e.g. `net.ipv4.ip_forward`. */
  key: string;
  value: string;
}

export interface PingCheck extends CheckBase {
  kind: 'linux.ping';
  pings: { from?: string; to: string }[];
}

export interface TcpCheck extends CheckBase {
  kind: 'linux.tcp';
  /** The grader listens on `server` and connects to it from `client.netns`. */
  connections: { server: { netns?: string; address: string; port: number }; client: { netns?: string } }[];
}

/** How the grader invokes the student's CNI plugin. */
export interface CniPluginSpec {
  /** The executable, e.g. `/opt/cni/bin/kc-cni`. */
  path: string;
  /** CNI_PATH. */
  cniPath: string;
  /** The network configuration sent on stdin (plus `prevResult` for CHECK and DEL). */
  config: { cniVersion: string; name: string; type: string } & Record<string, JsonValue>;
}

/** One container the grader attaches: CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME. */
export interface CniAttachment {
  containerId: string;
  /** The namespace's name under /run/netns (created by the grader's setup). */
  netns: string;
  /** CNI_NETNS, e.g. `/var/run/netns/kc-grade-a`. */
  netnsPath: string;
  ifname: string;
}

export interface CniVersionCheck extends CheckBase {
  kind: 'linux.cni.version';
  plugin: CniPluginSpec;
  expectVersion: string;
}

export interface CniAddCheck extends CheckBase {
  kind: 'linux.cni.add';
  plugin: CniPluginSpec;
  attachment: CniAttachment;
  /** The result's first IP must lie in this CIDR, with its prefix length. */
  subnet: string;
  /** Ids of earlier `linux.cni.add` checks whose addresses this one must differ from (and ping). */
  distinctFrom?: string[];
  pingPeers?: boolean;
}

export interface CniAttachmentCheck extends CheckBase {
  kind: 'linux.cni.attachment';
  /** The `linux.cni.add` check whose result is verified. */
  add: string;
  gateway: string;
}

export interface CniHostEndCheck extends CheckBase {
  kind: 'linux.cni.host-end';
  add: string;
  bridge: string;
  bridgeAddress: string;
  ping: string;
}

export interface CniCheckCommandCheck extends CheckBase {
  kind: 'linux.cni.check';
  add: string;
}

export interface CniDelCheck extends CheckBase {
  kind: 'linux.cni.del';
  add: string;
  /** DEL is sent this many times; every one must exit 0. */
  times: number;
}

export interface CniErrorCase {
  /** Shown in messages, e.g. `unknown CNI_COMMAND`. */
  label: string;
  command: string;
  /** Overrides the config's cniVersion. */
  cniVersion?: string;
  expectCode: number;
}

export interface CniErrorsCheck extends CheckBase {
  kind: 'linux.cni.errors';
  plugin: CniPluginSpec;
  attachment: CniAttachment;
  cases: CniErrorCase[];
}

export type KubernetesCheckSpec =
  | ObjectCheck
  | PodsReadyCheck
  | ServiceEndpointsCheck
  | DnsCheck
  | HttpCheck
  | ConnectivityCheck
  | ConnectivityMatrixCheck
  | PolicyVerdictCheck
  | IngressRouteCheck;

export type LinuxCheckSpec =
  | NetnsCheck
  | InterfacesCheck
  | VethPairCheck
  | RoutesCheck
  | SysctlCheck
  | PingCheck
  | TcpCheck
  | CniVersionCheck
  | CniAddCheck
  | CniAttachmentCheck
  | CniHostEndCheck
  | CniCheckCommandCheck
  | CniDelCheck
  | CniErrorsCheck;

export type CheckSpec = KubernetesCheckSpec | LinuxCheckSpec;
export type CheckKind = CheckSpec['kind'];

/** A command the runtime runs in the workbench around the checks (setup, teardown). */
export interface WorkbenchStep {
  argv: string[];
  env?: Record<string, string>;
  stdin?: string;
  timeoutMs?: number;
  /** Setup only: a non-zero exit stops the grading as an infrastructure error. */
  mustSucceed?: boolean;
}

export interface GraderSpec {
  /** The curriculum task's slug. */
  taskId: string;
  graderId: string;
  /** The whole grading, setup and checks (teardown has its own budget). */
  timeoutMs: number;
  /** Per check, unless the check sets its own. */
  checkTimeoutMs?: number;
  /** Workbench graders: commands run before the checks and, whatever happens, after them. */
  setup?: WorkbenchStep[];
  teardown?: WorkbenchStep[];
  checks: CheckSpec[];
}
