import type { CheckSpec, GraderSpec, PolicyVerdictCheck } from '../runtime/check-spec.types.js';
import { INGRESS_CONTROLLER_POD, INGRESS_CONTROLLER_URL } from './ingress-controller.refs.js';

const NAMESPACE = 'capstone';
type Tier = 'frontend' | 'backend' | 'database';
const TIERS: Tier[] = ['frontend', 'backend', 'database'];
const PORTS: Record<Tier, { port: number; targetPort: number }> = {
  frontend: { port: 80, targetPort: 8080 },
  backend: { port: 8080, targetPort: 8080 },
  database: { port: 5432, targetPort: 5432 },
};
const svc = (name: Tier) => ({ service: { namespace: NAMESPACE, name } });
const FRONTEND_PODS = { pods: { namespace: NAMESPACE, labels: { tier: 'frontend' } } };

function tierChecks(tier: Tier): CheckSpec[] {
  return [
    {
      id: `${tier}-ready`,
      kind: 'k8s.pods-ready',
      title: `deployment ${tier} ready with app=${tier} and tier=${tier} labels`,
      points: 2,
      failureMessage: `No ready ${tier} pod labelled app=${tier} and tier=${tier}`,
      hint: `\`kubectl -n capstone get pods --show-labels\`: the ${tier} pods need both labels and must be ready.`,
      namespace: NAMESPACE,
      labels: { app: tier, tier },
      minReady: 1,
    },
    {
      id: `${tier}-service`,
      kind: 'k8s.object',
      title: `service ${tier} ${PORTS[tier].port}${PORTS[tier].port === PORTS[tier].targetPort ? '' : ` -> ${PORTS[tier].targetPort}`}`,
      points: 1,
      failureMessage: `Service ${tier} in capstone is not as asked`,
      hint: `Service ${tier}: port ${PORTS[tier].port}, targetPort ${PORTS[tier].targetPort}.`,
      object: { apiVersion: 'v1', kind: 'Service', namespace: NAMESPACE, name: tier },
      fields: [
        { path: 'spec.ports[0].port', equals: PORTS[tier].port },
        { path: 'spec.ports[0].targetPort', equals: PORTS[tier].targetPort },
      ],
    },
    {
      id: `${tier}-endpoints`,
      kind: 'k8s.service-endpoints',
      title: `service ${tier} has ready endpoints`,
      points: 1,
      failureMessage: `Service ${tier} has no ready endpoints`,
      hint: `Its selector must match the ${tier} pods' labels.`,
      namespace: NAMESPACE,
      service: tier,
      minReady: 1,
    },
  ];
}

function probe(
  id: string,
  title: string,
  from: PolicyVerdictCheck['from'],
  flows: PolicyVerdictCheck['flows'],
  failureMessage: string,
  hint: string,
): PolicyVerdictCheck {
  return { id, kind: 'k8s.policy-verdict', title, points: 2, failureMessage, hint, from, flows };
}

const probeIn = (tier?: Tier) => ({
  namespace: NAMESPACE,
  labels: { app: 'kc-probe', ...(tier ? { tier } : {}) },
});

/** capstone-multi-tier: three tiers, tier-based least-privilege policies and an ingress. */
export const CAPSTONE_GRADER: GraderSpec = {
  taskId: 'capstone-multi-tier',
  graderId: 'capstone-multi-tier',
  timeoutMs: 120_000,
  checks: [
    ...TIERS.flatMap(tierChecks),
    {
      id: 'ingress',
      kind: 'k8s.object',
      title: 'ingress capstone: class nginx',
      points: 1,
      failureMessage: 'Ingress capstone in capstone is not as asked',
      hint: 'Set `spec.ingressClassName: nginx` (the controller from Lab 4).',
      object: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', namespace: NAMESPACE, name: 'capstone' },
      fields: [{ path: 'spec.ingressClassName', equals: 'nginx' }],
    },
    {
      id: 'ingress-route',
      kind: 'k8s.ingress-route',
      title: 'ingress capstone: host capstone.kubecohort.test -> frontend:80',
      points: 1,
      failureMessage: 'capstone.kubecohort.test is not routed to frontend:80',
      hint: 'One rule: host capstone.kubecohort.test, path / (Prefix), backend service frontend port number 80.',
      namespace: NAMESPACE,
      host: 'capstone.kubecohort.test',
      path: '/',
      service: { name: 'frontend', port: 80 },
    },
    {
      id: 'default-deny',
      kind: 'k8s.object',
      title: 'network policy default-deny: all pods, Ingress and Egress, no rules',
      points: 2,
      failureMessage: 'NetworkPolicy default-deny in capstone is not as asked',
      hint: '`podSelector: {}`, `policyTypes: [Ingress, Egress]`, and neither ingress nor egress rules.',
      object: {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        namespace: NAMESPACE,
        name: 'default-deny',
      },
      fields: [
        { path: 'spec.podSelector.matchLabels', exists: false },
        { path: 'spec.policyTypes', equals: ['Ingress', 'Egress'] },
        { path: 'spec.ingress', exists: false },
        { path: 'spec.egress', exists: false },
      ],
    },
    {
      id: 'through-ingress',
      kind: 'k8s.http',
      title: 'via service ingress-nginx-controller:80 with Host capstone.kubecohort.test: GET / status < 500',
      points: 3,
      failureMessage: 'The frontend does not answer through the ingress controller',
      hint: '504: a policy drops ingress-nginx -> tier=frontend on 8080; 503: no ready endpoints; 404: host or class wrong.',
      from: INGRESS_CONTROLLER_POD,
      url: `${INGRESS_CONTROLLER_URL}/`,
      headers: { Host: 'capstone.kubecohort.test' },
      expectStatusBelow: 500,
    },
    {
      id: 'dns',
      kind: 'k8s.dns',
      title: 'every pod reaches CoreDNS on port 53: backend resolves from a tier=frontend pod',
      points: 1,
      failureMessage: 'Names do not resolve in capstone',
      hint: 'default-deny blocks egress to CoreDNS too: allow every pod UDP and TCP 53 to k8s-app=kube-dns in kube-system.',
      from: { namespace: NAMESPACE, labels: { tier: 'frontend' } },
      name: 'backend',
      expectServiceIp: { namespace: NAMESPACE, name: 'backend' },
    },
    probe(
      'probe-frontend',
      'probe tier=frontend: backend:8080 open, database:5432 blocked',
      probeIn('frontend'),
      [
        { to: svc('backend'), port: 8080, expect: 'allowed' },
        { to: svc('database'), port: 5432, expect: 'blocked' },
      ],
      'The frontend tier can do more or less than reach the backend',
      'Allow tier=frontend -> tier=backend on 8080: egress on the frontend, ingress on the backend, selected by tier.',
    ),
    probe(
      'probe-backend',
      'probe tier=backend: database:5432 open, frontend:8080 blocked',
      probeIn('backend'),
      [
        { to: svc('database'), port: 5432, expect: 'allowed' },
        { to: FRONTEND_PODS, port: 8080, expect: 'blocked' },
      ],
      'The backend tier can do more or less than reach the database',
      'Allow tier=backend -> tier=database on 5432 (egress and ingress), and nothing from the backend to the frontend.',
    ),
    probe(
      'probe-database',
      'probe tier=database: backend:8080 and frontend:8080 blocked',
      probeIn('database'),
      [
        { to: svc('backend'), port: 8080, expect: 'blocked' },
        { to: FRONTEND_PODS, port: 8080, expect: 'blocked' },
      ],
      'The database tier can call other tiers',
      'The database only answers: no egress rule for tier=database besides DNS.',
    ),
    probe(
      'probe-no-tier',
      'probe without tier: frontend:8080, backend:8080, database:5432 blocked',
      probeIn(),
      [
        { to: FRONTEND_PODS, port: 8080, expect: 'blocked' },
        { to: svc('backend'), port: 8080, expect: 'blocked' },
        { to: svc('database'), port: 5432, expect: 'blocked' },
      ],
      'A pod without a tier reaches the application',
      'Select peers by tier, never with an empty podSelector.',
    ),
    probe(
      'probe-other-namespace',
      'probe tier=frontend in namespace default: backend.capstone:8080 blocked',
      { namespace: 'default', labels: { app: 'kc-probe', tier: 'frontend' } },
      [{ to: svc('backend'), port: 8080, expect: 'blocked' }],
      'A tier=frontend pod of another namespace reaches the backend',
      'A podSelector alone matches the policy namespace only; with `namespaceSelector: {}` beside it, every namespace.',
    ),
  ],
};
