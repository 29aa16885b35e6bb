import type { CheckSpec, GraderSpec } from '../runtime/check-spec.types.js';

const NAMESPACE = 'p3-traffic';
const FRONTEND_POD = { namespace: NAMESPACE, labels: { app: 'frontend' } };

function deployment(name: 'frontend' | 'backend', replicas: number): CheckSpec[] {
  return [
    {
      id: `${name}-deployment`,
      kind: 'k8s.object',
      title: `deployment ${name}: ${replicas} replicas, app=${name}, container agnhost on 8080`,
      points: 1,
      failureMessage: `Deployment ${name} in p3-traffic is not as asked`,
      hint: `\`kubectl -n p3-traffic get deploy ${name} -o yaml\`: replicas, the pod label app=${name}, one container named agnhost with port 8080.`,
      object: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: NAMESPACE, name },
      fields: [
        { path: 'spec.replicas', equals: replicas },
        { path: 'spec.template.metadata.labels.app', equals: name },
        { path: 'spec.template.spec.containers[0].name', equals: 'agnhost' },
        { path: 'spec.template.spec.containers[0].ports[0].containerPort', equals: 8080 },
      ],
    },
    {
      id: `${name}-ready`,
      kind: 'k8s.pods-ready',
      title: `${replicas} ${name} pods (app=${name}) ready`,
      points: 1,
      failureMessage: `Not all ${name} pods are ready`,
      hint: `\`kubectl -n p3-traffic get pods -l app=${name}\`; describe a pod that is not ready.`,
      namespace: NAMESPACE,
      labels: { app: name },
      minReady: replicas,
    },
  ];
}

/**
 * The services of p3-traffic as phase-3-multi-service-traffic asks for them; phase-3-network-policies
 * checks again that its policies left them working.
 */
export const BACKEND_SERVICE_CHECK: CheckSpec = {
  id: 'backend-service',
  kind: 'k8s.object',
  title: 'service backend ClusterIP 8080 -> 8080',
  points: 1,
  failureMessage: 'Service backend in p3-traffic is not as asked',
  hint: 'Type ClusterIP, selector app=backend, port 8080 to targetPort 8080.',
  object: { apiVersion: 'v1', kind: 'Service', namespace: NAMESPACE, name: 'backend' },
  fields: [
    { path: 'spec.type', equals: 'ClusterIP' },
    { path: 'spec.selector', equals: { app: 'backend' } },
    { path: 'spec.ports[0].port', equals: 8080 },
    { path: 'spec.ports[0].targetPort', equals: 8080 },
  ],
};

export const BACKEND_ENDPOINTS_CHECK: CheckSpec = {
  id: 'backend-endpoints',
  kind: 'k8s.service-endpoints',
  title: 'service backend has 3 ready endpoints',
  points: 1,
  failureMessage: 'Service backend does not have 3 ready endpoints',
  hint: '`kubectl -n p3-traffic get endpointslices -l kubernetes.io/service-name=backend`.',
  namespace: NAMESPACE,
  service: 'backend',
  minReady: 3,
};

export const HEADLESS_DNS_CHECK: CheckSpec = {
  id: 'headless-dns',
  kind: 'k8s.dns',
  title: 'backend-headless resolves to the 3 backend pod IPs',
  points: 2,
  failureMessage: 'backend-headless does not resolve to the backend pods',
  hint: 'A headless service (`clusterIP: None`) selecting app=backend: DNS answers with the ready pod IPs.',
  from: FRONTEND_POD,
  name: 'backend-headless',
  expectPodAddresses: { namespace: NAMESPACE, labels: { app: 'backend' } },
};

export const FRONTEND_SERVICE_CHECK: CheckSpec = {
  id: 'frontend-service',
  kind: 'k8s.object',
  title: 'service frontend is NodePort, port 80 -> 8080',
  points: 1,
  failureMessage: 'Service frontend in p3-traffic is not as asked',
  hint: 'Type NodePort (let the cluster pick the nodePort), selector app=frontend, port 80 to targetPort 8080.',
  object: { apiVersion: 'v1', kind: 'Service', namespace: NAMESPACE, name: 'frontend' },
  fields: [
    { path: 'spec.type', equals: 'NodePort' },
    { path: 'spec.selector', equals: { app: 'frontend' } },
    { path: 'spec.ports[0].port', equals: 80 },
    { path: 'spec.ports[0].targetPort', equals: 8080 },
  ],
};

export const FRONTEND_ENDPOINTS_CHECK: CheckSpec = {
  id: 'frontend-endpoints',
  kind: 'k8s.service-endpoints',
  title: 'service frontend has 2 ready endpoints',
  points: 1,
  failureMessage: 'Service frontend does not have 2 ready endpoints',
  hint: '`kubectl -n p3-traffic get endpointslices -l kubernetes.io/service-name=frontend`.',
  namespace: NAMESPACE,
  service: 'frontend',
  minReady: 2,
};

/** phase-3-multi-service-traffic: ClusterIP, headless and NodePort services in front of two tiers. */
export const PHASE_3_TRAFFIC_GRADER: GraderSpec = {
  taskId: 'phase-3-multi-service-traffic',
  graderId: 'phase-3-multi-service-traffic',
  timeoutMs: 120_000,
  checks: [
    ...deployment('frontend', 2),
    ...deployment('backend', 3),
    BACKEND_SERVICE_CHECK,
    BACKEND_ENDPOINTS_CHECK,
    {
      id: 'headless-service',
      kind: 'k8s.object',
      title: 'service backend-headless is headless, selects app=backend, port 8080',
      points: 1,
      failureMessage: 'Service backend-headless in p3-traffic is not as asked',
      hint: 'Set `clusterIP: None` when creating it (it cannot be changed later: delete and recreate).',
      object: { apiVersion: 'v1', kind: 'Service', namespace: NAMESPACE, name: 'backend-headless' },
      fields: [
        { path: 'spec.clusterIP', equals: 'None' },
        { path: 'spec.selector', equals: { app: 'backend' } },
        { path: 'spec.ports[0].port', equals: 8080 },
      ],
    },
    { ...HEADLESS_DNS_CHECK, needs: ['headless-service', 'frontend-ready'] },
    {
      id: 'backend-dns',
      kind: 'k8s.dns',
      title: 'backend resolves to its single cluster IP',
      points: 1,
      needs: ['frontend-ready'],
      failureMessage: 'backend does not resolve to its cluster IP',
      hint: 'From a frontend pod, `nslookup backend` should give one address: the service IP.',
      from: FRONTEND_POD,
      name: 'backend',
      expectServiceIp: { namespace: NAMESPACE, name: 'backend' },
    },
    {
      id: 'connect',
      kind: 'k8s.connectivity',
      title: 'from a frontend pod: connect backend:8080 succeeds',
      points: 1,
      needs: ['frontend-ready'],
      failureMessage: 'A frontend pod cannot connect to backend:8080',
      hint: 'Try `kubectl -n p3-traffic exec deploy/frontend -- /agnhost connect backend:8080 --timeout=3s`.',
      from: FRONTEND_POD,
      to: { service: { namespace: NAMESPACE, name: 'backend' } },
      port: 8080,
      protocol: 'TCP',
      expect: 'allowed',
    },
    {
      id: 'dial',
      kind: 'k8s.http',
      title: 'from a frontend pod: /dial with 20 tries reaches at least 2 backend pods',
      points: 2,
      needs: ['frontend-ready'],
      failureMessage: 'The frontend pods do not spread their calls over the backend pods',
      hint: 'The /dial call of the instructions lists the backend pods that answered: check replicas, readiness and the selector.',
      from: FRONTEND_POD,
      url: 'http://localhost:8080/dial?request=hostname&protocol=http&host=backend&port=8080&tries=20',
      expectStatus: 200,
      distinct: { pattern: '"(backend-[a-z0-9]+-[a-z0-9]+)"', atLeast: 2, what: 'backend pods' },
    },
    FRONTEND_SERVICE_CHECK,
    FRONTEND_ENDPOINTS_CHECK,
  ],
};
