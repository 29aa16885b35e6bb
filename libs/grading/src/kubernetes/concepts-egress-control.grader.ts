import type { CheckSpec, GraderSpec } from '../runtime/check-spec.types.js';

const NAMESPACE = 'egress-lab';
const WORKER = { namespace: NAMESPACE, name: 'worker' };
type App = 'partner-api' | 'internal-db';

function app(name: App): CheckSpec[] {
  return [
    {
      id: `${name}-deployment`,
      kind: 'k8s.object',
      title: `deployment ${name} ready (app=${name}, 8080)`,
      points: 1,
      failureMessage: `Deployment ${name} in egress-lab is not as asked`,
      hint: `\`kubectl -n egress-lab get deploy ${name} -o yaml\`: pod label app=${name}, container port 8080, 1 ready replica.`,
      object: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: NAMESPACE, name },
      fields: [
        { path: 'spec.template.metadata.labels.app', equals: name },
        { path: 'spec.template.spec.containers[0].ports[0].containerPort', equals: 8080 },
        { path: 'status.readyReplicas', equals: 1 },
      ],
    },
    {
      id: `${name}-service`,
      kind: 'k8s.object',
      title: `service ${name} on 8080`,
      points: 1,
      failureMessage: `Service ${name} in egress-lab is not as asked`,
      hint: `Service ${name} selects app=${name} and maps port 8080 to 8080.`,
      object: { apiVersion: 'v1', kind: 'Service', namespace: NAMESPACE, name },
      fields: [
        { path: 'spec.selector', equals: { app: name } },
        { path: 'spec.ports[0].port', equals: 8080 },
        { path: 'spec.ports[0].targetPort', equals: 8080 },
      ],
    },
  ];
}

/** concepts-egress-control: the worker resolves names and calls partner-api, nothing else. */
export const EGRESS_CONTROL_GRADER: GraderSpec = {
  taskId: 'concepts-egress-control',
  graderId: 'concepts-egress-control',
  timeoutMs: 90_000,
  checks: [
    ...app('partner-api'),
    ...app('internal-db'),
    {
      id: 'worker',
      kind: 'k8s.pods-ready',
      title: 'pod worker (app=worker) running',
      points: 1,
      failureMessage: 'No ready pod labelled app=worker in egress-lab',
      hint: '`kubectl -n egress-lab get pod worker --show-labels`; busybox needs `sleep 1000000` to keep running.',
      namespace: NAMESPACE,
      labels: { app: 'worker' },
      minReady: 1,
    },
    {
      id: 'worker-egress',
      kind: 'k8s.object',
      title: 'network policy worker-egress selects app=worker with policyTypes [Egress]',
      points: 2,
      failureMessage: 'NetworkPolicy worker-egress in egress-lab is not as asked',
      hint: '`podSelector.matchLabels: {app: worker}` and `policyTypes: [Egress]`.',
      object: {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        namespace: NAMESPACE,
        name: 'worker-egress',
      },
      fields: [
        { path: 'spec.podSelector.matchLabels', equals: { app: 'worker' } },
        { path: 'spec.policyTypes', equals: ['Egress'] },
      ],
    },
    {
      id: 'dns',
      kind: 'k8s.dns',
      title: 'exec in worker: nslookup partner-api succeeds',
      points: 2,
      needs: ['worker'],
      failureMessage: 'Name resolution is blocked for worker',
      hint: 'Allow UDP and TCP 53 to the CoreDNS pods: namespaceSelector kube-system AND podSelector k8s-app=kube-dns in one `to` item.',
      from: WORKER,
      name: 'partner-api',
      expectServiceIp: { namespace: NAMESPACE, name: 'partner-api' },
    },
    {
      id: 'partner-api',
      kind: 'k8s.http',
      title: 'exec in worker: GET http://partner-api:8080/hostname succeeds',
      points: 2,
      needs: ['dns'],
      failureMessage: 'worker cannot call partner-api:8080',
      hint: 'Allow TCP 8080 to pods labelled app=partner-api.',
      from: WORKER,
      url: 'http://partner-api:8080/hostname',
      expectStatus: 200,
      expectBody: { matches: '^partner-api-' },
    },
    {
      id: 'internal-db-blocked',
      kind: 'k8s.connectivity',
      title: 'exec in worker: internal-db:8080 times out',
      points: 2,
      needs: ['worker'],
      failureMessage: 'worker can reach internal-db',
      hint: 'Only app=partner-api may be allowed on 8080: a `to` with `podSelector: {}` or no `to` at all opens everything.',
      from: WORKER,
      to: { service: { namespace: NAMESPACE, name: 'internal-db' } },
      port: 8080,
      protocol: 'TCP',
      expect: 'blocked',
    },
    {
      id: 'kubernetes-api-blocked',
      kind: 'k8s.connectivity',
      title: 'exec in worker: kubernetes.default:443 times out',
      points: 1,
      needs: ['worker'],
      failureMessage: 'worker can reach the Kubernetes API',
      hint: 'The policy type must include Egress; then only what the rules list is allowed.',
      from: WORKER,
      to: { service: { namespace: 'default', name: 'kubernetes' } },
      port: 443,
      protocol: 'TCP',
      expect: 'blocked',
    },
    {
      id: 'internal-db-healthy',
      kind: 'k8s.policy-verdict',
      title: 'grader pod in egress-lab reaches internal-db:8080',
      points: 1,
      failureMessage: 'internal-db is not reachable from other pods of egress-lab',
      hint: 'Restrict the worker, not internal-db: no policy should isolate internal-db.',
      from: { namespace: NAMESPACE, labels: {} },
      flows: [
        { to: { service: { namespace: NAMESPACE, name: 'internal-db' } }, port: 8080, expect: 'allowed' },
      ],
    },
  ],
};
