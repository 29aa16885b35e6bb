import type { QuizItem, QuizTask } from '../curriculum.types.js';
import { keyQuestion, PHASES } from './outline.data.js';
import { dedent, quizTask } from './task-builders.js';

// Each phase's key questions become one short quiz: per question a multiple-choice item (graded
// at once) and the key question itself as a written item an instructor reviews.

interface KeyQuestionItems {
  keyQuestion: string;
  choice: { prompt: string; options: string[]; answerIndex: number; explanation: string };
  /** For the reviewer of the written answer. */
  guidance: string;
}

const CHOICE_POINTS = 2;
const WRITTEN_POINTS = 4;

function keyQuestionQuiz(phaseNumber: number, step: number, items: KeyQuestionItems[]): QuizTask {
  const phase = PHASES.find((candidate) => candidate.number === phaseNumber);
  if (!phase) throw new Error(`unknown phase ${phaseNumber}`);
  const quiz: QuizItem[] = items.flatMap((item, index): QuizItem[] => {
    const question = keyQuestion(item.keyQuestion);
    return [
      {
        id: `q${index + 1}-choice`,
        kind: 'multiple_choice',
        keyQuestion: question.slug,
        prompt: item.choice.prompt,
        options: item.choice.options,
        answerIndex: item.choice.answerIndex,
        explanation: item.choice.explanation,
        points: CHOICE_POINTS,
      },
      {
        id: `q${index + 1}-written`,
        kind: 'written',
        keyQuestion: question.slug,
        prompt: question.text,
        guidance: item.guidance,
        points: WRITTEN_POINTS,
      },
    ];
  });
  const questions = phase.keyQuestions.map((question) => `- ${question.text}`).join('\n');
  return quizTask({
    slug: `phase-${phaseNumber}-key-questions`,
    title: `Phase ${phaseNumber} key questions: ${phase.title}`,
    summary: `A short quiz on the key questions of phase ${phaseNumber}.`,
    step,
    phase: phaseNumber,
    instructions: dedent`
      ## Phase ${phaseNumber} key questions

      Answer the key questions of **${phase.title}**:

      ${questions}

      For each question there is one multiple-choice item (scored as soon as you submit, ${CHOICE_POINTS} points)
      and the question itself to answer in your own words (reviewed by an instructor, ${WRITTEN_POINTS} points).
      A good written answer is 4 to 8 sentences and points to something you saw in a lab: a command, an
      output, a manifest.
    `,
    hints: [
      'Answer the written part after the labs of this phase: refer to what you observed there.',
      'You can change your written answers until an instructor has reviewed them.',
    ],
    quiz,
  });
}

export const PHASE_1_QUIZ = keyQuestionQuiz(1, 2, [
  {
    keyQuestion: 'phase-1-namespace-isolation',
    choice: {
      prompt: 'What does a freshly created network namespace (`ip netns add demo`) contain?',
      options: [
        'A copy of every interface and route of the host',
        'Only a loopback interface, which is down, and empty routing tables and firewall rules of its own',
        'The host interfaces, shared read-only',
        'A veth interface connected to the host and a default route through it',
      ],
      answerIndex: 1,
      explanation:
        'A network namespace gets its own interfaces, routes, neighbour tables, sockets and netfilter rules; it starts with just `lo`, down.',
    },
    guidance:
      'Names the per-namespace resources (interfaces, addresses, routing tables, iptables/nftables rules, sockets, ports); explains that a process sees only its namespace; mentions that an interface lives in exactly one namespace and that nothing connects namespaces until you add a link.',
  },
  {
    keyQuestion: 'phase-1-veth-role',
    choice: {
      prompt: 'Which description of a veth pair is accurate?',
      options: [
        'Two virtual interfaces joined like a cable: a frame sent into one end comes out of the other',
        'A virtual switch that forwards frames between any number of interfaces',
        'A tunnel that encapsulates packets in UDP between two hosts',
        'A NAT device that rewrites the source address of outgoing packets',
      ],
      answerIndex: 0,
      explanation:
        'Each end can sit in a different namespace; that is how a container namespace gets a link to the host or to a bridge.',
    },
    guidance:
      'Explains that the two ends are connected back to back, that each end can be moved to a different namespace, that the ends need addresses (or a bridge) to carry IP traffic, and relates it to the veth-ns1/veth-ns2 lab.',
  },
  {
    keyQuestion: 'phase-1-container-networking',
    choice: {
      prompt: 'Which statement about the network of a Kubernetes pod is true?',
      options: [
        'Each container of a pod has its own network namespace and IP address',
        'Pods share the network namespace of the node unless they ask for isolation',
        'All containers of a pod share one network namespace: one IP address, and they reach each other over localhost',
        'Pods have no network namespace; kube-proxy forwards their traffic',
      ],
      answerIndex: 2,
      explanation:
        'The pod sandbox (pause container) holds the network namespace; the CNI plugin connects it, typically with a veth pair to a bridge or to the node.',
    },
    guidance:
      'Maps the lab primitives to a cluster: pod = network namespace, the CNI plugin creates the veth pair, a bridge (e.g. cni0) or routes join pods on a node, node routing/overlays join nodes; mentions hostNetwork pods as the exception.',
  },
]);

export const PHASE_2_QUIZ = keyQuestionQuiz(2, 3, [
  {
    keyQuestion: 'phase-2-cni-purpose',
    choice: {
      prompt: 'What does the CNI specification standardise?',
      options: [
        'How service traffic is load-balanced across pods',
        'How a container runtime calls a plugin executable (CNI_COMMAND and other CNI_* variables, network configuration as JSON on stdin, a JSON result on stdout) to add, check and delete a container network attachment',
        'The NetworkPolicy API of Kubernetes',
        'The wire protocol between nodes of a cluster',
      ],
      answerIndex: 1,
      explanation:
        'CNI is a small contract between runtime and plugin; what the plugin does on the wire (bridge, routes, overlay, eBPF) is up to it.',
    },
    guidance:
      'Mentions the operations (ADD, DEL, CHECK, VERSION), the environment variables, config on stdin and result on stdout, plugin chaining and IPAM plugins, and why a standard lets runtimes and network vendors evolve independently.',
  },
  {
    keyQuestion: 'phase-2-plugin-implementations',
    choice: {
      prompt: 'Which statement about CNI plugins is accurate?',
      options: [
        'Flannel encapsulates pod traffic (VXLAN by default) and enforces NetworkPolicies on its own',
        'Calico can route pod traffic without encapsulation (BGP) or with IP-in-IP/VXLAN, and enforces NetworkPolicies',
        'Cilium needs kube-proxy iptables rules for all pod-to-pod traffic',
        'Weave Net requires BGP peering with the physical routers',
      ],
      answerIndex: 1,
      explanation:
        'Flannel provides connectivity only (pair it with a policy engine); Cilium uses an eBPF datapath and can replace kube-proxy.',
    },
    guidance:
      'Compares at least two plugins on: how pods on different nodes are connected (overlay vs routed), IPAM, datapath (iptables, eBPF), NetworkPolicy support; ideally uses observations from Lab 5.',
  },
  {
    keyQuestion: 'phase-2-kubelet-cni',
    choice: {
      prompt: 'How is the network of a new pod set up in a current Kubernetes cluster?',
      options: [
        'kube-proxy creates the pod network namespace and assigns its IP',
        'The API server calls the CNI plugin when the pod is scheduled',
        'The kubelet asks the container runtime (CRI RunPodSandbox); the runtime creates the network namespace and runs the CNI plugins configured in /etc/cni/net.d from /opt/cni/bin',
        'The kubelet execs the CNI plugins itself inside every container',
      ],
      answerIndex: 2,
      explanation:
        'Since dockershim was removed (Kubernetes 1.24) the runtime (containerd, CRI-O) invokes CNI; the kubelet drives it through the CRI and reports the pod IP.',
    },
    guidance:
      'Describes the sequence: scheduling, kubelet → CRI RunPodSandbox, runtime creates the netns and invokes CNI ADD with the config from /etc/cni/net.d, result IP reported back in the pod status; DEL on sandbox teardown; mentions node readiness depending on a CNI config being present.',
  },
]);

export const PHASE_3_QUIZ = keyQuestionQuiz(3, 3, [
  {
    keyQuestion: 'phase-3-cross-node-pods',
    choice: {
      prompt: 'What does the Kubernetes network model require of pods on different nodes?',
      options: [
        'They talk through NodePort services',
        'Every pod has its own IP and can reach every other pod without NAT; the CNI plugin makes it true, e.g. with per-node pod CIDR routes or an overlay',
        'Their traffic is masqueraded to the node IP and un-NATed by kube-proxy',
        'They must share a bridge that spans all nodes',
      ],
      answerIndex: 1,
      explanation:
        'How packets cross nodes (routes, VXLAN/Geneve, BGP, cloud VPC routing) is an implementation detail of the CNI plugin.',
    },
    guidance:
      'States the flat, NAT-free model; explains one concrete implementation (routes to each node pod CIDR, encapsulation, or VPC-native IPs) and where a packet is encapsulated or routed.',
  },
  {
    keyQuestion: 'phase-3-kube-proxy-role',
    choice: {
      prompt: 'What does kube-proxy do for a ClusterIP Service?',
      options: [
        'It assigns IP addresses to pods',
        'It answers DNS queries for service names',
        'It programs rules on every node (iptables, IPVS or nftables) that translate the virtual ClusterIP:port to a ready endpoint',
        'It runs as the single proxy process all service traffic passes through',
      ],
      answerIndex: 2,
      explanation:
        'kube-proxy watches Services and EndpointSlices and programs the node datapath; some CNIs (Cilium) replace it with eBPF.',
    },
    guidance:
      'Explains the virtual IP, the EndpointSlice watch, DNAT on the node of the client, load-balancing per connection, the modes (iptables/IPVS/nftables) and that NodePort/LoadBalancer build on the same rules.',
  },
  {
    keyQuestion: 'phase-3-network-policy-security',
    choice: {
      prompt:
        'Pod `api` is selected by one NetworkPolicy with `policyTypes: [Ingress]` that allows traffic only from pods labelled `app=web`. What happens to traffic from a pod labelled `app=batch`?',
      options: [
        'It is denied: once a pod is selected for ingress, only traffic some policy allows gets in',
        'It is allowed: policies only add deny rules',
        'It depends on the order the policies were created in',
        'It is allowed unless a second policy denies it',
      ],
      answerIndex: 0,
      explanation:
        'Policies are allow-lists and additive; selection makes the pod default-deny for the listed direction. Enforcement needs a CNI that implements NetworkPolicy.',
    },
    guidance:
      'Explains default-allow vs selected (isolated) pods, allow-list semantics, ingress vs egress, namespace and pod selectors (AND vs OR), the need for a policy-capable CNI, and limits (L3/L4 only, no identity beyond labels).',
  },
]);

export const PHASE_4_QUIZ = keyQuestionQuiz(4, 5, [
  {
    keyQuestion: 'phase-4-aws-cni-difference',
    choice: {
      prompt: 'What distinguishes the Amazon VPC CNI from overlay plugins?',
      options: [
        'Pods get IP addresses from the VPC subnets (secondary IPs or prefixes on the node ENIs), so they are routable in the VPC without encapsulation',
        'It builds a VXLAN overlay between nodes',
        'Pods get private addresses that are NATed to the node IP for all traffic',
        'It cannot be combined with security groups',
      ],
      answerIndex: 0,
      explanation:
        'Pod density is therefore bounded by ENIs and IPs per instance type (or prefix delegation), and subnets must be sized for pods.',
    },
    guidance:
      'Covers VPC-native addressing via ENIs, warm pools, max pods per instance type, prefix delegation, custom networking / secondary CIDRs, SNAT for traffic leaving the VPC, and the trade-offs versus overlays.',
  },
  {
    keyQuestion: 'phase-4-sg-nacl-policies',
    choice: {
      prompt: 'How do security groups, NACLs and Kubernetes NetworkPolicies relate on EKS?',
      options: [
        'NetworkPolicies are translated into security group rules',
        'They are independent layers and a packet must pass all of them: NACLs (stateless, per subnet), security groups (stateful, per ENI: node or pod with Security Groups for Pods) and NetworkPolicies (per pod, inside the cluster)',
        'NACLs override NetworkPolicies, security groups are ignored for pods',
        'Security groups replace NetworkPolicies once the VPC CNI is installed',
      ],
      answerIndex: 1,
      explanation:
        'Use the coarse layers for the VPC perimeter and NetworkPolicies for pod-to-pod least privilege.',
    },
    guidance:
      'Distinguishes stateless vs stateful, subnet vs ENI vs pod scope, mentions ephemeral ports for NACLs, Security Groups for Pods, the VPC CNI network policy agent (or Calico), and gives an example of where each layer fits.',
  },
  {
    keyQuestion: 'phase-4-load-balancer-exposure',
    choice: {
      prompt:
        'With the AWS Load Balancer Controller, how do you expose an HTTP app on an internet-facing ALB that sends traffic straight to pod IPs?',
      options: [
        'A Service of type NodePort; the ALB is created automatically for every NodePort',
        'An Ingress with `ingressClassName: alb` and the annotations `alb.ingress.kubernetes.io/scheme: internet-facing` and `alb.ingress.kubernetes.io/target-type: ip`',
        'A ClusterIP Service with a public IP annotation',
        'Pods with `hostNetwork: true` behind an Elastic IP',
      ],
      answerIndex: 1,
      explanation:
        'Services of type LoadBalancer get an NLB from the same controller (`service.beta.kubernetes.io/aws-load-balancer-type: external`).',
    },
    guidance:
      'Distinguishes ALB (Ingress, L7) and NLB (Service type LoadBalancer, L4), instance vs ip targets, public subnets tagged `kubernetes.io/role/elb`, TLS with ACM, and the security groups involved.',
  },
]);

export const PHASE_5_QUIZ = keyQuestionQuiz(5, 5, [
  {
    keyQuestion: 'phase-5-zero-trust',
    choice: {
      prompt: 'Which set of measures describes a zero-trust namespace?',
      options: [
        'Allow everything inside the namespace, deny everything from outside',
        'A firewall at the cluster edge',
        'Default deny of all ingress and egress, then an explicit allow per required flow (DNS included), workload identity by labels or service accounts, and mTLS where possible',
        'Deny ingress only; egress is harmless',
      ],
      answerIndex: 2,
      explanation:
        'Nothing is trusted for being "inside"; every flow is allowed on purpose, and egress matters as much as ingress.',
    },
    guidance:
      'Mentions default-deny in both directions, per-flow allow rules, DNS egress, identity (labels, service accounts, mTLS/SPIFFE), L7 policies where the CNI or mesh allows, and verification/monitoring of denied flows.',
  },
  {
    keyQuestion: 'phase-5-monitoring-tools',
    choice: {
      prompt: 'Which tool shows individual pod-to-pod flows together with the network policy verdict?',
      options: ['metrics-server', 'Cilium Hubble', 'kube-state-metrics', 'etcdctl'],
      answerIndex: 1,
      explanation:
        'Flow logs with verdicts come from the datapath (Hubble, Calico flow logs); metrics-server and kube-state-metrics report resource usage and object state.',
    },
    guidance:
      'Names tools for several layers (flow logs: Hubble, Calico; metrics: Prometheus/Grafana; packet capture: tcpdump, ksniff; tracing/mesh telemetry) and says what question each answers.',
  },
  {
    keyQuestion: 'phase-5-service-mesh',
    choice: {
      prompt: 'How does a service mesh such as Istio improve security?',
      options: [
        'It replaces the CNI plugin',
        'It encrypts etcd',
        'Its proxies (sidecars or node-level) give workloads an identity with automatic mTLS and enforce L7 authorization policies, and emit uniform telemetry',
        'It makes NetworkPolicies unnecessary in every case',
      ],
      answerIndex: 2,
      explanation:
        'A mesh complements NetworkPolicies (L3/L4) with identity-based, L7-aware controls and observability.',
    },
    guidance:
      'Explains mTLS and workload identity, authorization policies, traffic management (retries, splitting), golden-signal telemetry and tracing, the cost (latency, resources, operations) and sidecar vs ambient designs.',
  },
]);
