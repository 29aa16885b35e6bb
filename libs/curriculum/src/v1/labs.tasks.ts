import type { Task } from '../curriculum.types.js';
import { AGNHOST_IMAGE, BUSYBOX_IMAGE, graderTask, dedent, reviewTask } from './task-builders.js';

// Step 4: the five labs of the plan. Labs 1-4 run in the vcluster and are graded; Lab 5 swaps the
// cluster's CNI plugin, which a vcluster cannot do, so it is a reviewed report from a kind cluster.

export const STEP_4_TASKS: Task[] = [
  graderTask({
    slug: 'lab-1-basic-connectivity',
    title: 'Lab 1: Basic Connectivity',
    summary: 'Two pods in different namespaces reach each other by IP and by DNS name.',
    step: 4,
    lab: 1,
    phase: 3,
    instructions: dedent`
      ## Lab 1: Basic Connectivity

      Deploy two pods in different namespaces and show they can talk, first by IP address, then by DNS name.

      ### Build
      - Namespaces \`lab1-a\` and \`lab1-b\`.
      - Pod \`server\` in \`lab1-b\`: label \`app=server\`, image \`${AGNHOST_IMAGE}\`, args
        \`netexec --http-port=8080\`, container port **8080**.
      - Service \`server\` in \`lab1-b\`: **headless** (\`clusterIP: None\`), selector \`app=server\`, port **8080**.
        A headless service gives the pod a DNS name without a virtual IP: \`server.lab1-b.svc.cluster.local\`
        resolves straight to the pod's IP.
      - Pod \`client\` in \`lab1-a\`: label \`app=client\`, image \`${BUSYBOX_IMAGE}\`, command \`sleep 1000000\`.

      ### Check it yourself
      ~~~sh
      kubectl -n lab1-b get pod server -o wide                       # note the IP
      kubectl -n lab1-a exec client -- wget -qO- http://<server-ip>:8080/hostname
      kubectl -n lab1-a exec client -- nslookup server.lab1-b.svc.cluster.local
      kubectl -n lab1-a exec client -- wget -qO- http://server.lab1-b.svc.cluster.local:8080/hostname
      kubectl -n lab1-a exec client -- wget -qO- -T 3 http://server:8080/hostname   # fails: why?
      kubectl -n lab1-a exec client -- cat /etc/resolv.conf                           # the search list explains it
      ~~~

      ### What the grader checks
      1. Namespaces \`lab1-a\` and \`lab1-b\` exist.
      2. Pod \`server\` (\`app=server\`, port 8080) and pod \`client\` (\`app=client\`) are running and ready.
      3. Service \`server\` is headless, selects \`app=server\` and its only endpoint is the \`server\` pod.
      4. From \`client\`: \`GET http://<server pod IP>:8080/hostname\` returns \`server\`.
      5. From \`client\`: \`server.lab1-b.svc.cluster.local\` resolves to the pod IP and
         \`GET http://server.lab1-b.svc.cluster.local:8080/hostname\` returns \`server\`.
    `,
    maxPoints: 15,
    hints: [
      "`kubectl run server -n lab1-b --image=... --labels=app=server --port=8080 -- netexec --http-port=8080` creates the pod: the image's entrypoint is `/agnhost`, so the arguments start with `netexec`.",
      "A short name like `server` is searched in the client's own namespace first (`lab1-a.svc.cluster.local`).",
    ],
    grading: {
      target: 'vcluster',
      expects: {
        namespaces: ['lab1-a', 'lab1-b'],
        names: ['server', 'client'],
        labels: ['app=server', 'app=client'],
        ports: [8080],
        hosts: ['server.lab1-b.svc.cluster.local'],
        paths: ['/hostname'],
      },
      checks: [
        'namespaces lab1-a and lab1-b exist',
        'pod server in lab1-b running, ready, app=server, container port 8080',
        'pod client in lab1-a running, ready, app=client',
        'service server in lab1-b is headless, selects app=server, single endpoint = server pod',
        'exec in client: GET http://<server pod IP>:8080/hostname returns "server"',
        'exec in client: server.lab1-b.svc.cluster.local resolves to the server pod IP and GET :8080/hostname returns "server"',
      ],
    },
  }),
  graderTask({
    slug: 'lab-2-service-discovery',
    title: 'Lab 2: Service Discovery',
    summary: 'A ClusterIP service in front of two pods, found by its DNS name.',
    step: 4,
    lab: 2,
    phase: 3,
    instructions: dedent`
      ## Lab 2: Service Discovery

      Put a stable virtual IP and DNS name in front of a set of pods and reach it by name.

      ### Build (namespace \`lab2\`)
      - Deployment \`echo\`: **2 replicas**, pod label \`app=echo\`, image \`${AGNHOST_IMAGE}\`, args
        \`netexec --http-port=8080\`, container port **8080** named \`http\`.
      - Service \`echo\`: type **ClusterIP**, selector \`app=echo\`, one port named \`http\`: port **80** →
        targetPort **8080** (by number, or by the container port's name \`http\`).
      - Pod \`client\`: label \`app=client\`, image \`${BUSYBOX_IMAGE}\`, command \`sleep 1000000\`.

      ### Check it yourself
      ~~~sh
      kubectl -n lab2 get svc echo                 # the cluster IP
      kubectl -n lab2 exec client -- nslookup echo
      kubectl -n lab2 exec client -- nslookup echo.lab2.svc.cluster.local
      kubectl -n lab2 exec client -- sh -c 'for i in 1 2 3 4 5 6; do wget -qO- http://echo/hostname; echo; done'
      kubectl -n lab2 exec client -- nslookup -type=srv _http._tcp.echo.lab2.svc.cluster.local
      ~~~
      From another namespace (e.g. the \`client\` of Lab 1), which names work: \`echo\`, \`echo.lab2\`,
      \`echo.lab2.svc.cluster.local\`?

      ### What the grader checks
      1. Service \`echo\` in \`lab2\` is of type ClusterIP, has a cluster IP, and maps port 80 (named \`http\`) to 8080.
      2. It has 2 ready endpoints, the pods of deployment \`echo\` (\`app=echo\`).
      3. From \`client\`: \`echo.lab2.svc.cluster.local\` resolves to the service's cluster IP.
      4. From \`client\`: \`GET http://echo/hostname\` and \`GET http://echo.lab2.svc.cluster.local/hostname\` return
         an \`echo\` pod name, and 20 requests reach both pods.
    `,
    maxPoints: 15,
    hints: [
      '`kubectl expose deployment echo -n lab2 --name=echo --port=80 --target-port=8080` creates the service; add the port name with `kubectl edit` or write the YAML.',
      'The SRV record only exists for named ports: that is what the name `http` is for.',
    ],
    grading: {
      target: 'vcluster',
      expects: {
        namespaces: ['lab2'],
        names: ['echo', 'client', 'http'],
        labels: ['app=echo', 'app=client'],
        ports: [80, 8080],
        hosts: ['echo.lab2.svc.cluster.local'],
        paths: ['/hostname'],
      },
      checks: [
        'service echo in lab2 is ClusterIP with a cluster IP; port 80 named http -> 8080',
        'service echo has 2 ready endpoints from deployment echo (app=echo)',
        'pod client (app=client) running',
        'exec in client: echo.lab2.svc.cluster.local resolves to the cluster IP',
        'exec in client: GET http://echo/hostname and http://echo.lab2.svc.cluster.local/hostname return an echo pod; 20 requests reach both pods',
      ],
    },
  }),
  graderTask({
    slug: 'lab-3-network-policy',
    title: 'Lab 3: Network Policy Enforcement',
    summary: 'Only the web pod of the frontend namespace may call the API in the backend namespace.',
    step: 4,
    lab: 3,
    phase: 3,
    instructions: dedent`
      ## Lab 3: Network Policy Enforcement

      Restrict traffic between pods in different namespaces, then prove which connections are allowed and
      which are blocked.

      ### Build
      - Namespace \`lab3-backend\`: deployment \`api\` (1 replica, label \`app=api\`, image \`${AGNHOST_IMAGE}\`,
        args \`netexec --http-port=8080\`, port **8080**) and service \`api\` (port **8080** → 8080).
      - Namespace \`lab3-frontend\`: pod \`web\`, label \`app=web\`, image \`${BUSYBOX_IMAGE}\`, command \`sleep 1000000\`.
      - Namespace \`lab3-untrusted\`: pod \`intruder\`, label \`app=intruder\`, same image and command.
      - In \`lab3-backend\`, two NetworkPolicies:
        - \`default-deny-ingress\`: selects all pods, \`policyTypes: [Ingress]\`, no rules;
        - \`allow-web-from-frontend\`: selects \`app=api\` and allows TCP **8080** only from pods labelled \`app=web\`
          **in** namespace \`lab3-frontend\` (match the namespace by its automatic label
          \`kubernetes.io/metadata.name=lab3-frontend\`).

      ### Check it yourself
      ~~~sh
      kubectl -n lab3-frontend  exec web      -- wget -qO- -T 3 http://api.lab3-backend.svc.cluster.local:8080/hostname   # allowed
      kubectl -n lab3-untrusted exec intruder -- wget -qO- -T 3 http://api.lab3-backend.svc.cluster.local:8080/hostname   # blocked
      kubectl -n lab3-frontend run other --rm -it --restart=Never --labels=app=other --image=${BUSYBOX_IMAGE} -- \\
        wget -qO- -T 3 http://api.lab3-backend.svc.cluster.local:8080/hostname                                             # blocked
      ~~~
      Blocked connections time out (the packets are dropped), they are not refused.

      ### What the grader checks
      1. The namespaces, pods, deployment, service and both policies exist with the names above.
      2. From \`web\`: \`api.lab3-backend.svc.cluster.local:8080\` answers.
      3. From \`intruder\`: the same call times out.
      4. A grader pod labelled \`app=probe\` in \`lab3-frontend\` is blocked (the namespace alone is not enough).
      5. A grader pod labelled \`app=probe\` in \`lab3-backend\` is blocked (default deny applies inside the namespace too).
    `,
    maxPoints: 20,
    hints: [
      'In a `from` entry, `namespaceSelector` and `podSelector` in the same item mean AND; as two items (two dashes) they mean OR — a classic hole.',
      '`kubectl describe networkpolicy -n lab3-backend` prints the rules in plain words.',
      'Policies are enforced by the CNI plugin; your vcluster runs on one that enforces them.',
    ],
    grading: {
      target: 'vcluster',
      expects: {
        namespaces: ['lab3-backend', 'lab3-frontend', 'lab3-untrusted'],
        names: ['api', 'web', 'intruder', 'default-deny-ingress', 'allow-web-from-frontend'],
        labels: [
          'app=api',
          'app=web',
          'app=intruder',
          'app=probe',
          'kubernetes.io/metadata.name=lab3-frontend',
        ],
        ports: [8080],
        hosts: ['api.lab3-backend.svc.cluster.local'],
      },
      checks: [
        'deployment api (app=api, 8080) ready and service api on 8080 in lab3-backend',
        'pod web (app=web) in lab3-frontend and pod intruder (app=intruder) in lab3-untrusted running',
        'network policies default-deny-ingress and allow-web-from-frontend exist in lab3-backend',
        'exec in web: GET http://api.lab3-backend.svc.cluster.local:8080/hostname succeeds',
        'exec in intruder: the same request times out',
        'grader pod app=probe in lab3-frontend: request times out',
        'grader pod app=probe in lab3-backend: request times out',
      ],
    },
  }),
  graderTask({
    slug: 'lab-4-ingress',
    title: 'Lab 4: Ingress Controller Setup',
    summary: 'Install ingress-nginx and route two hostnames to two services.',
    step: 4,
    lab: 4,
    phase: 3,
    instructions: dedent`
      ## Lab 4: Ingress Controller Setup

      Install an Ingress controller in your vcluster and expose two applications through it by hostname.

      ### Build
      1. Install **ingress-nginx** with Helm, keeping the chart's default names (release \`ingress-nginx\` in
         namespace \`ingress-nginx\`; it creates the Service \`ingress-nginx-controller\` and the IngressClass
         \`nginx\`):
         ~~~sh
         helm upgrade --install ingress-nginx ingress-nginx \\
           --repo https://kubernetes.github.io/ingress-nginx \\
           --namespace ingress-nginx --create-namespace \\
           --set controller.service.type=ClusterIP
         ~~~
      2. Namespace \`lab4\` with deployments \`shop\` (label \`app=shop\`) and \`blog\` (label \`app=blog\`), each 1
         replica of \`${AGNHOST_IMAGE}\` with args \`netexec --http-port=8080\`, container port **8080**.
      3. Services \`shop\` and \`blog\` in \`lab4\`: port **80** → 8080.
      4. Ingress \`lab4\` in \`lab4\` with \`ingressClassName: nginx\` and two rules, path \`/\` (Prefix):
         - host \`shop.lab4.test\` → service \`shop\` port 80;
         - host \`blog.lab4.test\` → service \`blog\` port 80.

      ### Check it yourself
      The controller is your cluster's front door. Reach it from outside the cluster with a port-forward:
      ~~~sh
      kubectl -n ingress-nginx port-forward svc/ingress-nginx-controller 8080:80 &
      curl -H 'Host: shop.lab4.test' http://localhost:8080/hostname   # a shop pod
      curl -H 'Host: blog.lab4.test' http://localhost:8080/hostname   # a blog pod
      curl -i -H 'Host: nope.lab4.test' http://localhost:8080/        # 404 from the default backend
      kubectl -n ingress-nginx logs deploy/ingress-nginx-controller --tail=5
      ~~~

      ### What the grader checks
      1. Deployment \`ingress-nginx-controller\` in \`ingress-nginx\` is available and IngressClass \`nginx\` exists.
      2. Ingress \`lab4\` uses class \`nginx\` and routes \`shop.lab4.test\` → \`shop:80\` and \`blog.lab4.test\` → \`blog:80\`.
      3. Through Service \`ingress-nginx-controller\` port 80: \`Host: shop.lab4.test\` + \`/hostname\` returns a \`shop\`
         pod name, \`Host: blog.lab4.test\` a \`blog\` pod name, and an unknown host gets 404.
      The grader sends these requests from the controller's own pod (label
      \`app.kubernetes.io/component=controller\`, set by the chart), as a request from outside would arrive.
    `,
    maxPoints: 20,
    hints: [
      'If the Ingress gets no address, check that `ingressClassName` matches an IngressClass (`kubectl get ingressclass`).',
      'A 503 from the controller means the backend service has no ready endpoints; a 404 means no rule matched the host and path.',
      'ingress-nginx is being retired upstream; the Ingress API you learn here is the same for other controllers, and the Gateway API is its successor.',
    ],
    grading: {
      target: 'vcluster',
      expects: {
        namespaces: ['ingress-nginx', 'lab4'],
        names: ['ingress-nginx-controller', 'nginx', 'shop', 'blog', 'lab4'],
        labels: ['app=shop', 'app=blog'],
        ports: [80, 8080],
        hosts: ['shop.lab4.test', 'blog.lab4.test'],
        paths: ['/', '/hostname'],
      },
      checks: [
        'deployment ingress-nginx-controller in ingress-nginx available; IngressClass nginx exists',
        'deployments shop and blog ready (app=shop, app=blog, 8080); services shop and blog 80 -> 8080',
        'ingress lab4 in lab4: class nginx, shop.lab4.test -> shop:80, blog.lab4.test -> blog:80',
        'via service ingress-nginx-controller:80: Host shop.lab4.test GET /hostname returns a shop pod',
        'via service ingress-nginx-controller:80: Host blog.lab4.test GET /hostname returns a blog pod',
        'via service ingress-nginx-controller:80: unknown host returns 404',
      ],
    },
  }),
  reviewTask({
    slug: 'lab-5-cni-comparison',
    title: 'Lab 5: Experiment with CNI Plugins',
    summary:
      'Run two CNI plugins on a local kind cluster and compare behaviour, performance and policy support.',
    step: 4,
    lab: 5,
    phase: 2,
    instructions: dedent`
      ## Lab 5: Experiment with CNI Plugins

      Your vcluster's network is provided by its host, so swapping CNI plugins happens on your **local kind
      cluster**. Compare **two** of Calico, Flannel and Cilium (three if you have time).

      ### Do

      1. For each plugin, create a 3-node kind cluster without the default CNI:
         ~~~yaml
         kind: Cluster
         apiVersion: kind.x-k8s.io/v1alpha4
         networking:
           disableDefaultCNI: true
           podSubnet: 10.244.0.0/16
         nodes:
           - role: control-plane
           - role: worker
           - role: worker
         ~~~
         and install the plugin following its own documentation for kind.
      2. **Behaviour**: deploy two pods on different workers. Record pod IPs and node pod CIDRs, the interfaces and
         routes on a node (\`docker exec <node> ip route\`, \`ip -d link\`) and whether traffic between nodes is
         encapsulated (capture it on the node's \`eth0\`).
      3. **Performance**: run \`iperf3\` between pods on different workers (TCP, 3 runs of 10 s) and measure
         latency (\`ping -c 50\`). Report medians, and the same numbers for two pods on one node.
      4. **Network policy**: apply the Lab 3 manifests and repeat the allowed/blocked tests. Which plugin enforces
         them, and what happens on the one that does not?

      ### Deliverable

      A report (markdown, 2–4 pages) with the kind config, install commands, a results table, the captures or
      route listings that support your claims, and a short recommendation: which plugin for which situation.
      Submit it as a link (repository or gist) or paste it in the submission.
    `,
    hints: [
      'Flannel provides connectivity only: pair it with a policy engine, or observe that policies are silently ignored.',
      'Numbers on a laptop vary: compare plugins on the same machine with the same load, and say so in the report.',
      '`nicolaka/netshoot` has iperf3, tcpdump and ping; run it as a pod with `nodeName` set to pin it.',
    ],
    rubric: [
      {
        id: 'setup',
        criterion: 'Reproducible setup: kind config and install steps for each plugin',
        points: 5,
      },
      {
        id: 'behaviour',
        criterion: 'Datapath explained with evidence: addressing, routes/interfaces, encapsulation or not',
        points: 8,
      },
      {
        id: 'performance',
        criterion: 'Sound measurement method and results table (cross-node and same-node)',
        points: 8,
      },
      {
        id: 'policy',
        criterion: 'Network policy capabilities tested with the Lab 3 manifests and explained',
        points: 6,
      },
      { id: 'recommendation', criterion: 'Clear conclusion grounded in the results', points: 3 },
    ],
  }),
];
