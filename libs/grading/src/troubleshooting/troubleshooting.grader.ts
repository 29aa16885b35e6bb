import type { GraderSpec } from '../runtime/check-spec.types.js';
import { INGRESS_CONTROLLER_POD, INGRESS_CONTROLLER_URL } from '../kubernetes/ingress-controller.refs.js';
import { TROUBLESHOOT_NAMESPACE } from './troubleshoot-app.manifests.js';

const NAMESPACE = TROUBLESHOOT_NAMESPACE;

/**
 * troubleshooting-incident-<n>: whatever the fault, resolved means the app answers in the cluster and
 * through the ingress, it is still the app of the runbook, and its isolation is intact.
 */
export function troubleshootingGrader(incident: number): GraderSpec {
  const taskId = `troubleshooting-incident-${incident}`;
  return {
    taskId,
    graderId: taskId,
    timeoutMs: 90_000,
    checks: [
      {
        id: 'in-cluster',
        kind: 'k8s.http',
        title:
          'exec in a client pod: GET http://web.troubleshoot.svc.cluster.local/hostname returns a web pod',
        points: 4,
        failureMessage: 'The client still cannot call web',
        hint: 'Timeout: a policy or no endpoints; refused: a port; no name: DNS. Read the client logs and work layer by layer.',
        from: { namespace: NAMESPACE, labels: { app: 'client' } },
        url: 'http://web.troubleshoot.svc.cluster.local/hostname',
        expectStatus: 200,
        expectBody: { matches: '^web-' },
      },
      {
        id: 'through-ingress',
        kind: 'k8s.http',
        title:
          'via service ingress-nginx-controller:80 with Host web.troubleshoot.test: GET /hostname returns a web pod',
        points: 4,
        failureMessage: 'web.troubleshoot.test still fails through the ingress controller',
        hint: '503: the backend service or its endpoints; 502: its port; 504: a policy drops the controller; 404: host or class.',
        from: INGRESS_CONTROLLER_POD,
        url: `${INGRESS_CONTROLLER_URL}/hostname`,
        headers: { Host: 'web.troubleshoot.test' },
        expectStatus: 200,
        expectBody: { matches: '^web-' },
      },
      {
        id: 'web-deployment',
        kind: 'k8s.object',
        title: 'deployment web: 2 ready replicas labelled app=web',
        points: 1,
        failureMessage: 'Deployment web is no longer the app of the runbook',
        hint: 'Fix the broken object, not the app: web keeps 2 replicas and the pod label app=web.',
        object: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: NAMESPACE, name: 'web' },
        fields: [
          { path: 'spec.template.metadata.labels.app', equals: 'web' },
          { path: 'status.readyReplicas', equals: 2 },
        ],
      },
      {
        id: 'web-service',
        kind: 'k8s.object',
        title: 'service web selects app=web on port 80',
        points: 1,
        failureMessage: 'Service web is no longer the one of the runbook',
        hint: 'Service web selects app=web and serves port 80 (to the pods on 8080).',
        object: { apiVersion: 'v1', kind: 'Service', namespace: NAMESPACE, name: 'web' },
        fields: [
          { path: 'spec.selector', equals: { app: 'web' } },
          { path: 'spec.ports[0].port', equals: 80 },
        ],
      },
      {
        id: 'ingress',
        kind: 'k8s.ingress-route',
        title: 'ingress web serves web.troubleshoot.test',
        points: 1,
        failureMessage: 'Ingress web does not send web.troubleshoot.test to web:80',
        hint: 'Compare the ingress backend (service name and port) with `kubectl -n troubleshoot get svc web`.',
        namespace: NAMESPACE,
        host: 'web.troubleshoot.test',
        path: '/',
        service: { name: 'web', port: 80 },
      },
      {
        id: 'default-deny',
        kind: 'k8s.object',
        title: 'network policy default-deny exists',
        points: 2,
        failureMessage: 'NetworkPolicy default-deny was removed or changed',
        hint: 'Deleting the deny is not a fix: restore it and repair the allowance that is wrong.',
        object: {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          namespace: NAMESPACE,
          name: 'default-deny',
        },
        fields: [
          { path: 'spec.podSelector.matchLabels', exists: false },
          { path: 'spec.policyTypes', equals: ['Ingress', 'Egress'] },
        ],
      },
      {
        id: 'isolated',
        kind: 'k8s.policy-verdict',
        title: 'grader pod app=probe in troubleshoot cannot reach web:8080',
        points: 1,
        failureMessage: 'Other pods of troubleshoot can reach web',
        hint: 'web may admit app=client and the ingress-nginx namespace only, on 8080; default-deny stays.',
        from: { namespace: NAMESPACE, labels: { app: 'probe' } },
        flows: [
          { to: { pods: { namespace: NAMESPACE, labels: { app: 'web' } } }, port: 8080, expect: 'blocked' },
        ],
      },
      {
        id: 'isolated-from-default',
        kind: 'k8s.policy-verdict',
        title: 'grader pod app=probe in namespace default cannot reach web:8080',
        points: 1,
        failureMessage: 'Pods of other namespaces can reach web',
        hint: 'web may admit app=client and the ingress-nginx namespace only, on 8080: no rule without `from`.',
        from: { namespace: 'default', labels: { app: 'probe' } },
        flows: [
          { to: { pods: { namespace: NAMESPACE, labels: { app: 'web' } } }, port: 8080, expect: 'blocked' },
        ],
      },
    ],
  };
}

export const TROUBLESHOOTING_GRADERS: readonly GraderSpec[] = [1, 2, 3].map(troubleshootingGrader);
