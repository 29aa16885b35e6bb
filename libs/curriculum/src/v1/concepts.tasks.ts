import type { Task } from '../curriculum.types.js';
import { PHASE_2_QUIZ, PHASE_3_QUIZ } from './key-questions.tasks.js';
import { AGNHOST_IMAGE, BUSYBOX_IMAGE, graderTask, dedent } from './task-builders.js';

// Step 3 (concepts): pod networking through a CNI plugin the student writes (phase 2), then
// services, in-namespace policies and egress in the vcluster (phase 3). Ingress is Lab 4.

export const STEP_3_TASKS: Task[] = [
  graderTask({
    slug: 'phase-2-cni-plugin',
    title: 'Write a CNI plugin',
    summary:
      'Write a bridge CNI plugin that wires a network namespace with a veth pair, following the CNI spec.',
    step: 3,
    phase: 2,
    instructions: dedent`
      ## Write a CNI plugin

      A container runtime creates a pod's network namespace and then runs a CNI plugin to connect it. Write that
      plugin: it does what you did by hand in the bridge lab, driven by the CNI spec (version 1.0.0). Use any
      language — Go with \`github.com/containernetworking/cni/pkg/skel\` and \`.../plugins/pkg/ns\` is the classic
      choice, a shell script with \`ip\` and \`jq\` is fine too.

      ### Build

      An executable at \`/opt/cni/bin/kc-cni\` in your **workbench**. It is invoked per the CNI spec:

      - the operation in \`CNI_COMMAND\`: \`ADD\`, \`CHECK\`, \`DEL\` or \`VERSION\`;
      - \`CNI_CONTAINERID\`, \`CNI_NETNS\` (a path such as \`/var/run/netns/kc-grade-a\`), \`CNI_IFNAME\` (\`eth0\`),
        \`CNI_PATH\` (\`/opt/cni/bin\`) and possibly \`CNI_ARGS\` in the environment;
      - the network configuration as JSON on **stdin**. The grader sends exactly this (plus \`prevResult\` for
        CHECK and DEL):

      ~~~json
      {
        "cniVersion": "1.0.0",
        "name": "kc-net",
        "type": "kc-cni",
        "bridge": "kc0",
        "subnet": "10.244.50.0/24",
        "gateway": "10.244.50.1"
      }
      ~~~

      Behaviour:

      - **ADD**: make sure bridge \`kc0\` exists, is up and has \`10.244.50.1/24\`; create a veth pair, move one end
        into \`CNI_NETNS\` named \`CNI_IFNAME\`, attach the other end to \`kc0\`; allocate a free address from
        \`10.244.50.0/24\` (from .2 upwards, one per container id, remembered on disk — that is your IPAM); assign
        it, bring everything up, add a default route via \`10.244.50.1\`; print a CNI result on stdout:
        \`{"cniVersion":"1.0.0","interfaces":[...],"ips":[{"address":"10.244.50.2/24","gateway":"10.244.50.1","interface":1}],"routes":[{"dst":"0.0.0.0/0","gw":"10.244.50.1"}]}\`.
      - **CHECK**: exit 0 if the interface still exists in the namespace with the address from \`prevResult\`,
        otherwise fail with an error.
      - **DEL**: remove the host-side veth (the pair goes with it) and release the address. DEL must succeed even
        when the interface or the namespace is already gone, and when called twice.
      - **VERSION**: print \`{"cniVersion":"1.0.0","supportedVersions":["0.4.0","1.0.0"]}\`.
      - **Errors**: exit non-zero and print \`{"cniVersion":"1.0.0","code":N,"msg":"..."}\` on stdout — code 1 for
        an unsupported \`cniVersion\`, 4 for an unknown \`CNI_COMMAND\` or missing variables, 7 for an invalid
        configuration.

      The source asks for a plugin that "creates network namespaces": in CNI the **runtime** creates the
      namespace and the plugin configures it, so your own test script plays the runtime (\`ip netns add\`).

      ### Check it yourself

      ~~~sh
      cat > /etc/cni/net.d/10-kc-net.conf <<'EOF'
      {"cniVersion":"1.0.0","name":"kc-net","type":"kc-cni","bridge":"kc0","subnet":"10.244.50.0/24","gateway":"10.244.50.1"}
      EOF
      ip netns add t1
      CNI_COMMAND=ADD CNI_CONTAINERID=t1 CNI_NETNS=/var/run/netns/t1 CNI_IFNAME=eth0 CNI_PATH=/opt/cni/bin \\
        /opt/cni/bin/kc-cni < /etc/cni/net.d/10-kc-net.conf | jq .
      ip netns exec t1 ip addr show eth0 && ip netns exec t1 ping -c 2 10.244.50.1
      CNI_COMMAND=DEL CNI_CONTAINERID=t1 CNI_NETNS=/var/run/netns/t1 CNI_IFNAME=eth0 CNI_PATH=/opt/cni/bin \\
        /opt/cni/bin/kc-cni < /etc/cni/net.d/10-kc-net.conf; echo "exit $?"
      ~~~

      ### What the grader checks

      1. \`/opt/cni/bin/kc-cni\` is executable and \`VERSION\` lists \`1.0.0\`.
      2. ADD into namespace \`kc-grade-a\` exits 0 with a valid result whose address lies in \`10.244.50.0/24\`.
      3. \`eth0\` in \`kc-grade-a\` is up with that address and a default route via \`10.244.50.1\`; the host end is
         attached to \`kc0\`; \`kc-grade-a\` pings \`10.244.50.1\`.
      4. ADD into \`kc-grade-b\` gets a different address, and the two namespaces ping each other.
      5. CHECK on \`kc-grade-a\` exits 0.
      6. DEL on \`kc-grade-a\` exits 0 and removes its interface; a second DEL exits 0 too.
      7. An unknown \`CNI_COMMAND\` and an unsupported \`cniVersion\` fail with a JSON error (codes 4 and 1).
    `,
    maxPoints: 25,
    hints: [
      'Create the pair and place the container end in one go: `ip link add <host-name> type veth peer name eth0 netns <netns-name>`; keep host names at most 15 characters (e.g. `veth` + the first 8 characters of the container id).',
      '`ip netns exec` wants a name; for a path use `nsenter --net=$CNI_NETNS ip addr`.',
      'Write logs to stderr or a file, never to stdout: stdout is the result the runtime parses.',
      'Keep allocations in files such as `/var/lib/cni/kc-net/<ip>` containing the container id; DEL removes them.',
    ],
    grading: {
      target: 'workbench',
      expects: {
        namespaces: ['kc-grade-a', 'kc-grade-b'],
        names: [
          'kc-cni',
          'kc-net',
          'kc0',
          'eth0',
          'CNI_COMMAND',
          'CNI_NETNS',
          'CNI_IFNAME',
          'CNI_CONTAINERID',
          'CNI_PATH',
        ],
        labels: [],
        ports: [],
        paths: ['/opt/cni/bin/kc-cni', '/opt/cni/bin'],
        addresses: ['10.244.50.0/24', '10.244.50.1', '10.244.50.1/24'],
      },
      checks: [
        '/opt/cni/bin/kc-cni is executable; VERSION lists 1.0.0',
        'ADD into kc-grade-a exits 0 with a result whose address is in 10.244.50.0/24',
        'eth0 in kc-grade-a is up with that address and default via 10.244.50.1',
        'host end enslaved to kc0 (10.244.50.1/24); kc-grade-a pings 10.244.50.1',
        'ADD into kc-grade-b gets a different address; kc-grade-a and kc-grade-b ping each other',
        'CHECK on kc-grade-a exits 0',
        'DEL on kc-grade-a exits 0 and removes eth0; a second DEL exits 0',
        'unknown CNI_COMMAND fails with JSON error code 4; cniVersion 9.9.9 fails with code 1',
      ],
    },
  }),
  PHASE_2_QUIZ,
  graderTask({
    slug: 'phase-3-multi-service-traffic',
    title: 'Multiple pods and services: follow the traffic',
    summary:
      'Deploy a frontend and a backend behind ClusterIP, headless and NodePort services and trace requests between them.',
    step: 3,
    phase: 3,
    instructions: dedent`
      ## Multiple pods and services: follow the traffic

      Deploy two tiers and look at how each kind of service routes traffic to pods.

      ### Build (namespace \`p3-traffic\`)
      - Deployment \`frontend\`: 2 replicas, pod label \`app=frontend\`.
      - Deployment \`backend\`: 3 replicas, pod label \`app=backend\`.
      - Both have one container named \`agnhost\` running \`${AGNHOST_IMAGE}\` with args
        \`netexec --http-port=8080\` and container port **8080** (the grader execs \`/agnhost connect\` in it).
      - Service \`backend\`: type ClusterIP, selector \`app=backend\`, port **8080** → 8080.
      - Service \`backend-headless\`: headless (\`clusterIP: None\`), selector \`app=backend\`, port **8080**.
      - Service \`frontend\`: type NodePort, selector \`app=frontend\`, port **80** → 8080. Do not pick a
        \`nodePort\` yourself; let the cluster allocate one.

      ### Trace it yourself
      ~~~sh
      kubectl -n p3-traffic get pods -o wide
      kubectl -n p3-traffic get endpointslices
      kubectl -n p3-traffic run dns --rm -it --restart=Never --image=${BUSYBOX_IMAGE} -- \\
        sh -c 'nslookup backend; nslookup backend-headless'   # one virtual IP, then three pod IPs
      kubectl -n p3-traffic exec deploy/frontend -- /agnhost connect backend:8080 --timeout=3s
      kubectl -n p3-traffic port-forward deploy/frontend 8080:8080 &
      curl 'http://localhost:8080/dial?request=hostname&protocol=http&host=backend&port=8080&tries=20'
      ~~~
      The last call makes a frontend pod call the backend service 20 times and lists which backend pods
      answered: that is kube-proxy load-balancing. If your sandbox allows ephemeral containers, watch the
      packets: \`kubectl -n p3-traffic debug -it deploy/frontend --image=nicolaka/netshoot --target=agnhost -- tcpdump -ni eth0 port 8080\`
      — which destination address do you see, the service IP or a pod IP? Why?

      ### What the grader checks
      1. The three services exist with the types, selectors and ports above; \`backend\` has 3 ready endpoints.
      2. \`backend-headless\` resolves to the 3 backend pod IPs; \`backend\` resolves to its single cluster IP.
      3. From a \`frontend\` pod, 20 requests through \`backend:8080\` reach at least 2 different backend pods.
      4. Service \`frontend\` is of type NodePort with port 80 and has 2 ready endpoints.
    `,
    maxPoints: 15,
    hints: [
      'A headless service has no cluster IP, so DNS returns the endpoints themselves.',
      'kube-proxy translates the service IP before the packet leaves the client node: a capture on the backend shows the client pod IP talking to the backend pod IP.',
    ],
    grading: {
      target: 'vcluster',
      expects: {
        namespaces: ['p3-traffic'],
        names: ['frontend', 'backend', 'backend-headless', 'agnhost'],
        labels: ['app=frontend', 'app=backend'],
        ports: [80, 8080],
        paths: ['/dial'],
      },
      checks: [
        'deployments frontend (2) and backend (3) ready, labelled app=frontend / app=backend, port 8080',
        'service backend ClusterIP 8080 -> 8080 with 3 ready endpoints',
        'service backend-headless is headless and resolves to the 3 backend pod IPs',
        'exec in a frontend pod: /agnhost connect backend:8080 succeeds; /dial with 20 tries reaches >= 2 backend pods',
        'service frontend is NodePort, port 80 -> 8080, 2 ready endpoints',
      ],
    },
  }),
  graderTask({
    slug: 'phase-3-network-policies',
    title: 'Restrict traffic between specific pods',
    summary: 'Let only the frontend reach the backend in p3-traffic.',
    step: 3,
    phase: 3,
    instructions: dedent`
      ## Restrict traffic between specific pods

      In namespace \`p3-traffic\` (from the previous task), allow exactly the traffic the app needs.

      ### Build: three NetworkPolicies in \`p3-traffic\`
      - \`default-deny-ingress\`: selects every pod, \`policyTypes: [Ingress]\`, no rules.
      - \`allow-frontend-to-backend\`: pods \`app=backend\` accept TCP **8080** only from pods \`app=frontend\`.
      - \`allow-frontend-http\`: pods \`app=frontend\` accept TCP **8080** from anywhere (they are the entry point).

      ### Check it yourself
      ~~~sh
      kubectl -n p3-traffic exec deploy/frontend -- /agnhost connect backend:8080 --timeout=3s   # allowed
      kubectl -n p3-traffic run probe --rm -it --restart=Never --labels=app=probe --image=${BUSYBOX_IMAGE} -- \\
        wget -qO- -T 3 http://backend:8080/hostname                                                # blocked: times out
      kubectl -n p3-traffic run probe --rm -it --restart=Never --labels=app=probe --image=${BUSYBOX_IMAGE} -- \\
        wget -qO- -T 3 http://frontend/hostname                                                    # allowed
      ~~~

      ### What the grader checks
      1. The three policies exist with these names.
      2. A \`frontend\` pod connects to \`backend:8080\`.
      3. A grader pod labelled \`app=probe\` in \`p3-traffic\` cannot connect to \`backend:8080\` but can reach
         \`frontend\` on port 8080.
      4. The tasks of \`phase-3-multi-service-traffic\` still pass (services and endpoints unchanged).
    `,
    maxPoints: 15,
    hints: [
      'An empty `podSelector: {}` selects every pod of the namespace.',
      'Policies only add allowances: the deny comes from a pod being selected by any policy of that direction.',
      'A blocked TCP connection under a NetworkPolicy usually times out rather than being refused.',
    ],
    grading: {
      target: 'vcluster',
      expects: {
        namespaces: ['p3-traffic'],
        names: [
          'default-deny-ingress',
          'allow-frontend-to-backend',
          'allow-frontend-http',
          'frontend',
          'backend',
        ],
        labels: ['app=frontend', 'app=backend', 'app=probe'],
        ports: [8080],
      },
      checks: [
        'network policies default-deny-ingress, allow-frontend-to-backend, allow-frontend-http exist in p3-traffic',
        'exec in a frontend pod: connect backend:8080 succeeds',
        'probe pod app=probe: connect backend:8080 fails (timeout)',
        'probe pod app=probe: connect frontend pod port 8080 succeeds',
        'phase-3-multi-service-traffic checks still pass',
      ],
    },
  }),
  graderTask({
    slug: 'concepts-egress-control',
    title: 'Control egress',
    summary: 'Limit what a workload may call: DNS and one API, nothing else.',
    step: 3,
    phase: 3,
    instructions: dedent`
      ## Control egress

      Ingress is about who may call a pod; **egress** is about what a pod may call. (Ingress controllers — routing
      external traffic into the cluster — are Lab 4.) Lock a workload down so it can only resolve names and call
      one API.

      ### Build (namespace \`egress-lab\`)
      - Deployment \`partner-api\` (label \`app=partner-api\`) and deployment \`internal-db\` (label \`app=internal-db\`),
        each 1 replica of \`${AGNHOST_IMAGE}\` with args \`netexec --http-port=8080\`, port **8080**.
      - Services \`partner-api\` and \`internal-db\`, port **8080** → 8080.
      - Pod \`worker\` with label \`app=worker\`, image \`${BUSYBOX_IMAGE}\`, command \`sleep 1000000\`.
      - NetworkPolicy \`worker-egress\`: selects \`app=worker\`, \`policyTypes: [Egress]\`, and allows only
        - DNS: UDP and TCP port **53** to the CoreDNS pods (namespace \`kube-system\`, label \`k8s-app=kube-dns\`);
        - TCP port **8080** to pods \`app=partner-api\`.

      ### Check it yourself
      ~~~sh
      kubectl -n egress-lab exec worker -- nslookup partner-api
      kubectl -n egress-lab exec worker -- wget -qO- -T 3 http://partner-api:8080/hostname   # allowed
      kubectl -n egress-lab exec worker -- wget -qO- -T 3 http://internal-db:8080/hostname   # blocked
      kubectl -n egress-lab exec worker -- wget -qO- -T 3 https://kubernetes.default          # blocked
      ~~~

      ### What the grader checks
      1. The objects above exist; \`worker-egress\` selects \`app=worker\` and has policy type Egress.
      2. From \`worker\`: \`partner-api\` resolves and answers on 8080.
      3. From \`worker\`: \`internal-db:8080\` and the Kubernetes API (\`kubernetes.default\`, port 443) are unreachable.
      4. \`internal-db\` itself is still healthy (reachable from a grader pod in \`egress-lab\`).
    `,
    maxPoints: 15,
    hints: [
      'Forgetting DNS is the classic egress mistake: the policy then blocks name resolution and every call fails, even the allowed one.',
      'Select the DNS pods with a namespaceSelector and a podSelector in the same `to` entry (AND), not two entries (OR).',
      'Namespaces carry the label `kubernetes.io/metadata.name` automatically.',
    ],
    grading: {
      target: 'vcluster',
      expects: {
        namespaces: ['egress-lab', 'kube-system'],
        names: ['partner-api', 'internal-db', 'worker', 'worker-egress', 'kubernetes.default'],
        labels: ['app=partner-api', 'app=internal-db', 'app=worker', 'k8s-app=kube-dns'],
        ports: [53, 8080, 443],
      },
      checks: [
        'deployments partner-api and internal-db ready with services on 8080; pod worker running',
        'network policy worker-egress selects app=worker with policyTypes [Egress]',
        'exec in worker: nslookup partner-api succeeds; GET http://partner-api:8080/hostname succeeds',
        'exec in worker: internal-db:8080 and kubernetes.default:443 time out',
        'grader pod in egress-lab reaches internal-db:8080',
      ],
    },
  }),
  PHASE_3_QUIZ,
];
