import type { CheckSpec, GraderSpec } from '../runtime/check-spec.types.js';
import { BACKEND_ENDPOINTS_CHECK, FRONTEND_ENDPOINTS_CHECK } from './phase-3-multi-service-traffic.grader.js';

const NAMESPACE = 'p3-traffic';
const BACKEND = { service: { namespace: NAMESPACE, name: 'backend' } };

function policy(name: string, selects: Record<string, string> | null, hint: string): CheckSpec {
  return {
    id: name,
    kind: 'k8s.object',
    title: `network policy ${name} exists in p3-traffic`,
    points: 1,
    failureMessage: `NetworkPolicy ${name} in p3-traffic is not as asked`,
    hint,
    object: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: NAMESPACE, name },
    fields: selects
      ? [{ path: 'spec.podSelector.matchLabels', equals: selects }]
      : [
          { path: 'spec.podSelector.matchLabels', exists: false },
          { path: 'spec.policyTypes', equals: ['Ingress'] },
          { path: 'spec.ingress', exists: false },
        ],
  };
}

/** phase-3-network-policies: only the frontend reaches the backend; the frontend stays open. */
export const PHASE_3_POLICIES_GRADER: GraderSpec = {
  taskId: 'phase-3-network-policies',
  graderId: 'phase-3-network-policies',
  timeoutMs: 90_000,
  checks: [
    policy(
      'default-deny-ingress',
      null,
      'It selects every pod (`podSelector: {}`), has `policyTypes: [Ingress]` and no rules.',
    ),
    policy(
      'allow-frontend-to-backend',
      { app: 'backend' },
      'It selects app=backend and admits TCP 8080 from pods labelled app=frontend.',
    ),
    policy(
      'allow-frontend-http',
      { app: 'frontend' },
      'It selects app=frontend and admits TCP 8080 from anywhere (a rule with ports and no `from`).',
    ),
    {
      id: 'frontend-to-backend',
      kind: 'k8s.connectivity',
      title: 'from a frontend pod: connect backend:8080 succeeds',
      points: 4,
      failureMessage: 'A frontend pod cannot connect to backend:8080',
      hint: 'allow-frontend-to-backend must admit pods labelled app=frontend on TCP 8080.',
      from: { namespace: NAMESPACE, labels: { app: 'frontend' } },
      to: BACKEND,
      port: 8080,
      protocol: 'TCP',
      expect: 'allowed',
    },
    {
      id: 'probe-to-backend',
      kind: 'k8s.policy-verdict',
      title: 'grader pod app=probe: connect backend:8080 fails (timeout)',
      points: 3,
      failureMessage: 'Pods other than the frontend can reach the backend',
      hint: 'The backend may admit app=frontend only: a rule without `from` (or with `podSelector: {}`) admits everyone.',
      from: { namespace: NAMESPACE, labels: { app: 'probe' } },
      flows: [{ to: BACKEND, port: 8080, expect: 'blocked' }],
    },
    {
      id: 'probe-to-frontend',
      kind: 'k8s.policy-verdict',
      title: 'grader pod app=probe: connect frontend pod port 8080 succeeds',
      points: 3,
      failureMessage: 'The frontend is not open to every pod on 8080',
      hint: 'allow-frontend-http must admit TCP 8080 from anywhere: default-deny-ingress blocks the frontend too.',
      from: { namespace: NAMESPACE, labels: { app: 'probe' } },
      flows: [
        {
          to: { pods: { namespace: NAMESPACE, labels: { app: 'frontend' } } },
          port: 8080,
          expect: 'allowed',
        },
      ],
    },
    {
      ...BACKEND_ENDPOINTS_CHECK,
      title: 'phase-3-multi-service-traffic: service backend still has 3 ready endpoints',
    },
    {
      ...FRONTEND_ENDPOINTS_CHECK,
      title: 'phase-3-multi-service-traffic: service frontend still has 2 ready endpoints',
    },
  ],
};
