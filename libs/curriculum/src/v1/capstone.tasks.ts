import type { Task } from '../curriculum.types.js';
import { AGNHOST_IMAGE, graderTask, dedent, reviewTask, selfCheckTask } from './task-builders.js';

// Step 6 (capstone) and step 7 (community). The capstone's cluster part is graded; the CNI
// performance evaluation needs a cluster whose CNI can be swapped, so it belongs to the write-up.

export const STEP_6_TASKS: Task[] = [
  graderTask({
    slug: 'capstone-multi-tier',
    title: 'Capstone: a multi-tier application with least-privilege networking',
    summary: 'Frontend, backend and database with tier-based policies and an ingress, graded end to end.',
    step: 6,
    instructions: dedent`
      ## Capstone: a multi-tier application with least-privilege networking

      Design and deploy a three-tier application in your vcluster, with custom network policies between the
      components and an Ingress controller managing external access. Use your own app if you have one; otherwise
      \`${AGNHOST_IMAGE}\` (\`netexec --http-port=8080\`) for the HTTP tiers and \`postgres:17-alpine\` for the database.

      ### Build (namespace \`capstone\`)
      - Deployment \`frontend\`: pods labelled \`app=frontend\` and \`tier=frontend\`, HTTP on port **8080**.
      - Deployment \`backend\`: pods labelled \`app=backend\` and \`tier=backend\`, HTTP on port **8080**.
      - Deployment \`database\`: pods labelled \`app=database\` and \`tier=database\`, TCP on port **5432** (for
        postgres, take \`POSTGRES_PASSWORD\` from a Secret named \`database-credentials\`).
      - Services \`frontend\` (port **80** → 8080), \`backend\` (port **8080**) and \`database\` (port **5432**).
      - Ingress \`capstone\`: class \`nginx\`, host \`capstone.kubecohort.test\` → service \`frontend\` port 80
        (the controller from Lab 4).
      - NetworkPolicy \`default-deny\`: every pod, \`policyTypes: [Ingress, Egress]\`, no rules. Then policies of your
        design — written with the **\`tier\` labels** — that allow exactly:
        - namespace \`ingress-nginx\` → \`tier=frontend\` on 8080;
        - \`tier=frontend\` → \`tier=backend\` on 8080;
        - \`tier=backend\` → \`tier=database\` on 5432;
        - every pod → CoreDNS on port 53.

      ### Check it yourself
      ~~~sh
      kubectl -n ingress-nginx port-forward svc/ingress-nginx-controller 8080:80 &
      curl -i -H 'Host: capstone.kubecohort.test' http://localhost:8080/
      kubectl -n capstone run t --rm -it --restart=Never --labels=tier=frontend,app=kc-probe \\
        --image=${AGNHOST_IMAGE} -- connect database:5432 --timeout=3s    # must fail
      ~~~

      ### What the grader checks
      1. The deployments are ready with the labels above; the services, the Ingress and \`default-deny\` exist.
      2. Through Service \`ingress-nginx-controller\` with \`Host: capstone.kubecohort.test\`, \`GET /\` gets an answer
         from the frontend (any status below 500), sent from the controller's own pod (label
         \`app.kubernetes.io/component=controller\` in \`ingress-nginx\`).
      3. The grader impersonates each tier with probe pods labelled \`app=kc-probe\` plus \`tier=frontend\`,
         \`tier=backend\` or \`tier=database\` in \`capstone\`:
         - \`tier=frontend\` reaches \`backend:8080\` but not \`database:5432\`;
         - \`tier=backend\` reaches \`database:5432\` but not \`frontend\` on 8080;
         - \`tier=database\` reaches neither \`backend:8080\` nor \`frontend\` on 8080;
         - a probe without a tier reaches none of the three.
      4. A probe labelled \`tier=frontend\` in namespace \`default\` cannot reach \`backend:8080\`.

      Then document it all in \`capstone-writeup\`.
    `,
    maxPoints: 30,
    hints: [
      "Select peers by `tier`, not by `app`: the grader's probes carry `app=kc-probe` so they never join your services.",
      "A `podSelector` in a rule without a `namespaceSelector` only matches pods of the policy's own namespace.",
      'Draw the allow matrix (rows: source tier, columns: destination) before writing YAML.',
    ],
    grading: {
      target: 'vcluster',
      expects: {
        namespaces: ['capstone', 'ingress-nginx', 'default'],
        names: [
          'frontend',
          'backend',
          'database',
          'database-credentials',
          'capstone',
          'default-deny',
          'nginx',
          'ingress-nginx-controller',
        ],
        labels: [
          'app=frontend',
          'app=backend',
          'app=database',
          'tier=frontend',
          'tier=backend',
          'tier=database',
          'app=kc-probe',
        ],
        ports: [53, 80, 5432, 8080],
        hosts: ['capstone.kubecohort.test'],
        paths: ['/'],
      },
      checks: [
        'deployments frontend, backend, database ready with app=<name> and tier=<name> labels',
        'services frontend 80 -> 8080, backend 8080, database 5432 with ready endpoints',
        'ingress capstone: class nginx, host capstone.kubecohort.test -> frontend:80',
        'network policy default-deny: all pods, Ingress and Egress, no rules',
        'via service ingress-nginx-controller:80 with Host capstone.kubecohort.test: GET / status < 500',
        'probe tier=frontend: backend:8080 open, database:5432 blocked',
        'probe tier=backend: database:5432 open, frontend:8080 blocked',
        'probe tier=database: backend:8080 and frontend:8080 blocked',
        'probe without tier: frontend:8080, backend:8080, database:5432 blocked',
        'probe tier=frontend in namespace default: backend.capstone:8080 blocked',
      ],
    },
  }),
  reviewTask({
    slug: 'capstone-writeup',
    title: 'Capstone write-up',
    summary:
      'Document the design, the policies, a CNI performance evaluation and the network issues you solved.',
    step: 6,
    instructions: dedent`
      ## Capstone write-up

      Document your capstone so that a colleague could rebuild and operate it.

      ### Deliverable (markdown, linked repository or pasted)

      1. **Architecture**: a diagram of the tiers, services, ingress and the flows between them.
      2. **Network policy design**: your allow matrix, the manifests, and why each rule exists.
      3. **External access**: how the Ingress and the controller route a request, and what you would change for
         production (TLS, a cloud load balancer, rate limits).
      4. **Alternative CNI plugins**: evaluate performance differences for this app on your kind cluster with at
         least two CNI plugins (you may reuse and extend your Lab 5 setup): method, numbers (latency and
         throughput between tiers), and whether your policies behaved the same.
      5. **Challenges**: the network issues you hit, how you diagnosed them (commands, output) and how you resolved them.
      6. **Reproducibility**: all manifests, and the commands to deploy from scratch.
    `,
    hints: ['Keep a log while you build: the challenges section is much easier to write from notes.'],
    rubric: [
      { id: 'architecture', criterion: 'Clear architecture with diagram and flows', points: 6 },
      {
        id: 'policies',
        criterion: 'Allow matrix and policy rationale are complete and least-privilege',
        points: 8,
      },
      { id: 'ingress', criterion: 'External access explained, with production considerations', points: 4 },
      {
        id: 'cni-evaluation',
        criterion: 'CNI performance evaluation with sound method and results',
        points: 8,
      },
      { id: 'challenges', criterion: 'Network issues, diagnosis with evidence, and resolutions', points: 10 },
      { id: 'reproducibility', criterion: 'Manifests and steps allow a rebuild from scratch', points: 4 },
    ],
  }),
];

export const STEP_7_TASKS: Task[] = [
  selfCheckTask({
    slug: 'community-join-forums',
    title: 'Join the community',
    summary: 'Join the Kubernetes networking forums and take part once.',
    step: 7,
    instructions: dedent`
      ## Join the community

      Join at least one of: the Kubernetes Slack (slack.k8s.io — channels such as \`#sig-network\`, \`#kind\`, and
      the channels of the CNI projects), the r/kubernetes community, or a local Kubernetes or CNCF meetup.

      ### Checklist

      - You joined at least one forum or meetup group.
      - You read a few recent networking threads there.
      - You asked or answered one question — in that forum or in the cohort Q&A.
    `,
    maxPoints: 5,
    hints: [
      "Answering someone else's question is the fastest way to find the gaps in your own understanding.",
    ],
  }),
  selfCheckTask({
    slug: 'community-follow-updates',
    title: 'Follow blogs and updates',
    summary: 'Set up a way to keep up with changes in Kubernetes networking.',
    step: 7,
    instructions: dedent`
      ## Follow blogs and updates

      Stay updated with changes in Kubernetes networking, best practices and new tools.

      ### Checklist

      - You follow the Kubernetes blog and the release notes' SIG Network section.
      - You follow the release notes of the CNI plugin you would pick today, and the Gateway API project.
      - You picked one recent change (a Kubernetes release feature, a CNI release, a deprecation such as the
        retirement of ingress-nginx) and posted a three-sentence summary in the cohort Q&A.
    `,
    maxPoints: 5,
    hints: ['A feed reader or a weekly calendar slot works better than good intentions.'],
  }),
  selfCheckTask({
    slug: 'community-practice-plan',
    title: 'Plan regular practice',
    summary: 'Plan how you will keep practising after the cohort.',
    step: 7,
    instructions: dedent`
      ## Plan regular practice

      Revisit labs, try new CNI plugins and simulate network scenarios to deepen your understanding.

      ### Checklist

      - You wrote down a practice plan for the next three months: which labs you will redo from scratch,
        which CNI plugin you will try next, and which failure scenarios you will simulate (the troubleshooting
        faults are a good start).
      - You kept your manifests and notes from this cohort in a repository you can come back to.
    `,
    maxPoints: 5,
    hints: ['Redoing a lab without the instructions open is the best test of what you learned.'],
  }),
];
