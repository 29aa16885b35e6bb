import type { CheckSpec, GraderSpec } from '../runtime/check-spec.types.js';
import { INGRESS_CONTROLLER_POD, INGRESS_CONTROLLER_URL } from './ingress-controller.refs.js';

function app(name: 'shop' | 'blog'): CheckSpec[] {
  return [
    {
      id: `${name}-ready`,
      kind: 'k8s.object',
      title: `deployment ${name} ready (app=${name}, 8080)`,
      points: 1,
      failureMessage: `Deployment ${name} in lab4 is not as asked`,
      hint: `\`kubectl -n lab4 get deploy ${name} -o yaml\`: pod label app=${name}, container port 8080, 1 ready replica.`,
      object: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'lab4', name },
      fields: [
        { path: 'spec.template.metadata.labels.app', equals: name },
        { path: 'spec.template.spec.containers[0].ports[0].containerPort', equals: 8080 },
        { path: 'status.readyReplicas', equals: 1 },
      ],
    },
    {
      id: `${name}-service`,
      kind: 'k8s.object',
      title: `service ${name} 80 -> 8080`,
      points: 1,
      failureMessage: `Service ${name} in lab4 is not as asked`,
      hint: `Service ${name} selects app=${name} and maps port 80 to targetPort 8080.`,
      object: { apiVersion: 'v1', kind: 'Service', namespace: 'lab4', name },
      fields: [
        { path: 'spec.selector', equals: { app: name } },
        { path: 'spec.ports[0].port', equals: 80 },
        { path: 'spec.ports[0].targetPort', equals: 8080 },
      ],
    },
  ];
}

function route(name: 'shop' | 'blog'): CheckSpec {
  return {
    id: `route-${name}`,
    kind: 'k8s.ingress-route',
    title: `ingress lab4 routes ${name}.lab4.test -> ${name}:80`,
    points: 2,
    failureMessage: `Ingress lab4 does not route ${name}.lab4.test to ${name}:80`,
    hint: `A rule with host ${name}.lab4.test, path / (Prefix), backend service ${name} port number 80.`,
    namespace: 'lab4',
    host: `${name}.lab4.test`,
    path: '/',
    service: { name, port: 80 },
  };
}

function through(name: 'shop' | 'blog'): CheckSpec {
  return {
    id: `via-controller-${name}`,
    kind: 'k8s.http',
    title: `via service ingress-nginx-controller:80: Host ${name}.lab4.test GET /hostname returns a ${name} pod`,
    points: 3,
    needs: ['controller'],
    failureMessage: `Host ${name}.lab4.test through the controller does not reach a ${name} pod`,
    hint: '404: no rule matched the host; 503: the backend service has no ready endpoints or port; 502: wrong targetPort.',
    from: INGRESS_CONTROLLER_POD,
    url: `${INGRESS_CONTROLLER_URL}/hostname`,
    headers: { Host: `${name}.lab4.test` },
    expectStatus: 200,
    expectBody: { matches: `^${name}-` },
  };
}

/** lab-4-ingress: ingress-nginx routes shop.lab4.test and blog.lab4.test to their services. */
export const LAB_4_GRADER: GraderSpec = {
  taskId: 'lab-4-ingress',
  graderId: 'lab-4-ingress',
  timeoutMs: 90_000,
  checks: [
    {
      id: 'controller',
      kind: 'k8s.object',
      title: 'deployment ingress-nginx-controller in ingress-nginx available',
      points: 2,
      failureMessage: 'The ingress-nginx controller is not running',
      hint: 'Install it with the helm command of the instructions; `kubectl -n ingress-nginx get deploy,pods` shows its state.',
      object: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace: 'ingress-nginx',
        name: 'ingress-nginx-controller',
      },
      fields: [{ path: 'status.availableReplicas', matches: '^[1-9]' }],
    },
    {
      id: 'ingress-class',
      kind: 'k8s.object',
      title: 'IngressClass nginx exists',
      points: 1,
      failureMessage: 'IngressClass nginx is missing',
      hint: 'The chart creates it; `kubectl get ingressclass` should list nginx.',
      object: { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', name: 'nginx' },
    },
    ...app('shop'),
    ...app('blog'),
    {
      id: 'ingress',
      kind: 'k8s.object',
      title: 'ingress lab4 in lab4 uses class nginx',
      points: 1,
      failureMessage: 'Ingress lab4 in lab4 is not as asked',
      hint: 'Set `spec.ingressClassName: nginx`; without a class no controller serves the Ingress.',
      object: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', namespace: 'lab4', name: 'lab4' },
      fields: [{ path: 'spec.ingressClassName', equals: 'nginx' }],
    },
    route('shop'),
    route('blog'),
    through('shop'),
    through('blog'),
    {
      id: 'unknown-host',
      kind: 'k8s.http',
      title: 'via service ingress-nginx-controller:80: unknown host returns 404',
      points: 2,
      needs: ['controller'],
      failureMessage: 'An unknown host through the controller does not get 404',
      hint: 'Give every rule a host: a rule without one catches every hostname.',
      from: INGRESS_CONTROLLER_POD,
      url: `${INGRESS_CONTROLLER_URL}/`,
      headers: { Host: 'nope.lab4.test' },
      expectStatus: 404,
    },
  ],
};
