import type { CheckSpec, GraderSpec } from '../runtime/check-spec.types.js';

const NAMESPACE = 'zero-trust';
type App = 'frontend' | 'orders' | 'payments';
const APPS: App[] = ['frontend', 'orders', 'payments'];
const pod = (name: App) => ({ namespace: NAMESPACE, labels: { app: name } });
const service = (name: App) => ({ service: { namespace: NAMESPACE, name } });

function deployment(name: App): CheckSpec {
  return {
    id: `${name}-deployment`,
    kind: 'k8s.object',
    title: `deployment ${name} ready: app=${name}, container agnhost on 8080`,
    points: 1,
    failureMessage: `Deployment ${name} in zero-trust is not as asked`,
    hint: `\`kubectl -n zero-trust get deploy ${name} -o yaml\`: pod label app=${name}, one container named agnhost with port 8080, 1 ready replica.`,
    object: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: NAMESPACE, name },
    fields: [
      { path: 'spec.template.metadata.labels.app', equals: name },
      { path: 'spec.template.spec.containers[0].name', equals: 'agnhost' },
      { path: 'spec.template.spec.containers[0].ports[0].containerPort', equals: 8080 },
      { path: 'status.readyReplicas', equals: 1 },
    ],
  };
}

function serviceCheck(name: App): CheckSpec {
  return {
    id: `${name}-service`,
    kind: 'k8s.object',
    title: `service ${name} on 8080`,
    points: 1,
    failureMessage: `Service ${name} in zero-trust is not as asked`,
    hint: `Service ${name} selects app=${name} and maps port 8080 to 8080.`,
    object: { apiVersion: 'v1', kind: 'Service', namespace: NAMESPACE, name },
    fields: [
      { path: 'spec.selector', equals: { app: name } },
      { path: 'spec.ports[0].port', equals: 8080 },
      { path: 'spec.ports[0].targetPort', equals: 8080 },
    ],
  };
}

function call(from: App, to: App): CheckSpec {
  return {
    id: `${from}-to-${to}`,
    kind: 'k8s.http',
    title: `exec ${from}: connect ${to}:8080 ok (by service name)`,
    points: 2,
    needs: ['dns'],
    failureMessage: `${from} cannot call ${to}:8080`,
    hint: `Every flow needs two allowances: egress from app=${from} to app=${to} on 8080 and ingress to app=${to} from app=${from}.`,
    from: pod(from),
    url: `http://${to}:8080/`,
    expectStatus: 200,
  };
}

/** phase-5-zero-trust-namespace: default deny both ways, DNS kept, exactly two flows allowed. */
export const PHASE_5_ZERO_TRUST_GRADER: GraderSpec = {
  taskId: 'phase-5-zero-trust-namespace',
  graderId: 'phase-5-zero-trust-namespace',
  timeoutMs: 120_000,
  checks: [
    ...APPS.map(deployment),
    ...APPS.map(serviceCheck),
    {
      id: 'default-deny-all',
      kind: 'k8s.object',
      title:
        'network policy default-deny-all selects all pods with policyTypes [Ingress, Egress] and no rules',
      points: 2,
      failureMessage: 'NetworkPolicy default-deny-all in zero-trust is not as asked',
      hint: '`podSelector: {}`, `policyTypes: [Ingress, Egress]`, and neither ingress nor egress rules.',
      object: {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        namespace: NAMESPACE,
        name: 'default-deny-all',
      },
      fields: [
        { path: 'spec.podSelector.matchLabels', exists: false },
        { path: 'spec.policyTypes', equals: ['Ingress', 'Egress'] },
        { path: 'spec.ingress', exists: false },
        { path: 'spec.egress', exists: false },
      ],
    },
    {
      id: 'allow-dns',
      kind: 'k8s.object',
      title: 'network policy allow-dns selects every pod for egress',
      points: 1,
      failureMessage: 'NetworkPolicy allow-dns in zero-trust is not as asked',
      hint: '`podSelector: {}`, `policyTypes: [Egress]`, one rule to k8s-app=kube-dns in kube-system on UDP and TCP 53.',
      object: {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        namespace: NAMESPACE,
        name: 'allow-dns',
      },
      fields: [
        { path: 'spec.podSelector.matchLabels', exists: false },
        { path: 'spec.policyTypes', equals: ['Egress'] },
      ],
    },
    {
      id: 'dns',
      kind: 'k8s.dns',
      title: 'exec frontend: orders resolves (DNS egress kept)',
      points: 2,
      failureMessage: 'Names do not resolve in zero-trust',
      hint: 'allow-dns must let every pod reach the CoreDNS pods (namespace kube-system, label k8s-app=kube-dns) on UDP and TCP 53.',
      from: pod('frontend'),
      name: 'orders',
      expectServiceIp: { namespace: NAMESPACE, name: 'orders' },
    },
    call('frontend', 'orders'),
    call('orders', 'payments'),
    {
      id: 'matrix',
      kind: 'k8s.connectivity-matrix',
      title:
        'exec frontend: payments:8080 blocked; exec payments: orders:8080 and frontend:8080 blocked; exec orders: frontend:8080 blocked',
      points: 4,
      failureMessage: 'Flows other than frontend -> orders -> payments are possible',
      hint: 'Allow exactly frontend -> orders and orders -> payments on TCP 8080, each with an egress and an ingress rule.',
      pods: APPS.map((name) => ({ ...pod(name), label: name })),
      ports: [{ port: 8080, protocol: 'TCP' }],
      allowed: [
        { from: 'frontend', to: 'orders', port: 8080 },
        { from: 'orders', to: 'payments', port: 8080 },
      ],
    },
    {
      id: 'kubernetes-api',
      kind: 'k8s.connectivity',
      title: 'exec frontend: kubernetes.default:443 blocked',
      points: 3,
      failureMessage: 'frontend can reach the Kubernetes API',
      hint: 'default-deny-all must deny egress: no rule may allow frontend out to anything but orders and DNS.',
      from: pod('frontend'),
      to: { service: { namespace: 'default', name: 'kubernetes' } },
      port: 443,
      protocol: 'TCP',
      expect: 'blocked',
    },
    {
      id: 'probe',
      kind: 'k8s.policy-verdict',
      title: 'grader pod app=probe in zero-trust: frontend, orders, payments on 8080 all blocked',
      points: 3,
      failureMessage: 'A new pod in zero-trust can reach the services',
      hint: 'Select peers by their app labels: a rule without `from`/`to`, or with `podSelector: {}`, lets every pod through.',
      from: { namespace: NAMESPACE, labels: { app: 'probe' } },
      flows: APPS.map((name) => ({ to: service(name), port: 8080, expect: 'blocked' as const })),
    },
  ],
};
