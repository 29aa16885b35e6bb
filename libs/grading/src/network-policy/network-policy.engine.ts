import { cidrContainsIp, parseCidr, parseIp, type Cidr, type IpAddress } from './ip-cidr.util.js';
import { compileLabelSelector } from './label-selector.matcher.js';
import { NetpolInputError } from './network-policy.errors.js';
import type {
  ConnectivityMatrix,
  ConnectivityQuery,
  ConnectivityVerdict,
  EndpointRef,
  IPBlock,
  Labels,
  NetpolCluster,
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  PolicyType,
  PortProtocol,
} from './network-policy.types.js';
import { PodSet } from './pod-set.util.js';

type Direction = 'ingress' | 'egress';

const DIRECTIONS: readonly Direction[] = ['ingress', 'egress'];
const POLICY_TYPE: Record<Direction, PolicyType> = { ingress: 'Ingress', egress: 'Egress' };

/** Kubernetes (1.21+) labels every namespace with its own name; selectors commonly rely on it. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

interface CompiledPod {
  index: number;
  /** `namespace/name` */
  key: string;
  namespace: string;
  labels: Labels;
  ip: IpAddress | null;
  portsByName: ReadonlyMap<string, PortProtocol>;
  /** The policies that select this pod for each direction; non-empty = isolated for it. */
  isolatedBy: Record<Direction, CompiledPolicy[]>;
}

interface CompiledIpBlock {
  cidr: Cidr;
  except: Cidr[];
}

/** Whom a rule's `from`/`to` admits: pods precomputed as a set, bare IPs via ipBlocks. */
interface CompiledPeers {
  pods: PodSet;
  ipBlocks: CompiledIpBlock[];
}

type CompiledPort =
  | { kind: 'any'; protocol: PortProtocol['protocol'] }
  | { kind: 'range'; protocol: PortProtocol['protocol']; from: number; to: number }
  | { kind: 'named'; protocol: PortProtocol['protocol']; name: string };

interface CompiledRule {
  /** Position in spec.ingress / spec.egress, as reported in explanations. */
  index: number;
  /** `null`: `from`/`to` absent or empty, i.e. every endpoint. */
  peers: CompiledPeers | null;
  /** `null`: `ports` absent or empty, i.e. every port and protocol. */
  ports: CompiledPort[] | null;
}

interface CompiledPolicy {
  /** `namespace/name` */
  key: string;
  /** Rules per direction; only directions in the effective policyTypes have an entry. */
  rules: Partial<Record<Direction, CompiledRule[]>>;
}

type ResolvedEndpoint =
  { kind: 'pod'; label: string; pod: CompiledPod } | { kind: 'ip'; label: string; ip: IpAddress };

interface SideVerdict {
  allowed: boolean;
  lines: string[];
}

/**
 * Evaluates `networking.k8s.io/v1` NetworkPolicy semantics over a fixed cluster snapshot.
 * Everything that does not depend on the traffic (which policies select which pod, which pods
 * each rule's peers match) is computed once in the constructor, so queries and matrices only
 * combine precomputed sets.
 *
 * Choices where upstream leaves room or where the model is simplified:
 * - ipBlock matches any endpoint whose IP is in the CIDR (minus `except`), pods included. Upstream
 *   says whether ipBlock matches pod IPs is implementation-defined (it is meant for
 *   cluster-external IPs); we pick the literal reading.
 * - Traffic from a pod to itself is always allowed ("a pod cannot block access to itself").
 * - A bare IP endpoint is never isolated, even if a pod has that IP.
 * - policyTypes absent or empty: Ingress, plus Egress when spec.egress has at least one rule
 *   (upstream defaulting; `egress: []` is indistinguishable from absent once stored).
 */
export class NetworkPolicyEngine {
  private readonly pods: CompiledPod[];
  private readonly podsByKey: Map<string, CompiledPod>;
  private readonly namespaceLabels: Map<string, Labels>;

  constructor(cluster: NetpolCluster) {
    this.namespaceLabels = new Map(
      cluster.namespaces.map((namespace) => [
        namespace.name,
        { ...namespace.labels, [NAMESPACE_NAME_LABEL]: namespace.name },
      ]),
    );
    this.pods = cluster.pods.map((pod, index) => ({
      index,
      key: `${pod.namespace}/${pod.name}`,
      namespace: pod.namespace,
      labels: pod.labels ?? {},
      ip: pod.ip === undefined ? null : this.requireIp(pod.ip, `pods[${index}].ip`),
      portsByName: new Map(
        (pod.ports ?? [])
          .flatMap((port) =>
            port.name === undefined
              ? []
              : [[port.name, { port: port.containerPort, protocol: port.protocol ?? 'TCP' }] as const],
          )
          .reverse(), // so the first declaration of a (duplicated) name wins
      ),
      isolatedBy: { ingress: [], egress: [] },
    }));
    this.podsByKey = new Map(this.pods.map((pod) => [pod.key, pod]));
    cluster.policies.forEach((policy, index) => this.compilePolicy(policy, index));
  }

  /** `namespace/name` of every pod, in input order (the matrix's row/column order). */
  get podKeys(): string[] {
    return this.pods.map((pod) => pod.key);
  }

  /** Whether the traffic is allowed, and why: egress from the source AND ingress to the destination. */
  evaluate(query: ConnectivityQuery): ConnectivityVerdict {
    const source = this.resolveEndpoint(query.from);
    const destination = this.resolveEndpoint(query.to);
    const port = this.resolveQueryPort(query, destination);
    const route = `${source.label} -> ${destination.label} on ${port.label}`;
    if ('problem' in port) return { allowed: false, explanation: [`${route}: denied`, port.problem] };
    if (source.kind === 'pod' && destination.kind === 'pod' && source.pod === destination.pod) {
      return {
        allowed: true,
        explanation: [
          `${route}: allowed`,
          `${source.label} is its own destination: a pod cannot block traffic to itself`,
        ],
      };
    }
    const destinationPod = destination.kind === 'pod' ? destination.pod : null;
    const egress = this.explainSide('egress', source, destination, destinationPod, port.traffic, port.label);
    const ingress = this.explainSide(
      'ingress',
      destination,
      source,
      destinationPod,
      port.traffic,
      port.label,
    );
    const deniedBy = [egress.allowed ? null : 'egress', ingress.allowed ? null : 'ingress'].filter(Boolean);
    const outcome = deniedBy.length === 0 ? 'allowed' : `denied (${deniedBy.join(' and ')})`;
    return {
      allowed: deniedBy.length === 0,
      explanation: [`${route}: ${outcome}`, ...egress.lines, ...ingress.lines],
    };
  }

  /**
   * Pod-to-pod connectivity for every pair and the given ports: `allowed[from][to][port]`.
   * Per port, each pod's reachable destinations (egress) and admitted sources (ingress) are
   * built as bit sets from the precomputed rule peers, then each cell is two bit lookups.
   */
  buildMatrix(ports: readonly PortProtocol[]): ConnectivityMatrix {
    const allowed = this.pods.map(() => this.pods.map(() => new Array<boolean>(ports.length).fill(false)));
    ports.forEach((traffic, portIndex) => {
      const policyTargets = new Map<CompiledPolicy, PodSet>();
      const destinations = this.pods.map((pod) => this.reachableDestinations(pod, traffic, policyTargets));
      const sources = this.pods.map((pod) => this.admittedSources(pod, traffic));
      for (const from of this.pods) {
        const row = allowed[from.index]!;
        const reachable = destinations[from.index] ?? null;
        for (const to of this.pods) {
          const admitted = sources[to.index] ?? null;
          row[to.index]![portIndex] =
            from === to ||
            ((reachable === null || reachable.has(to.index)) &&
              (admitted === null || admitted.has(from.index)));
        }
      }
    });
    return { pods: this.podKeys, ports: ports.map((port) => ({ ...port })), allowed };
  }

  // --- Precomputation ---------------------------------------------------------------------------

  private compilePolicy(policy: NetworkPolicy, policyIndex: number): void {
    const { namespace, name } = policy.metadata;
    const path = `policies[${policyIndex}].spec`;
    const compiled: CompiledPolicy = { key: `${namespace}/${name}`, rules: {} };
    const types = effectivePolicyTypes(policy);
    // Rules of a direction outside the effective policyTypes are ignored, as upstream does.
    if (types.has('Ingress')) {
      compiled.rules.ingress = (policy.spec.ingress ?? []).map((rule, index) =>
        this.compileRule(namespace, rule.from, rule.ports, index, `${path}.ingress[${index}]`, 'from'),
      );
    }
    if (types.has('Egress')) {
      compiled.rules.egress = (policy.spec.egress ?? []).map((rule, index) =>
        this.compileRule(namespace, rule.to, rule.ports, index, `${path}.egress[${index}]`, 'to'),
      );
    }
    const selects = compileLabelSelector(policy.spec.podSelector ?? {});
    for (const pod of this.pods) {
      if (pod.namespace !== namespace || !selects(pod.labels)) continue;
      for (const direction of DIRECTIONS) {
        if (compiled.rules[direction]) pod.isolatedBy[direction].push(compiled);
      }
    }
  }

  private compileRule(
    policyNamespace: string,
    peers: NetworkPolicyPeer[] | undefined,
    ports: NetworkPolicyPort[] | undefined,
    index: number,
    path: string,
    peersField: 'from' | 'to',
  ): CompiledRule {
    return {
      index,
      peers:
        peers === undefined || peers.length === 0
          ? null
          : this.compilePeers(policyNamespace, peers, `${path}.${peersField}`),
      ports: ports === undefined || ports.length === 0 ? null : ports.map(compilePort),
    };
  }

  private compilePeers(policyNamespace: string, peers: NetworkPolicyPeer[], path: string): CompiledPeers {
    const compiled: CompiledPeers = { pods: new PodSet(this.pods.length), ipBlocks: [] };
    peers.forEach((peer, index) => {
      if (peer.ipBlock) {
        const block = this.compileIpBlock(peer.ipBlock, `${path}[${index}].ipBlock`);
        compiled.ipBlocks.push(block);
        for (const pod of this.pods)
          if (pod.ip && ipBlockContains(block, pod.ip)) compiled.pods.add(pod.index);
        return;
      }
      const podMatches = peer.podSelector ? compileLabelSelector(peer.podSelector) : () => true;
      const namespaceSelector = peer.namespaceSelector && compileLabelSelector(peer.namespaceSelector);
      // Namespace selection is per namespace, not per pod: evaluate it once per namespace.
      const namespaceMatches = new Map<string, boolean>();
      const inNamespace = (namespace: string): boolean => {
        if (!namespaceSelector) return namespace === policyNamespace;
        let matches = namespaceMatches.get(namespace);
        if (matches === undefined) {
          matches = namespaceSelector(this.labelsOfNamespace(namespace));
          namespaceMatches.set(namespace, matches);
        }
        return matches;
      };
      for (const pod of this.pods) {
        if (inNamespace(pod.namespace) && podMatches(pod.labels)) compiled.pods.add(pod.index);
      }
    });
    return compiled;
  }

  private compileIpBlock(block: IPBlock, path: string): CompiledIpBlock {
    return {
      cidr: this.requireCidr(block.cidr, `${path}.cidr`),
      except: (block.except ?? []).map((cidr, index) => this.requireCidr(cidr, `${path}.except[${index}]`)),
    };
  }

  private labelsOfNamespace(namespace: string): Labels {
    // A namespace the cluster model does not list still carries its automatic name label.
    return this.namespaceLabels.get(namespace) ?? { [NAMESPACE_NAME_LABEL]: namespace };
  }

  // --- Matrix helpers ---------------------------------------------------------------------------

  /** Destinations `source` may send `traffic` to per its egress policies; `null` = not isolated. */
  private reachableDestinations(
    source: CompiledPod,
    traffic: PortProtocol,
    policyTargets: Map<CompiledPolicy, PodSet>,
  ): PodSet | null {
    if (source.isolatedBy.egress.length === 0) return null;
    const reachable = new PodSet(this.pods.length);
    for (const policy of source.isolatedBy.egress) {
      let targets = policyTargets.get(policy);
      if (!targets) {
        targets = this.policyEgressTargets(policy, traffic);
        policyTargets.set(policy, targets);
      }
      reachable.addAll(targets);
    }
    return reachable;
  }

  /** Pods any egress rule of `policy` lets `traffic` reach (ports resolved on each destination). */
  private policyEgressTargets(policy: CompiledPolicy, traffic: PortProtocol): PodSet {
    const targets = new PodSet(this.pods.length);
    for (const rule of policy.rules.egress ?? []) {
      const portOk = new PodSet(this.pods.length);
      for (const pod of this.pods) if (rulePortsAdmit(rule, pod, traffic)) portOk.add(pod.index);
      targets.addAll(rule.peers === null ? portOk : rule.peers.pods.intersect(portOk));
    }
    return targets;
  }

  /** Sources `destination` accepts `traffic` from per its ingress policies; `null` = not isolated. */
  private admittedSources(destination: CompiledPod, traffic: PortProtocol): PodSet | null {
    if (destination.isolatedBy.ingress.length === 0) return null;
    const admitted = new PodSet(this.pods.length);
    for (const policy of destination.isolatedBy.ingress) {
      for (const rule of policy.rules.ingress ?? []) {
        if (!rulePortsAdmit(rule, destination, traffic)) continue;
        if (rule.peers === null) return null;
        admitted.addAll(rule.peers.pods);
      }
    }
    return admitted;
  }

  // --- Single-query helpers ---------------------------------------------------------------------

  /**
   * One direction of one connection. `subject` is the endpoint whose isolation is checked (the
   * source for egress, the destination for ingress), `peer` the other end.
   */
  private explainSide(
    direction: Direction,
    subject: ResolvedEndpoint,
    peer: ResolvedEndpoint,
    destinationPod: CompiledPod | null,
    traffic: PortProtocol,
    portLabel: string,
  ): SideVerdict {
    const side = direction === 'egress' ? `egress from ${subject.label}` : `ingress to ${subject.label}`;
    if (subject.kind === 'ip') {
      return { allowed: true, lines: [`${side}: not isolated (a bare IP, no NetworkPolicy applies to it)`] };
    }
    const policies = subject.pod.isolatedBy[direction];
    if (policies.length === 0) {
      return {
        allowed: true,
        lines: [`${side}: not isolated (no NetworkPolicy selects it for ${POLICY_TYPE[direction]})`],
      };
    }
    const policyKeys = policies.map((policy) => policy.key).join(', ');
    const lines = [`${side}: isolated by ${policyKeys}`];
    for (const policy of policies) {
      for (const rule of policy.rules[direction] ?? []) {
        if (peersAdmit(rule.peers, peer) && rulePortsAdmit(rule, destinationPod, traffic)) {
          lines.push(`${side} allowed by policy ${policy.key} rule #${rule.index}`);
        }
      }
    }
    if (lines.length > 1) return { allowed: true, lines };
    const peerText = direction === 'egress' ? `traffic to ${peer.label}` : `traffic from ${peer.label}`;
    lines.push(`${side} denied: no ${direction} rule of ${policyKeys} admits ${peerText} on ${portLabel}`);
    return { allowed: false, lines };
  }

  private resolveEndpoint(ref: EndpointRef): ResolvedEndpoint {
    if ('ip' in ref) return { kind: 'ip', label: ref.ip, ip: this.requireIp(ref.ip, 'ip') };
    const key = `${ref.namespace}/${ref.pod}`;
    const pod = this.podsByKey.get(key);
    if (!pod) throw new NetpolInputError([{ path: '', message: `unknown pod ${key}` }]);
    return { kind: 'pod', label: key, pod };
  }

  /** A named query port is looked up on the destination pod; failing that, nothing can connect. */
  private resolveQueryPort(
    query: ConnectivityQuery,
    destination: ResolvedEndpoint,
  ): { traffic: PortProtocol; label: string } | { problem: string; label: string } {
    if (typeof query.port === 'number') {
      const traffic = { port: query.port, protocol: query.protocol ?? 'TCP' } as const;
      return { traffic, label: `port ${traffic.port}/${traffic.protocol}` };
    }
    const label = `port ${query.port}`;
    if (destination.kind === 'ip') {
      return {
        label,
        problem: `port name "${query.port}" cannot be resolved: ${destination.label} is not a pod`,
      };
    }
    const named = destination.pod.portsByName.get(query.port);
    if (!named) return { label, problem: `${destination.label} has no container port named "${query.port}"` };
    if (query.protocol && query.protocol !== named.protocol) {
      return {
        label,
        problem: `${destination.label} port "${query.port}" is ${named.port}/${named.protocol}, not ${query.protocol}`,
      };
    }
    return { traffic: named, label: `port ${query.port} (${named.port}/${named.protocol})` };
  }

  private requireIp(text: string, path: string): IpAddress {
    const ip = parseIp(text);
    if (!ip) throw new NetpolInputError([{ path, message: `"${text}" is not an IPv4 or IPv6 address` }]);
    return ip;
  }

  private requireCidr(text: string, path: string): Cidr {
    const cidr = parseCidr(text);
    if (!cidr) throw new NetpolInputError([{ path, message: `"${text}" is not a CIDR` }]);
    return cidr;
  }
}

/** Explicit policyTypes win; otherwise Ingress always, Egress only with egress rules (upstream defaulting). */
export function effectivePolicyTypes(policy: NetworkPolicy): ReadonlySet<PolicyType> {
  const explicit = policy.spec.policyTypes ?? [];
  if (explicit.length > 0) return new Set(explicit);
  return new Set<PolicyType>((policy.spec.egress ?? []).length > 0 ? ['Ingress', 'Egress'] : ['Ingress']);
}

function compilePort(port: NetworkPolicyPort): CompiledPort {
  const protocol = port.protocol ?? 'TCP';
  if (port.port === undefined) return { kind: 'any', protocol };
  if (typeof port.port === 'string') return { kind: 'named', protocol, name: port.port };
  return { kind: 'range', protocol, from: port.port, to: port.endPort ?? port.port };
}

function ipBlockContains(block: CompiledIpBlock, ip: IpAddress): boolean {
  return cidrContainsIp(block.cidr, ip) && !block.except.some((except) => cidrContainsIp(except, ip));
}

function peersAdmit(peers: CompiledPeers | null, endpoint: ResolvedEndpoint): boolean {
  if (peers === null) return true;
  if (endpoint.kind === 'pod') return peers.pods.has(endpoint.pod.index);
  return peers.ipBlocks.some((block) => ipBlockContains(block, endpoint.ip));
}

/**
 * Ports are always those of the destination: a named port is resolved on the destination pod's
 * container ports (name, number and protocol must all agree), and matches nothing for a
 * destination that is not a pod or lacks the name.
 */
function rulePortsAdmit(rule: CompiledRule, destination: CompiledPod | null, traffic: PortProtocol): boolean {
  if (rule.ports === null) return true;
  return rule.ports.some((port) => {
    if (port.protocol !== traffic.protocol) return false;
    switch (port.kind) {
      case 'any':
        return true;
      case 'range':
        return traffic.port >= port.from && traffic.port <= port.to;
      case 'named': {
        const named = destination?.portsByName.get(port.name);
        return named !== undefined && named.port === traffic.port && named.protocol === traffic.protocol;
      }
    }
  });
}
