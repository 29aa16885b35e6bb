/**
 * Our own minimal mirror of the `networking.k8s.io/v1` NetworkPolicy API shape (field names and
 * optionality as in the Kubernetes API reference), plus the small cluster model and query/result
 * shapes the engine works on. Deliberately independent of @kubernetes/client-node so grading
 * stays a pure, dependency-free computation.
 */

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export type PolicyType = 'Ingress' | 'Egress';
export type LabelSelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
export type Labels = Readonly<Record<string, string>>;

export interface LabelSelectorRequirement {
  key: string;
  operator: LabelSelectorOperator;
  /** Non-empty for In/NotIn, empty or absent for Exists/DoesNotExist. */
  values?: string[];
}

/** An empty selector (`{}`) selects everything; matchLabels and matchExpressions are ANDed. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface IPBlock {
  cidr: string;
  /** CIDRs inside `cidr` that the block does not cover. */
  except?: string[];
}

/**
 * Either `ipBlock` alone, or `podSelector` and/or `namespaceSelector` (both present = AND).
 * A `podSelector` without `namespaceSelector` selects pods in the policy's own namespace.
 */
export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: IPBlock;
}

export interface NetworkPolicyPort {
  /** TCP when absent. */
  protocol?: Protocol;
  /** A port number or a named container port of the destination pod; absent = every port. */
  port?: number | string;
  /** With a numeric `port`: the inclusive upper end of a port range. */
  endPort?: number;
}

export interface NetworkPolicyIngressRule {
  /** Absent or empty: all ports. */
  ports?: NetworkPolicyPort[];
  /** Absent or empty: all sources. */
  from?: NetworkPolicyPeer[];
}

export interface NetworkPolicyEgressRule {
  /** Absent or empty: all ports. */
  ports?: NetworkPolicyPort[];
  /** Absent or empty: all destinations. */
  to?: NetworkPolicyPeer[];
}

export interface NetworkPolicySpec {
  /** `{}` selects every pod in the policy's namespace (an absent selector is treated the same). */
  podSelector?: LabelSelector;
  /** Absent/empty: Ingress, plus Egress when `egress` has at least one rule. */
  policyTypes?: PolicyType[];
  ingress?: NetworkPolicyIngressRule[];
  egress?: NetworkPolicyEgressRule[];
}

export interface NetworkPolicy {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  spec: NetworkPolicySpec;
}

// --- Cluster model ----------------------------------------------------------------------------

export interface ClusterNamespace {
  name: string;
  /** `kubernetes.io/metadata.name: <name>` is always added, as the API server does. */
  labels?: Record<string, string>;
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  /** TCP when absent. */
  protocol?: Protocol;
}

export interface ClusterPod {
  namespace: string;
  name: string;
  labels?: Record<string, string>;
  /** Absent for a pod that has no IP yet; such a pod never matches an ipBlock. */
  ip?: string;
  ports?: ContainerPort[];
}

export interface NetpolCluster {
  namespaces: ClusterNamespace[];
  pods: ClusterPod[];
  policies: NetworkPolicy[];
}

// --- Queries and results ----------------------------------------------------------------------

export interface PodEndpointRef {
  namespace: string;
  pod: string;
}

/** A bare IP: never isolated itself, matched only by ipBlock peers. */
export interface IpEndpointRef {
  ip: string;
}

export type EndpointRef = PodEndpointRef | IpEndpointRef;

export interface ConnectivityQuery {
  from: EndpointRef;
  to: EndpointRef;
  /** A port number, or the name of one of the destination pod's container ports. */
  port: number | string;
  /** TCP when absent, except for a named port, which takes the named container port's protocol. */
  protocol?: Protocol;
}

export interface ConnectivityVerdict {
  allowed: boolean;
  /** Human-readable lines: which policies isolate each side and which rule (if any) admits the traffic. */
  explanation: string[];
}

export interface PortProtocol {
  port: number;
  protocol: Protocol;
}

export interface ConnectivityMatrix {
  /** `namespace/name` of every pod, in row/column order. */
  pods: string[];
  ports: PortProtocol[];
  /** `allowed[from][to][port]`, indices into `pods`, `pods` and `ports`. */
  allowed: boolean[][][];
}

export interface MatrixCellDiff {
  from: string;
  to: string;
  port: PortProtocol;
  expected: boolean;
  /** `null` when the actual matrix has no such pod or port. */
  actual: boolean | null;
}

export interface NetpolInput extends NetpolCluster {
  queries: ConnectivityQuery[];
}
