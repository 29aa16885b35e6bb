import type { Fault, GraderTask, Task } from '../curriculum.types.js';
import { PHASE_4_QUIZ, PHASE_5_QUIZ } from './key-questions.tasks.js';
import {
  AGNHOST_IMAGE,
  BUSYBOX_IMAGE,
  graderTask,
  dedent,
  reviewTask,
  selfCheckTask,
} from './task-builders.js';

// Step 5: troubleshooting incidents (graded), then the work a per-student vcluster cannot prove —
// multi-node tracing, service meshes, threat feeds, observability, the AWS side of EKS — as reviews
// or self-checks with a concrete deliverable, plus the zero-trust namespace, which it can prove.

/** What the worker may break in the troubleshooting app; one per incident, never repeated for a student. */
export const TROUBLESHOOTING_FAULTS: Fault[] = [
  {
    id: 'broken-selector',
    description:
      'Service web selects a label no pod has (e.g. app=web-v2): no endpoints, requests through the service time out or are refused.',
  },
  {
    id: 'wrong-target-port',
    description:
      'Service web targets port 8081 instead of 8080: endpoints exist, but the policies only open 8080, so requests time out (504 through the ingress); without the policies they would be refused.',
  },
  {
    id: 'deny-all-policy',
    description:
      'allow-client-to-web and allow-ingress-controller lose their rules, so default-deny blocks all traffic to web: requests time out.',
  },
  {
    id: 'dns-egress-blocked',
    description:
      'allow-dns is removed or allows the wrong port: names do not resolve, calls by pod IP still work.',
  },
  {
    id: 'wrong-ingress-backend',
    description:
      'Ingress web points to a service or port that does not exist (e.g. web-v2 or port 8080): 503 through the ingress, in-cluster calls work.',
  },
];

function troubleshootingIncident(number: number): GraderTask {
  return graderTask({
    slug: `troubleshooting-incident-${number}`,
    title: `Troubleshooting incident ${number}`,
    summary: 'Something in the troubleshoot app is broken. Find the symptom, the cause, and fix it.',
    step: 5,
    phase: 3,
    instructions: dedent`
      ## Troubleshooting incident ${number}

      When you start this task, the platform deploys a small app into namespace \`troubleshoot\` of your
      vcluster (replacing what was there) and **breaks it in one way**. Every incident breaks something
      different. Find the symptom, find the cause, fix it. Restarting the task redeploys the app with the same
      fault, if you need a clean slate.

      ### The app, as it should be (your runbook)
      - Deployment \`web\`: 2 replicas, label \`app=web\`, \`${AGNHOST_IMAGE}\` netexec on port **8080**.
      - Service \`web\`: ClusterIP, selector \`app=web\`, port **80** → 8080.
      - Deployment \`client\`: label \`app=client\`, \`${BUSYBOX_IMAGE}\`, calls \`http://web/hostname\` every 5 seconds
        and logs the answer.
      - Ingress \`web\`: class \`nginx\`, host \`web.troubleshoot.test\` → service \`web\` port 80 (it uses the
        ingress-nginx controller from Lab 4).
      - NetworkPolicies: \`default-deny\` (every pod, \`policyTypes: [Ingress, Egress]\`), \`allow-dns\` (every pod may reach
        CoreDNS on port **53**), \`allow-client-to-web\` (\`app=client\` → \`app=web\` on 8080) and
        \`allow-ingress-controller\` (namespace \`ingress-nginx\` → \`app=web\` on 8080).

      ### Work the incident
      1. **Symptom**: \`kubectl -n troubleshoot logs deploy/client --tail=20\`; through the ingress:
         \`kubectl -n ingress-nginx port-forward svc/ingress-nginx-controller 8080:80\` and
         \`curl -H 'Host: web.troubleshoot.test' http://localhost:8080/hostname\`. Timeout, refused, 503, or a
         name that does not resolve? Each points somewhere else.
      2. **Narrow it down**, layer by layer: DNS (\`kubectl -n troubleshoot exec deploy/client -- nslookup web\`),
         the service and its endpoints (\`kubectl -n troubleshoot get svc,endpointslices -o wide\`,
         \`describe svc web\`), the pods and their labels (\`get pods --show-labels -o wide\`), a direct call to a
         pod IP (\`exec deploy/client -- wget -qO- -T 3 http://<pod-ip>:8080/hostname\`), the policies
         (\`get networkpolicy -o yaml\`), the ingress (\`describe ingress web\`, controller logs). If your sandbox
         allows ephemeral containers, \`kubectl debug\` with \`nicolaka/netshoot\` and \`tcpdump\` shows where packets stop.
      3. **Fix the cause in place**: edit the broken object. Do not delete the namespace or rebuild the app
         differently — the grader checks it is still the app above.
      4. **Write it down** — symptom, evidence, root cause, fix — for \`troubleshooting-postmortem\`.

      ### Resolved means (what the grader checks)
      1. From a \`client\` pod, \`GET http://web.troubleshoot.svc.cluster.local/hostname\` returns a \`web\` pod name.
      2. Through Service \`ingress-nginx-controller\` (namespace \`ingress-nginx\`, port 80) with
         \`Host: web.troubleshoot.test\`, \`/hostname\` returns a \`web\` pod name (sent from the controller's own
         pod, label \`app.kubernetes.io/component=controller\`).
      3. It is still the app: deployment \`web\` has 2 ready replicas labelled \`app=web\`, service \`web\` selects
         \`app=web\` on port 80, ingress \`web\` serves host \`web.troubleshoot.test\`.
      4. Isolation is intact: \`default-deny\` still exists and a grader pod labelled \`app=probe\` in
         \`troubleshoot\` cannot reach \`web\` on 8080, nor can one in namespace \`default\`.
    `,
    maxPoints: 15,
    hints: [
      'Timeout usually means dropped (policy, no endpoints behind some proxies); "connection refused" means the packet arrived and nothing listens on that port.',
      'Empty endpoints with running pods: compare the service selector with the pod labels.',
      'Works by pod IP but not by name: look at DNS, and at what may block traffic to CoreDNS.',
      'Works in the cluster but not through the ingress: compare the ingress backend with the service name and port.',
    ],
    grading: {
      target: 'vcluster',
      expects: {
        namespaces: ['troubleshoot', 'ingress-nginx', 'default'],
        names: [
          'web',
          'client',
          'default-deny',
          'allow-dns',
          'allow-client-to-web',
          'allow-ingress-controller',
          'ingress-nginx-controller',
          'nginx',
        ],
        labels: ['app=web', 'app=client', 'app=probe'],
        ports: [53, 80, 8080],
        hosts: ['web.troubleshoot.test', 'web.troubleshoot.svc.cluster.local'],
        paths: ['/hostname'],
      },
      checks: [
        'exec in a client pod: GET http://web.troubleshoot.svc.cluster.local/hostname returns a web pod',
        'via service ingress-nginx-controller:80 with Host web.troubleshoot.test: GET /hostname returns a web pod',
        'deployment web: 2 ready replicas labelled app=web; service web selects app=web on port 80; ingress web serves web.troubleshoot.test',
        'network policy default-deny exists; grader pod app=probe in troubleshoot (or in default) cannot reach web:8080',
      ],
      faults: TROUBLESHOOTING_FAULTS,
    },
  });
}

export const STEP_5_TASKS: Task[] = [
  troubleshootingIncident(1),
  troubleshootingIncident(2),
  troubleshootingIncident(3),
  reviewTask({
    slug: 'troubleshooting-postmortem',
    title: 'Troubleshooting postmortem',
    summary: 'Write up your three incidents: symptom, evidence, root cause, fix, prevention.',
    step: 5,
    phase: 3,
    instructions: dedent`
      ## Troubleshooting postmortem

      Write a short blameless postmortem for each of your three incidents (half a page each):

      - **Symptom**: what a user of the app would have seen, and how you observed it.
      - **Evidence**: the commands you ran and the lines of output that mattered (kubectl, logs, DNS lookups,
        a tcpdump capture if you could take one).
      - **Root cause** and **fix** (the exact change).
      - **Prevention**: a check, alert or policy-as-code rule that would catch it earlier.

      End with one paragraph: which layer-by-layer order of checks would you follow next time, and why.
    `,
    hints: ['Paste output as text, not screenshots, and cut it to the lines that prove your point.'],
    rubric: [
      { id: 'symptoms', criterion: 'Symptoms described precisely for all three incidents', points: 4 },
      {
        id: 'evidence',
        criterion: 'Evidence supports each diagnosis (commands and relevant output)',
        points: 6,
      },
      { id: 'root-cause', criterion: 'Correct root cause and minimal fix for each incident', points: 6 },
      { id: 'prevention', criterion: 'Useful prevention ideas and a sensible general method', points: 4 },
    ],
  }),
  reviewTask({
    slug: 'advanced-multi-node',
    title: 'Multi-node clusters: follow a packet between nodes',
    summary:
      'On a local multi-node kind cluster, trace pod-to-pod traffic across nodes and explain every hop.',
    step: 5,
    phase: 3,
    instructions: dedent`
      ## Multi-node clusters: follow a packet between nodes

      Your vcluster's nodes belong to the host, so build a multi-node cluster locally (kind, 1 control plane +
      2 workers, default CNI kindnet, or a cloud sandbox if you have one) and trace inter-node traffic.

      ### Do

      1. Create the cluster and record each node's pod CIDR:
         \`kubectl get nodes -o custom-columns=NAME:.metadata.name,CIDR:.spec.podCIDR,IP:.status.addresses[0].address\`.
      2. Run two pods pinned to different workers (\`nodeName\`), e.g. \`nicolaka/netshoot\`, and ping / curl between them.
      3. On each node (\`docker exec -it <node> bash\`), show the routing table and the pod's veth, and capture
         the traffic on the node's \`eth0\` and on the pod's veth (\`tcpdump -ni <if>\`; install tcpdump in the node
         container or use a \`hostNetwork\` netshoot pod).
      4. Repeat for two pods on the same node and compare.

      ### Deliverable

      A report: the cluster config, the node/pod CIDR table, the routes, the captures (text), and a hop-by-hop
      explanation of a packet from pod A on one worker to pod B on the other — which addresses it carries at
      each hop, whether it is encapsulated, which routing decision sends it where. Conclude with how a
      different CNI (overlay vs routed) would change the path.
    `,
    hints: [
      "kindnet routes each node's pod CIDR via that node's IP: no encapsulation, so the pod IPs are visible on eth0.",
      'A kind config with `nodes: [{role: control-plane}, {role: worker}, {role: worker}]` is all you need.',
    ],
    rubric: [
      {
        id: 'setup',
        criterion: 'Multi-node cluster and pod placement shown (nodes, CIDRs, pod IPs)',
        points: 5,
      },
      { id: 'routing', criterion: 'Node routing tables and interfaces correctly explained', points: 6 },
      {
        id: 'trace',
        criterion: 'Captures on the right interfaces support a hop-by-hop explanation',
        points: 8,
      },
      {
        id: 'insight',
        criterion: 'Same-node vs cross-node and overlay vs routed compared correctly',
        points: 6,
      },
    ],
  }),
  selfCheckTask({
    slug: 'advanced-service-mesh',
    title: 'Service mesh overview',
    summary: 'Learn what a mesh adds on top of the network; optionally install one on kind.',
    step: 5,
    phase: 5,
    instructions: dedent`
      ## Service mesh overview

      Learn the concepts behind service meshes (Istio, Linkerd): a proxy per workload or per node, workload
      identity and mutual TLS, L7 routing (retries, timeouts, traffic splitting), authorization policies,
      telemetry. Read the Istio "concepts" pages and compare the sidecar and ambient data planes.

      **Optional** (on your local kind cluster, not the vcluster): install Istio or Linkerd, deploy two versions
      of an app and split traffic 90/10 between them; enable strict mTLS and show that a pod outside the mesh
      can no longer call a meshed one.

      ### Checklist

      - You can explain what the mesh does that a NetworkPolicy cannot, and the reverse.
      - You can explain how mTLS identities are issued and checked.
      - (Optional) You ran the traffic split and the strict-mTLS test and kept the manifests.

      Mark the task done when the checklist is true; bring questions to the cohort Q&A.
    `,
    maxPoints: 5,
    hints: ['A mesh needs memory: give Docker at least 6 GB before installing Istio on kind.'],
  }),
  graderTask({
    slug: 'phase-5-zero-trust-namespace',
    title: 'A zero-trust namespace',
    summary: 'Default-deny in both directions, then allow exactly the flows a three-service app needs.',
    step: 5,
    phase: 5,
    instructions: dedent`
      ## A zero-trust namespace

      Harden one namespace to least privilege: nothing talks unless a policy says so, in either direction.
      (The source project targets an EKS cluster; the same manifests work there with a policy-enforcing CNI —
      here you build and prove them in your vcluster.)

      ### Build (namespace \`zero-trust\`)
      - Deployments \`frontend\`, \`orders\` and \`payments\`, 1 replica each, labels \`app=frontend\`, \`app=orders\`,
        \`app=payments\`; each with one container named \`agnhost\` running \`${AGNHOST_IMAGE}\` with args
        \`netexec --http-port=8080\`, port **8080** (the grader execs \`/agnhost connect\` in them).
      - Services \`frontend\`, \`orders\` and \`payments\`, port **8080** → 8080.
      - NetworkPolicy \`default-deny-all\`: selects every pod, \`policyTypes: [Ingress, Egress]\`, no rules.
      - NetworkPolicy \`allow-dns\`: every pod may send UDP and TCP port **53** to CoreDNS (namespace
        \`kube-system\`, label \`k8s-app=kube-dns\`).
      - Further policies (name them as you like) allowing **only** these flows, each on TCP 8080, with an
        egress rule on the caller and an ingress rule on the callee:
        - \`frontend\` → \`orders\`
        - \`orders\` → \`payments\`

      ### Check it yourself
      ~~~sh
      kubectl -n zero-trust exec deploy/frontend -- /agnhost connect orders:8080 --timeout=3s     # allowed
      kubectl -n zero-trust exec deploy/orders   -- /agnhost connect payments:8080 --timeout=3s   # allowed
      kubectl -n zero-trust exec deploy/frontend -- /agnhost connect payments:8080 --timeout=3s   # blocked
      kubectl -n zero-trust exec deploy/payments -- /agnhost connect orders:8080 --timeout=3s     # blocked
      kubectl -n zero-trust exec deploy/frontend -- /agnhost connect kubernetes.default:443 --timeout=3s   # blocked
      ~~~

      ### What the grader checks
      1. The deployments, services and the policies \`default-deny-all\` and \`allow-dns\` exist as described.
      2. Allowed: \`frontend\` → \`orders:8080\` and \`orders\` → \`payments:8080\` (by service name, so DNS works).
      3. Blocked: \`frontend\` → \`payments\`, \`payments\` → \`orders\`, \`payments\` → \`frontend\`, \`orders\` → \`frontend\`,
         and \`frontend\` → \`kubernetes.default\` port 443.
      4. Blocked: a grader pod labelled \`app=probe\` in \`zero-trust\` reaches none of the three services.
    `,
    maxPoints: 25,
    hints: [
      'With egress denied, every flow needs two allowances: egress on the caller and ingress on the callee.',
      'Test DNS first (`nslookup` needs egress to port 53); every other test depends on it.',
      'Prefer selecting peers by pod labels, never by IP: pod IPs change.',
    ],
    grading: {
      target: 'vcluster',
      expects: {
        namespaces: ['zero-trust', 'kube-system'],
        names: [
          'frontend',
          'orders',
          'payments',
          'agnhost',
          'default-deny-all',
          'allow-dns',
          'kubernetes.default',
        ],
        labels: ['app=frontend', 'app=orders', 'app=payments', 'app=probe', 'k8s-app=kube-dns'],
        ports: [53, 443, 8080],
      },
      checks: [
        'deployments frontend, orders, payments ready with labels app=<name> and container agnhost on 8080; services on 8080',
        'network policy default-deny-all selects all pods with policyTypes [Ingress, Egress] and no rules',
        'network policy allow-dns allows egress UDP/TCP 53 to k8s-app=kube-dns in kube-system',
        'exec frontend: connect orders:8080 ok; exec orders: connect payments:8080 ok',
        'exec frontend: payments:8080 blocked; exec payments: orders:8080 and frontend:8080 blocked; exec orders: frontend:8080 blocked',
        'exec frontend: kubernetes.default:443 blocked',
        'grader pod app=probe in zero-trust: frontend, orders, payments on 8080 all blocked',
      ],
    },
  }),
  reviewTask({
    slug: 'phase-4-eks-vpc-design',
    title: 'Design a production-grade VPC for EKS',
    summary: 'A VPC and subnet plan for EKS with the VPC CNI, as a design document and infrastructure code.',
    step: 5,
    phase: 4,
    instructions: dedent`
      ## Design a production-grade VPC for EKS

      A vcluster cannot show you AWS networking, so this is a design you submit for review. Applying it in an AWS
      account is optional — mind the cost of NAT gateways and load balancers, and tear everything down.

      ### Deliverable

      1. A design document (markdown with a diagram) for a cluster of up to 60 nodes that may run 30 pods per node:
         - the VPC CIDR and the subnets per Availability Zone (3 AZs): public, private for nodes, and — if you use
           them — separate pod subnets; **show the arithmetic**: how many IPs the VPC CNI consumes with your
           settings (warm pool, prefix delegation or not);
         - egress: NAT gateways (one per AZ or one in total, and why) and the VPC endpoints you add (e.g. ECR, S3,
           STS) to keep traffic private;
         - the subnet tags load balancers need (\`kubernetes.io/role/elb\`, \`kubernetes.io/role/internal-elb\`);
         - how you would grow when IPs run out (secondary CIDR with custom networking, prefix delegation, IPv6).
      2. Infrastructure code for it: Terraform, eksctl config or CloudFormation/CDK. If you applied it, add the
         output of \`aws ec2 describe-subnets\` for the VPC.
    `,
    hints: [
      'With the VPC CNI every pod takes a VPC IP: size private subnets for nodes × (max pods + warm pool), not for nodes alone.',
      'Prefix delegation assigns /28 prefixes to ENIs; it raises pod density but needs contiguous free space in the subnet.',
    ],
    rubric: [
      {
        id: 'cidr-plan',
        criterion: 'CIDR and subnet plan across 3 AZs with correct IP arithmetic for the VPC CNI',
        points: 8,
      },
      {
        id: 'egress',
        criterion: 'Public/private separation, NAT strategy and VPC endpoints justified',
        points: 6,
      },
      {
        id: 'vpc-cni',
        criterion: 'VPC CNI settings (warm pool, prefix delegation, custom networking) chosen and explained',
        points: 6,
      },
      { id: 'load-balancers', criterion: 'Subnet tagging and growth path covered', points: 4 },
      { id: 'iac', criterion: 'Infrastructure code matches the design and is reviewable', points: 6 },
    ],
  }),
  reviewTask({
    slug: 'phase-4-security-groups-nacls',
    title: 'Security groups and NACLs for EKS pods',
    summary:
      'Design security groups, NACLs and Security Groups for Pods, and show how they layer with NetworkPolicies.',
    step: 5,
    phase: 4,
    instructions: dedent`
      ## Security groups and NACLs for EKS pods

      Control traffic to and from EKS pods at the AWS layers, for the VPC you designed. Submit for review;
      applying it is optional.

      ### Deliverable

      1. Tables of rules: the cluster security group, the node security group, one **Security Group for Pods**
         (a \`SecurityGroupPolicy\` that gives the \`payments\` pods their own group allowing only the \`orders\` pods
         and an RDS database), and the NACLs of the private subnets — remember NACLs are stateless (return
         traffic on ephemeral ports 1024–65535).
      2. The \`SecurityGroupPolicy\` manifest and the VPC CNI setting it requires (\`ENABLE_POD_ENI\`).
      3. A worked example: one request from \`orders\` to \`payments\` to the database, naming every layer it passes
         (NACL, security group, NetworkPolicy) and the rule that allows it at each.
      4. One paragraph: what belongs in AWS rules and what in Kubernetes NetworkPolicies, and why.
    `,
    hints: [
      'Security Groups for Pods need Nitro instance types and trunk ENIs; not every instance type supports them.',
    ],
    rubric: [
      {
        id: 'security-groups',
        criterion: 'Cluster, node and pod security groups correct and least-privilege',
        points: 7,
      },
      { id: 'nacls', criterion: 'NACL rules correct, including stateless return traffic', points: 5 },
      { id: 'layering', criterion: 'Worked example shows each layer and rule correctly', points: 5 },
      { id: 'manifest', criterion: 'SecurityGroupPolicy manifest and VPC CNI setting correct', points: 3 },
    ],
  }),
  reviewTask({
    slug: 'phase-4-load-balancer',
    title: 'Expose an application with an AWS Load Balancer',
    summary:
      'Manifests for an NLB and an ALB with the AWS Load Balancer Controller, and the choices behind them.',
    step: 5,
    phase: 4,
    instructions: dedent`
      ## Expose an application with an AWS Load Balancer

      Expose an application to the internet on EKS with the **AWS Load Balancer Controller**. Submit for review;
      deploying it in an AWS account is optional (delete the load balancers afterwards).

      ### Deliverable

      1. A Service of type \`LoadBalancer\` that gets an internet-facing **NLB** with IP targets
         (annotations \`service.beta.kubernetes.io/aws-load-balancer-type: external\`,
         \`service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: ip\`,
         \`service.beta.kubernetes.io/aws-load-balancer-scheme: internet-facing\`).
      2. An Ingress with \`ingressClassName: alb\` for an internet-facing **ALB** with IP targets and TLS from ACM.
      3. An explanation: instance vs IP targets (extra hop, source IP, health checks), which subnets the
         controller picks and why (tags), which security groups it creates or needs, and when you would use an
         NLB, an ALB, or one shared ALB for several Ingresses (\`alb.ingress.kubernetes.io/group.name\`).
      4. If you deployed it: \`kubectl get svc,ingress\` and a \`curl\` to the load balancer's DNS name.
    `,
    hints: [
      'The in-tree cloud provider also creates load balancers for Services; the controller takes over when the `external` type annotation is set.',
    ],
    rubric: [
      { id: 'nlb', criterion: 'NLB Service manifest correct (type, annotations, ports)', points: 6 },
      { id: 'alb', criterion: 'ALB Ingress manifest correct (class, scheme, target type, TLS)', points: 6 },
      {
        id: 'explanation',
        criterion: 'Target types, subnet discovery and security groups explained correctly',
        points: 5,
      },
      {
        id: 'evidence',
        criterion: 'Deployment evidence, or a sound dry-run walkthrough of what would be created',
        points: 3,
      },
    ],
  }),
  reviewTask({
    slug: 'phase-5-threat-detection',
    title: 'Integrate threat feeds',
    summary:
      'Design (and optionally demonstrate on kind) how threat feeds detect and block malicious traffic.',
    step: 5,
    phase: 5,
    instructions: dedent`
      ## Integrate threat feeds

      Threat feeds (lists of known-bad IPs and domains) and intrusion detection need node- or cloud-level access
      your vcluster does not give, so design the integration and, if you can, demonstrate it on your local kind
      cluster.

      ### Deliverable

      1. Pick a tool chain and justify it: e.g. Calico (\`GlobalThreatFeed\` / \`GlobalNetworkSet\` feeding a
         \`GlobalNetworkPolicy\`), Falco with network rules, Suricata on the nodes, or Amazon GuardDuty EKS
         protection.
      2. Show how a feed gets in (source, refresh interval, format), what it detects or blocks (egress to a bad IP,
         DNS lookups of bad domains), and where alerts go (Slack, SIEM, the cohort Discord...).
      3. Configuration: the manifests or rules you would apply.
      4. A test plan — how you would prove it works without touching real malware (e.g. put a harmless test IP in
         your own feed) — and, optionally, its output from kind.
      5. Limits: false positives, evasion (CDNs, DNS over HTTPS), operational cost.
    `,
    hints: ['A feed that blocks nothing you can test is hard to trust: build the test into the design.'],
    rubric: [
      {
        id: 'design',
        criterion: 'Tool choice, feed ingestion, enforcement and alerting path explained',
        points: 8,
      },
      { id: 'config', criterion: 'Concrete, plausible configuration (manifests or rules)', points: 6 },
      { id: 'test-plan', criterion: 'Safe test plan (and optional demo output)', points: 4 },
      { id: 'limits', criterion: 'Limits and operational cost discussed honestly', points: 2 },
    ],
  }),
  reviewTask({
    slug: 'phase-5-observability',
    title: 'Observe network traffic',
    summary: 'Deploy a network observability tool on kind and use it to explain allowed and denied flows.',
    step: 5,
    phase: 5,
    instructions: dedent`
      ## Observe network traffic

      Deploy an observability tool that shows network flows — e.g. Cilium with **Hubble**, Calico's flow logs
      (Calico Cloud or Calico Enterprise trial, or Calico's open-source flow viewer), or Prometheus and Grafana with
      CNI metrics — on your **local kind cluster**, and point it at the zero-trust manifests from
      \`phase-5-zero-trust-namespace\`.

      ### Deliverable

      1. How you installed it (commands, versions).
      2. Evidence of **allowed and denied flows** between the three services: flow logs or screenshots with the
         policy verdicts, and one dashboard or query showing traffic volume over time.
      3. Interpretation: which question each view answers during an incident (who talks to whom, what got
         dropped and by which policy, where latency comes from), and one alert you would configure.
    `,
    hints: [
      '`hubble observe --namespace zero-trust --verdict DROPPED` is the fastest way to see a policy at work.',
    ],
    rubric: [
      { id: 'install', criterion: 'Tool installed reproducibly', points: 6 },
      { id: 'flows', criterion: 'Allowed and denied flows shown with verdicts', points: 8 },
      {
        id: 'interpretation',
        criterion: 'Views interpreted for incident response; sensible alert',
        points: 6,
      },
    ],
  }),
  PHASE_4_QUIZ,
  PHASE_5_QUIZ,
];
