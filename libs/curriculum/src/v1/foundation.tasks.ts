import type { Task } from '../curriculum.types.js';
import { PHASE_1_QUIZ } from './key-questions.tasks.js';
import {
  AGNHOST_IMAGE,
  BUSYBOX_IMAGE,
  graderTask,
  dedent,
  quizTask,
  selfCheckTask,
} from './task-builders.js';

// Step 1 (foundation) and step 2 (environment). Phase 1's Linux projects live in step 2: they are
// the first thing students build in their sandbox, and they run in the workbench, not the cluster.

export const STEP_1_TASKS: Task[] = [
  selfCheckTask({
    slug: 'foundation-kubernetes-basics',
    title: 'Kubernetes basics',
    summary: 'Refresh pods, deployments, services, namespaces and labels before the networking labs.',
    step: 1,
    instructions: dedent`
      ## Kubernetes basics

      Every lab assumes you can create and inspect the core objects with \`kubectl\`. Work through the
      "Learn Kubernetes Basics" tutorial of the official documentation (kubernetes.io/docs/tutorials) —
      the Katacoda scenarios mentioned in the plan were retired, the official docs link to their
      successors — and make sure you can do everything below in your vcluster.

      ### Checklist

      - Explain what a **pod**, a **deployment**, a **service** and a **namespace** are, in one sentence each.
      - Explain how a service finds its pods (labels and selectors).
      - Create a deployment with \`kubectl create deployment\`, scale it, and delete it.
      - Read a pod's IP and node with \`kubectl get pods -o wide\`.
      - Use \`kubectl explain pod.spec.containers.ports\` and \`kubectl describe\` to find a field or an event.
      - Open a shell in a running pod with \`kubectl exec -it <pod> -- sh\`.

      Mark the task done when you can do all of it without looking anything up.
    `,
    maxPoints: 5,
    hints: [
      'kubectl cheat sheet: https://kubernetes.io/docs/reference/kubectl/quick-reference/',
      'Ask in the cohort Q&A if a concept does not click; someone else is wondering too.',
    ],
  }),
  quizTask({
    slug: 'foundation-networking-fundamentals',
    title: 'Networking fundamentals',
    summary: 'A short quiz on IP addressing, DNS, TCP/UDP and routing.',
    step: 1,
    instructions: dedent`
      ## Networking fundamentals

      Study the basics the rest of the bootcamp relies on: IPv4 addressing and CIDR notation, DNS
      records and resolution, the difference between TCP and UDP, and how a routing table picks a
      route. Any good introductory course or tutorial works. Then take this quiz: five multiple-choice
      questions, scored immediately. You may retake it.
    `,
    hints: [
      '`ip addr`, `ip route`, `dig`/`nslookup` and `cat /etc/resolv.conf` in your workbench show all of it live.',
    ],
    quiz: [
      {
        id: 'cidr-hosts',
        kind: 'multiple_choice',
        prompt: 'How many addresses of the subnet 10.20.0.0/24 can be assigned to hosts?',
        options: ['256', '254', '255', '24'],
        answerIndex: 1,
        explanation:
          'A /24 has 256 addresses; the network address (.0) and the broadcast address (.255) are not assigned.',
        points: 2,
      },
      {
        id: 'dns-record',
        kind: 'multiple_choice',
        prompt: 'Which DNS record type maps a name to an IPv4 address?',
        options: ['AAAA', 'SRV', 'A', 'PTR'],
        answerIndex: 2,
        explanation:
          'AAAA is for IPv6, SRV names a host and port for a service, PTR maps an address back to a name.',
        points: 2,
      },
      {
        id: 'dns-transport',
        kind: 'multiple_choice',
        prompt: 'Which transport does an ordinary DNS query use?',
        options: [
          'TCP port 80',
          'UDP port 53, with TCP port 53 for large responses and zone transfers',
          'UDP port 123',
          'ICMP',
        ],
        answerIndex: 1,
        explanation: 'This is why a network policy that allows DNS must allow UDP and TCP 53.',
        points: 2,
      },
      {
        id: 'tcp-udp',
        kind: 'multiple_choice',
        prompt: 'Which statement about TCP and UDP is true?',
        options: [
          'UDP retransmits lost datagrams, TCP does not',
          'TCP sets up a connection with a handshake and delivers an ordered, reliable byte stream; UDP sends independent datagrams without delivery guarantees',
          'Both need a handshake before sending data',
          'TCP is used for DNS and UDP for HTTP',
        ],
        answerIndex: 1,
        explanation:
          'A blocked TCP port usually shows as a timeout (dropped) or "connection refused" (nothing listening).',
        points: 2,
      },
      {
        id: 'longest-prefix',
        kind: 'multiple_choice',
        prompt:
          'A host has the routes `10.0.0.0/8 via 192.168.1.1`, `10.1.0.0/16 via 192.168.1.2` and `default via 192.168.1.254`. Which gateway gets a packet to 10.1.2.3?',
        options: ['192.168.1.1', '192.168.1.2', '192.168.1.254', 'None: the packet is dropped'],
        answerIndex: 1,
        explanation: 'The most specific matching route (longest prefix) wins.',
        points: 2,
      },
    ],
  }),
];

export const STEP_2_TASKS: Task[] = [
  selfCheckTask({
    slug: 'environment-local-cluster',
    title: 'Your clusters: the vcluster and a local kind cluster',
    summary:
      'Connect to your personal vcluster and create a local kind cluster for the labs a vcluster cannot host.',
    step: 2,
    instructions: dedent`
      ## Your clusters

      Your sandbox is a **personal vcluster** (a full Kubernetes API of your own) and a **workbench** (a
      Linux shell where you are root, with \`ip\`, \`tcpdump\`, \`nc\`, \`curl\`, \`jq\` and \`go\`). Graded labs
      run there. Some later work — swapping CNI plugins, multi-node tracing — needs a cluster you control
      completely, so you also set up a local one.

      ### Do

      1. Download your kubeconfig from the dashboard (or use the workbench, where it is preconfigured) and
         run \`kubectl cluster-info\` and \`kubectl get nodes -o wide\`.
      2. On your own machine, install Docker (or Podman) and kind, then create a cluster:
         \`kind create cluster --name kc-local\`. Minikube or MicroK8s work too, but the later instructions
         use kind.
      3. Switch between the two with \`kubectl config use-context\`, and check \`kubectl get pods -A\` in each:
         compare which system pods each cluster runs (CNI, kube-proxy, CoreDNS).

      Mark the task done when both clusters answer \`kubectl get nodes\`.
    `,
    maxPoints: 5,
    hints: [
      'kind needs about 4 GB of free memory for the multi-node clusters of step 5.',
      'If your laptop cannot run kind, tell your instructor: the review tasks that need it accept design-only write-ups.',
    ],
  }),
  graderTask({
    slug: 'environment-sandbox-app',
    title: 'A sample app in your sandbox',
    summary: 'Deploy a two-replica HTTP app behind a service and watch what happens when it scales to zero.',
    step: 2,
    instructions: dedent`
      ## A sample app in your sandbox

      Deploy a small HTTP app in your vcluster and observe how the network reacts when you change it.

      ### Build
      - Namespace \`sandbox\`.
      - Deployment \`hello\` in \`sandbox\`: **2 replicas**, pod label \`app=hello\`, one container running
        \`${AGNHOST_IMAGE}\` with args \`netexec --http-port=8080\`, container port **8080** named \`http\`.
      - Service \`hello\` in \`sandbox\`: type ClusterIP, selector \`app=hello\`, port **80** → targetPort **8080**.

      The agnhost \`netexec\` server answers \`GET /hostname\` with the name of the pod that served the request.

      ### Check it yourself
      ~~~sh
      kubectl -n sandbox get deploy,svc,endpointslices
      kubectl -n sandbox run tmp --rm -it --restart=Never --image=${BUSYBOX_IMAGE} -- \\
        sh -c 'for i in 1 2 3 4 5 6; do wget -qO- http://hello/hostname; echo; done'
      ~~~
      You should see both pod names. Now simulate an outage: \`kubectl -n sandbox scale deploy/hello --replicas=0\`,
      repeat the request and look at the endpoints again. What error do you get, and why? Scale back to 2 before
      you submit.

      ### What the grader checks
      1. Namespace \`sandbox\` exists.
      2. Deployment \`hello\` has 2 ready replicas whose pods carry \`app=hello\` and expose port 8080.
      3. Service \`hello\` selects \`app=hello\`, maps port 80 to 8080 and has 2 ready endpoints.
      4. \`GET http://hello.sandbox.svc.cluster.local/hostname\` from inside the cluster returns the name of a \`hello\` pod.
    `,
    maxPoints: 10,
    hints: [
      '`kubectl create deployment hello --image=... --replicas=2 --port=8080 -- /agnhost netexec --http-port=8080` gets you most of the way; check the labels it sets.',
      'A service with no ready endpoints has nowhere to send traffic: the connection is refused or times out depending on the proxy mode.',
    ],
    grading: {
      target: 'vcluster',
      expects: {
        namespaces: ['sandbox'],
        names: ['hello', 'http'],
        labels: ['app=hello'],
        ports: [80, 8080],
        hosts: ['hello.sandbox.svc.cluster.local'],
        paths: ['/hostname'],
      },
      checks: [
        'namespace sandbox exists',
        'deployment hello has 2 ready replicas labelled app=hello with container port 8080',
        'service hello (ClusterIP) selects app=hello, port 80 -> targetPort 8080, 2 ready endpoints',
        'GET http://hello.sandbox.svc.cluster.local/hostname returns a hello pod name',
      ],
    },
  }),
  graderTask({
    slug: 'phase-1-veth-pair',
    title: 'Two namespaces joined by a veth pair',
    summary: 'Create two network namespaces, connect them with a veth pair and address both ends.',
    step: 2,
    phase: 1,
    instructions: dedent`
      ## Two namespaces joined by a veth pair

      A container's network is a Linux network namespace. Build two of them by hand and connect them with a
      virtual cable. Work **in your workbench** as root.

      ### Build

      - Network namespaces \`ns1\` and \`ns2\` (\`ip netns add\`).
      - A veth pair with one end named \`veth-ns1\` inside \`ns1\` and the other named \`veth-ns2\` inside \`ns2\`.
      - Address \`10.10.0.1/24\` on \`veth-ns1\` and \`10.10.0.2/24\` on \`veth-ns2\`.
      - Both veth ends and the loopback interface of each namespace up.

      ### Check it yourself

      ~~~sh
      ip netns exec ns1 ip addr
      ip netns exec ns1 ping -c 3 10.10.0.2
      ip netns exec ns2 ping -c 3 10.10.0.1
      ip addr            # the workbench itself sees neither end: isolation
      ~~~

      Capture the ping with \`ip netns exec ns2 tcpdump -ni veth-ns2\` in a second terminal.

      ### What the grader checks

      1. Namespaces \`ns1\` and \`ns2\` exist.
      2. \`veth-ns1\` in \`ns1\` has \`10.10.0.1/24\` and is up; \`veth-ns2\` in \`ns2\` has \`10.10.0.2/24\` and is up.
      3. The two interfaces are the two ends of the same veth pair.
      4. \`ns1\` pings \`10.10.0.2\` and \`ns2\` pings \`10.10.0.1\`.

      Namespaces live as long as your workbench: keep your commands in a script (e.g. \`~/labs/veth.sh\`) so you
      can rebuild after a restart.
    `,
    maxPoints: 15,
    hints: [
      'You can create a veth pair and place both ends in one command: `ip link add veth-ns1 netns ns1 type veth peer name veth-ns2 netns ns2`.',
      'A new namespace has its loopback down: `ip netns exec ns1 ip link set lo up`.',
      '`ip -d link show` inside a namespace prints the interface type (veth) and its peer index.',
    ],
    grading: {
      target: 'workbench',
      expects: {
        namespaces: ['ns1', 'ns2'],
        names: ['veth-ns1', 'veth-ns2'],
        labels: [],
        ports: [],
        addresses: ['10.10.0.1/24', '10.10.0.2/24', '10.10.0.1', '10.10.0.2'],
      },
      checks: [
        'network namespaces ns1 and ns2 exist',
        'veth-ns1 in ns1 has 10.10.0.1/24 and is up',
        'veth-ns2 in ns2 has 10.10.0.2/24 and is up',
        'veth-ns1 and veth-ns2 are peers of one veth pair',
        'ns1 pings 10.10.0.2 and ns2 pings 10.10.0.1',
      ],
    },
  }),
  graderTask({
    slug: 'phase-1-bridge',
    title: 'A bridge joining three namespaces',
    summary: 'Connect three namespaces to one Linux bridge, like pods on a node.',
    step: 2,
    phase: 1,
    instructions: dedent`
      ## A bridge joining three namespaces

      Many CNI plugins put every pod of a node on one Linux bridge. Build that topology with three namespaces.
      Work **in your workbench** as root.

      ### Build

      - A bridge \`br0\` in the workbench (root namespace) with address \`10.20.0.1/24\`, up.
      - Namespaces \`red\`, \`green\` and \`blue\`.
      - For each namespace a veth pair: the end inside the namespace is named \`eth0\`; the end in the root namespace
        is named \`veth-red\`, \`veth-green\` or \`veth-blue\` and is attached to \`br0\`.
      - Addresses: \`10.20.0.11/24\` in \`red\`, \`10.20.0.12/24\` in \`green\`, \`10.20.0.13/24\` in \`blue\`.
      - In each namespace, a default route via \`10.20.0.1\`; all interfaces (and \`lo\`) up.

      ### Check it yourself

      ~~~sh
      bridge link                       # three ports on br0
      ip netns exec red ping -c 2 10.20.0.12
      ip netns exec red ping -c 2 10.20.0.13
      ip netns exec blue ping -c 2 10.20.0.1
      ip netns exec red ip neigh        # the MAC addresses red learned
      ~~~

      ### What the grader checks

      1. \`br0\` is a bridge, up, with \`10.20.0.1/24\`.
      2. \`veth-red\`, \`veth-green\` and \`veth-blue\` are up and attached to \`br0\`.
      3. \`eth0\` in \`red\`, \`green\` and \`blue\` carries \`10.20.0.11/24\`, \`10.20.0.12/24\` and \`10.20.0.13/24\`.
      4. Each namespace has a default route via \`10.20.0.1\` and pings the other two and the bridge.
    `,
    maxPoints: 15,
    hints: [
      '`ip link add br0 type bridge`, then `ip link set veth-red master br0`.',
      'If pings between namespaces fail while pings to 10.20.0.1 work, bridged traffic may be going through iptables (br_netfilter): `iptables -A FORWARD -i br0 -o br0 -j ACCEPT`.',
      'Interface names must be unique per namespace only, so each namespace can have its own `eth0`.',
    ],
    grading: {
      target: 'workbench',
      expects: {
        namespaces: ['red', 'green', 'blue'],
        names: ['br0', 'veth-red', 'veth-green', 'veth-blue', 'eth0'],
        labels: [],
        ports: [],
        addresses: ['10.20.0.1/24', '10.20.0.11/24', '10.20.0.12/24', '10.20.0.13/24', '10.20.0.1'],
      },
      checks: [
        'br0 is a bridge, up, with 10.20.0.1/24',
        'veth-red, veth-green and veth-blue are up and enslaved to br0',
        'eth0 in red/green/blue has 10.20.0.11/24, 10.20.0.12/24, 10.20.0.13/24',
        'each namespace has default via 10.20.0.1',
        'full mesh ping between red, green, blue and to 10.20.0.1',
      ],
    },
  }),
  graderTask({
    slug: 'phase-1-routing',
    title: 'Routing between two subnets',
    summary: 'Route traffic between two subnets through a router namespace.',
    step: 2,
    phase: 1,
    instructions: dedent`
      ## Routing between two subnets

      Nodes route pod traffic between subnets. Build a router namespace that joins two subnets. Work **in your
      workbench** as root.

      ### Build

      - Namespaces \`left\`, \`right\` and \`router\`.
      - \`left\` ↔ \`router\`: a veth pair, \`eth0\` in \`left\` with \`10.30.1.10/24\`, \`to-left\` in \`router\` with \`10.30.1.1/24\`.
      - \`right\` ↔ \`router\`: a veth pair, \`eth0\` in \`right\` with \`10.30.2.10/24\`, \`to-right\` in \`router\` with \`10.30.2.1/24\`.
      - IP forwarding on in \`router\` (\`net.ipv4.ip_forward=1\` inside that namespace).
      - Default route in \`left\` via \`10.30.1.1\`, in \`right\` via \`10.30.2.1\`.

      ### Check it yourself

      ~~~sh
      ip netns exec left ip route get 10.30.2.10     # via 10.30.1.1
      ip netns exec left ping -c 3 10.30.2.10
      ip netns exec router tcpdump -ni to-right icmp  # in a second terminal
      ip netns exec right nc -l -p 9000 &              # then: echo hi | ip netns exec left nc 10.30.2.10 9000
      ~~~

      ### What the grader checks

      1. The three namespaces exist with the interfaces and addresses above.
      2. Forwarding is enabled in \`router\`; \`left\` routes \`10.30.2.10\` via \`10.30.1.1\` and \`right\` routes
         \`10.30.1.10\` via \`10.30.2.1\`.
      3. \`left\` and \`right\` ping each other.
      4. The grader listens on TCP port 9000 in \`right\` and connects to it from \`left\` (and the other way round).
    `,
    maxPoints: 15,
    hints: [
      'Name both ends at creation time and place them directly: `ip link add to-left netns router type veth peer name eth0 netns left`.',
      'Forwarding is a per-namespace setting: `ip netns exec router sysctl -w net.ipv4.ip_forward=1`.',
      'If ping works one way only, check the return route of the other side.',
    ],
    grading: {
      target: 'workbench',
      expects: {
        namespaces: ['left', 'right', 'router'],
        names: ['eth0', 'to-left', 'to-right', 'net.ipv4.ip_forward'],
        labels: [],
        ports: [9000],
        addresses: [
          '10.30.1.10/24',
          '10.30.2.10/24',
          '10.30.1.1/24',
          '10.30.2.1/24',
          '10.30.1.1',
          '10.30.2.1',
        ],
      },
      checks: [
        'namespaces left, right and router exist',
        'eth0 in left has 10.30.1.10/24, eth0 in right has 10.30.2.10/24',
        'to-left in router has 10.30.1.1/24, to-right has 10.30.2.1/24',
        'net.ipv4.ip_forward is 1 in router',
        'left routes 10.30.2.10 via 10.30.1.1; right routes 10.30.1.10 via 10.30.2.1',
        'left and right ping each other',
        'TCP 9000 in right is reachable from left and TCP 9000 in left from right',
      ],
    },
  }),
  PHASE_1_QUIZ,
];
