/**
 * The Kubernetes-lab graders against the fake API server: every scenario seeds a lab's reference
 * solution (test/k8s-graders/*.yaml: the manifests a student would apply) or one near-miss variant
 * (one small mistake a student makes), lets the simulated controllers settle, and grades it through
 * the production ClusterProbe (libs/environments: reads and ephemeral probe containers, through the
 * real @kubernetes/client-node) and the same runtime the pipeline uses. The fake's network answers
 * the probes from its own objects; NetworkPolicies are evaluated by the engine, whose truth tables
 * are written independently from the Kubernetes API reference.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { appendFileSync, readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { StudentClusterProbe } from '@kubecohort/environments';
import {
  CAPSTONE_GRADER,
  TROUBLESHOOTING_FAULT_IDS,
  TROUBLESHOOTING_GRADERS,
  troubleshootApp,
  type TroubleshootingFaultId,
  troubleshootingManifests,
  withFault,
  EGRESS_CONTROL_GRADER,
  SANDBOX_APP_GRADER,
  KUBERNETES_GRADERS,
  LAB_1_GRADER,
  LAB_2_GRADER,
  LAB_3_GRADER,
  LAB_4_GRADER,
  PHASE_3_POLICIES_GRADER,
  PHASE_3_TRAFFIC_GRADER,
  PHASE_5_ZERO_TRUST_GRADER,
  gradeTask,
  type GraderSpec,
  type GradingResult,
} from '@kubecohort/grading';
import { DEFAULT_KUBE_CLIENT_OPTIONS, KubeClients } from '@kubecohort/kubernetes';
import { FakeKubeApiServer, type SeedObject } from './fake-kube-api/index.js';
import { SimulatedNetwork } from './fake-kube-api/network.simulator.js';
import { deployIncident } from '../apps/worker/src/grading/incident.deployer.js';

const PROBE_OPTIONS = { image: 'netshoot-test', startTimeoutMs: 3000, lifetimeSeconds: 600, recheckMs: 50 };
const SCENARIO_TIMEOUT_MS = 60_000;

function fixture(name: string): SeedObject[] {
  const text = readFileSync(new URL(`./k8s-graders/${name}`, import.meta.url), 'utf8');
  return parseAllDocuments(text).map((document) => document.toJSON() as SeedObject);
}

/** The object of a kind and name in a manifest list, to change in place (throws when absent). */
function find(objects: SeedObject[], kind: string, name: string): SeedObject & Record<string, any> {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in the manifests`);
  return found as SeedObject & Record<string, any>;
}

function without(objects: SeedObject[], kind: string, name: string): SeedObject[] {
  find(objects, kind, name);
  return objects.filter((object) => !(object.kind === kind && object.metadata.name === name));
}

interface Variant {
  /** The student's mistake. */
  name: string;
  /** Changes the reference manifests (a deep copy); may return a new list. */
  mistake(objects: SeedObject[]): SeedObject[] | void;
  /** The checks that must fail, with their exact messages. Every other check that runs must pass. */
  fails: Record<string, string>;
  /** The checks that must be skipped because one of `fails` did not pass. */
  skips?: string[];
}

interface Lab {
  grader: GraderSpec;
  /** Seeded before the student's manifests: what the platform or an earlier lab installed. */
  base: string[];
  /** The student's manifests (several files: applied in order), or the objects themselves. */
  reference: string[] | (() => SeedObject[]);
  variants: Variant[];
}

function readPolicyFrom(policy: unknown): unknown {
  return (policy as { spec?: { ingress?: { from?: unknown }[] } } | null | undefined)?.spec?.ingress?.[0]
    ?.from;
}

function manifestsOf(lab: Lab): SeedObject[] {
  return typeof lab.reference === 'function' ? lab.reference() : lab.reference.flatMap(fixture);
}

/**
 * KC_RECORD=<file>: appends what each variant actually produced (one JSON line), to review and
 * paste when writing a new variant's expectations.
 */
function record(file: string, lab: Lab, variant: Variant, result: GradingResult): void {
  const fails = result.checks.filter((check) => !check.passed && !check.skipped);
  appendFileSync(
    file,
    `${JSON.stringify({
      lab: lab.grader.taskId,
      variant: variant.name,
      fails: Object.fromEntries(fails.map((check) => [check.id, check.message])),
      skips: result.checks.filter((check) => check.skipped).map((check) => check.id),
    })}\n`,
  );
}

const skippedBecause = (grader: GraderSpec, ...ids: string[]): string =>
  `Not checked: first fix ${ids.map((id) => `"${grader.checks.find((check) => check.id === id)!.title}"`).join(', ')}`;

/** What each fault left in place breaks, as the grader says it. */
const FAULT_FAILURES: Record<TroubleshootingFaultId, Record<string, string>> = {
  'broken-selector': {
    'in-cluster':
      'The client still cannot call web: GET http://web.troubleshoot.svc.cluster.local/hostname got no response (timeout)',
    'through-ingress':
      'web.troubleshoot.test still fails through the ingress controller: GET web.troubleshoot.test/hostname returned 503, not 200',
    'web-service':
      'Service web is no longer the one of the runbook: spec.selector is {"app":"web-v2"}, not {"app":"web"}',
  },
  'wrong-target-port': {
    'in-cluster':
      'The client still cannot call web: GET http://web.troubleshoot.svc.cluster.local/hostname got no response (timeout)',
    'through-ingress':
      'web.troubleshoot.test still fails through the ingress controller: GET web.troubleshoot.test/hostname returned 504, not 200',
  },
  'deny-all-policy': {
    'in-cluster':
      'The client still cannot call web: GET http://web.troubleshoot.svc.cluster.local/hostname got no response (timeout)',
    'through-ingress':
      'web.troubleshoot.test still fails through the ingress controller: GET web.troubleshoot.test/hostname returned 504, not 200',
  },
  'dns-egress-blocked': {
    'in-cluster':
      'The client still cannot call web: GET http://web.troubleshoot.svc.cluster.local/hostname got no response (curl: (6) Could not resolve host: web.troubleshoot.svc.cluster.local)',
  },
  'wrong-ingress-backend': {
    'through-ingress':
      'web.troubleshoot.test still fails through the ingress controller: GET web.troubleshoot.test/hostname returned 503, not 200',
    ingress:
      'Ingress web does not send web.troubleshoot.test to web:80: web.troubleshoot.test/ goes to web-v2:80, not web:80',
  },
};

const LABS: Lab[] = [
  {
    grader: SANDBOX_APP_GRADER,
    base: ['cluster-base.yaml'],
    reference: ['environment-sandbox-app.reference.yaml'],
    variants: [
      {
        name: 'left scaled to zero after the outage exercise',
        mistake: (objects) => {
          find(objects, 'Deployment', 'hello').spec.replicas = 0;
        },
        fails: {
          deployment:
            'Deployment hello in sandbox is not as asked: spec.replicas is 0, not 2; status.readyReplicas is null, not 2',
          endpoints:
            'Service hello does not have 2 ready endpoints: hello has 0 ready endpoints, expected 2 (does its selector match the pods?)',
          'by-name':
            'hello.sandbox.svc.cluster.local does not answer with a hello pod name: there is no pod in sandbox labelled app=hello',
        },
      },
      {
        name: 'targetPort 80',
        mistake: (objects) => {
          find(objects, 'Service', 'hello').spec.ports[0].targetPort = 80;
        },
        fails: {
          service: 'Service hello in sandbox is not as asked: spec.ports[0].targetPort is 80',
          'by-name':
            'hello.sandbox.svc.cluster.local does not answer with a hello pod name: GET http://hello.sandbox.svc.cluster.local/hostname got no response (connection refused)',
        },
      },
      {
        name: 'the service selects app=hello-world',
        mistake: (objects) => {
          find(objects, 'Service', 'hello').spec.selector = { app: 'hello-world' };
        },
        fails: {
          service:
            'Service hello in sandbox is not as asked: spec.selector is {"app":"hello-world"}, not {"app":"hello"}',
          endpoints:
            'Service hello does not have 2 ready endpoints: hello has 0 ready endpoints, expected 2 (does its selector match the pods?)',
          'by-name':
            'hello.sandbox.svc.cluster.local does not answer with a hello pod name: GET http://hello.sandbox.svc.cluster.local/hostname got no response (timeout)',
        },
      },
    ],
  },
  {
    grader: EGRESS_CONTROL_GRADER,
    base: ['cluster-base.yaml'],
    reference: ['concepts-egress-control.reference.yaml'],
    variants: [
      {
        name: 'DNS forgotten: only the partner-api rule',
        mistake: (objects) => {
          const policy = find(objects, 'NetworkPolicy', 'worker-egress');
          policy.spec.egress = policy.spec.egress.slice(1);
        },
        fails: {
          dns: 'Name resolution is blocked for worker: partner-api does not resolve from worker (timeout)',
        },
        skips: ['partner-api'],
      },
      {
        name: 'TCP 8080 allowed to every pod (podSelector: {})',
        mistake: (objects) => {
          find(objects, 'NetworkPolicy', 'worker-egress').spec.egress[1].to = [{ podSelector: {} }];
        },
        fails: {
          'internal-db-blocked':
            'worker can reach internal-db: worker -> service internal-db:8080/TCP is allowed, expected blocked',
        },
      },
      {
        name: 'policyTypes [Ingress] with the egress rules',
        mistake: (objects) => {
          find(objects, 'NetworkPolicy', 'worker-egress').spec.policyTypes = ['Ingress'];
        },
        fails: {
          'worker-egress':
            'NetworkPolicy worker-egress in egress-lab is not as asked: spec.policyTypes is ["Ingress"], not ["Egress"]',
          'internal-db-blocked':
            'worker can reach internal-db: worker -> service internal-db:8080/TCP is allowed, expected blocked',
          'kubernetes-api-blocked':
            'worker can reach the Kubernetes API: worker -> service kubernetes:443/TCP is allowed, expected blocked',
        },
      },
      {
        name: 'internal-db locked down too',
        mistake: (objects) => [
          ...objects,
          {
            apiVersion: 'networking.k8s.io/v1',
            kind: 'NetworkPolicy',
            metadata: { name: 'deny-internal-db', namespace: 'egress-lab' },
            spec: { podSelector: { matchLabels: { app: 'internal-db' } }, policyTypes: ['Ingress'] },
          },
        ],
        fails: {
          'internal-db-healthy':
            'internal-db is not reachable from other pods of egress-lab: from a new pod in egress-lab: internal-db:8080 is blocked, expected allowed',
        },
      },
    ],
  },
  {
    grader: LAB_1_GRADER,
    base: ['cluster-base.yaml'],
    reference: ['lab-1.reference.yaml'],
    variants: [
      {
        name: 'the client pod keeps the label kubectl run gives it (run=client)',
        mistake: (objects) => {
          find(objects, 'Pod', 'client').metadata.labels = { run: 'client' };
        },
        fails: {
          'client-pod': 'Pod client in lab1-a is not as asked: metadata.labels.app is null, not "client"',
          'client-ready': 'No ready pod labelled app=client in lab1-a: 0 of 1 pods are ready',
        },
        skips: ['by-ip', 'by-dns', 'by-name'],
      },
      {
        name: 'netexec listens on 80 (--http-port=80, containerPort 80)',
        mistake: (objects) => {
          const container = find(objects, 'Pod', 'server').spec.containers[0];
          container.args = ['netexec', '--http-port=80'];
          container.ports = [{ containerPort: 80 }];
        },
        fails: {
          'server-pod':
            'Pod server in lab1-b is not as asked: spec.containers[0].ports[0].containerPort is 80, not 8080',
          'by-ip':
            'client cannot reach the server pod by its IP: GET http://10.244.0.14:8080/hostname got no response (connection refused)',
          'by-name':
            'client cannot reach the server by its DNS name: GET http://server.lab1-b.svc.cluster.local:8080/hostname got no response (connection refused)',
        },
      },
      {
        name: 'the service selects app=lab1-server',
        mistake: (objects) => {
          find(objects, 'Service', 'server').spec.selector = { app: 'lab1-server' };
        },
        fails: {
          'headless-service':
            'Service server in lab1-b is not as asked: spec.selector is {"app":"lab1-server"}, not {"app":"server"}',
          'service-endpoint':
            'Service server has no ready endpoint: server has 0 ready endpoints, expected 1 (does its selector match the pods?)',
          'by-dns':
            'The headless service name does not lead client to the server pod: server.lab1-b.svc.cluster.local does not resolve from client (NXDOMAIN)',
        },
        skips: ['by-name'],
      },
    ],
  },
  {
    grader: LAB_2_GRADER,
    base: ['cluster-base.yaml'],
    reference: ['lab-2.reference.yaml'],
    variants: [
      {
        name: 'targetPort 80 (kubectl expose without --target-port)',
        mistake: (objects) => {
          find(objects, 'Service', 'echo').spec.ports[0].targetPort = 80;
        },
        fails: {
          service: 'Service echo in lab2 is not as asked: spec.ports[0].targetPort is 80',
          'short-name':
            'http://echo/hostname does not answer client with an echo pod name: GET http://echo/hostname got no response (connection refused)',
          'load-balanced':
            'Requests to echo.lab2.svc.cluster.local do not reach both echo pods: GET http://echo.lab2.svc.cluster.local/hostname got no response (connection refused)',
        },
      },
      {
        name: 'one replica',
        mistake: (objects) => {
          find(objects, 'Deployment', 'echo').spec.replicas = 1;
        },
        fails: {
          deployment:
            'Deployment echo in lab2 is not as asked: spec.replicas is 1, not 2; status.readyReplicas is 1, not 2',
          endpoints: 'Service echo does not have 2 ready endpoints: echo has 1 ready endpoints, expected 2',
          'load-balanced':
            'Requests to echo.lab2.svc.cluster.local do not reach both echo pods: the 20 answers name 1 echo pods, expected at least 2',
        },
      },
      {
        name: 'the port has no name',
        mistake: (objects) => {
          delete find(objects, 'Service', 'echo').spec.ports[0].name;
          find(objects, 'Service', 'echo').spec.ports[0].targetPort = 8080;
        },
        fails: {
          service: 'Service echo in lab2 is not as asked: spec.ports[0].name is null, not "http"',
        },
      },
    ],
  },
  {
    grader: LAB_3_GRADER,
    base: ['cluster-base.yaml'],
    reference: ['lab-3.reference.yaml'],
    variants: [
      {
        name: 'namespaceSelector and podSelector as two items (OR)',
        mistake: (objects) => {
          const rule = find(objects, 'NetworkPolicy', 'allow-web-from-frontend').spec.ingress[0];
          const [peer] = rule.from;
          rule.from = [{ namespaceSelector: peer.namespaceSelector }, { podSelector: peer.podSelector }];
        },
        fails: {
          'probe-frontend':
            'Another pod of lab3-frontend can reach the api: from a pod labelled app=probe in lab3-frontend: api:8080 is allowed, expected blocked',
        },
      },
      {
        name: 'podSelector app=web without a namespaceSelector',
        mistake: (objects) => {
          const rule = find(objects, 'NetworkPolicy', 'allow-web-from-frontend').spec.ingress[0];
          delete rule.from[0].namespaceSelector;
        },
        fails: {
          'web-allowed':
            'web cannot call the api: GET http://api.lab3-backend.svc.cluster.local:8080/hostname got no response (timeout)',
        },
      },
      {
        name: 'no default-deny-ingress',
        mistake: (objects) => without(objects, 'NetworkPolicy', 'default-deny-ingress'),
        fails: {
          'default-deny':
            'NetworkPolicy default-deny-ingress in lab3-backend is not as asked: NetworkPolicy lab3-backend/default-deny-ingress does not exist',
        },
      },
    ],
  },
  {
    grader: LAB_4_GRADER,
    base: ['cluster-base.yaml'],
    reference: ['ingress-nginx.yaml', 'lab-4.reference.yaml'],
    variants: [
      {
        name: 'the blog rule copied from the shop rule, backend left at shop',
        mistake: (objects) => {
          find(objects, 'Ingress', 'lab4').spec.rules[1].http.paths[0].backend.service.name = 'shop';
        },
        fails: {
          'route-blog':
            'Ingress lab4 does not route blog.lab4.test to blog:80: blog.lab4.test/ goes to shop:80, not blog:80',
          'via-controller-blog':
            'Host blog.lab4.test through the controller does not reach a blog pod: the answer is "shop-g5vkwhnbqh-9l58z"',
        },
      },
      {
        name: 'no ingressClassName',
        mistake: (objects) => {
          delete find(objects, 'Ingress', 'lab4').spec.ingressClassName;
        },
        fails: {
          ingress: 'Ingress lab4 in lab4 is not as asked: spec.ingressClassName is null, not "nginx"',
          'via-controller-shop':
            'Host shop.lab4.test through the controller does not reach a shop pod: GET shop.lab4.test/hostname returned 404, not 200',
          'via-controller-blog':
            'Host blog.lab4.test through the controller does not reach a blog pod: GET blog.lab4.test/hostname returned 404, not 200',
        },
      },
      {
        name: 'service shop targets port 80',
        mistake: (objects) => {
          find(objects, 'Service', 'shop').spec.ports[0].targetPort = 80;
        },
        fails: {
          'shop-service': 'Service shop in lab4 is not as asked: spec.ports[0].targetPort is 80, not 8080',
          'via-controller-shop':
            'Host shop.lab4.test through the controller does not reach a shop pod: GET shop.lab4.test/hostname returned 502, not 200',
        },
      },
      {
        name: 'helm install skipped',
        mistake: (objects) =>
          objects.filter(
            (object) =>
              object.metadata.namespace !== 'ingress-nginx' &&
              object.metadata.name !== 'ingress-nginx' &&
              object.kind !== 'IngressClass',
          ),
        fails: {
          controller:
            'The ingress-nginx controller is not running: Deployment ingress-nginx/ingress-nginx-controller does not exist',
          'ingress-class': 'IngressClass nginx is missing: IngressClass nginx does not exist',
        },
        skips: ['via-controller-shop', 'via-controller-blog', 'unknown-host'],
      },
    ],
  },
  {
    grader: PHASE_3_TRAFFIC_GRADER,
    base: ['cluster-base.yaml'],
    reference: ['phase-3-traffic.reference.yaml'],
    variants: [
      {
        name: 'backend-headless without clusterIP: None',
        mistake: (objects) => {
          delete find(objects, 'Service', 'backend-headless').spec.clusterIP;
        },
        fails: {
          'headless-service':
            'Service backend-headless in p3-traffic is not as asked: spec.clusterIP is "10.96.1.87", not "None"',
        },
        skips: ['headless-dns'],
      },
      {
        name: 'backend left at one replica',
        mistake: (objects) => {
          find(objects, 'Deployment', 'backend').spec.replicas = 1;
        },
        fails: {
          'backend-deployment': 'Deployment backend in p3-traffic is not as asked: spec.replicas is 1, not 3',
          'backend-ready': 'Not all backend pods are ready: 1 of 3 pods are ready',
          'backend-endpoints':
            'Service backend does not have 3 ready endpoints: backend has 1 ready endpoints, expected 3',
          dial: 'The frontend pods do not spread their calls over the backend pods: the answer names 1 backend pods, expected at least 2',
        },
      },
      {
        name: 'service frontend of type ClusterIP',
        mistake: (objects) => {
          find(objects, 'Service', 'frontend').spec.type = 'ClusterIP';
        },
        fails: {
          'frontend-service':
            'Service frontend in p3-traffic is not as asked: spec.type is "ClusterIP", not "NodePort"',
        },
      },
      {
        name: 'the container keeps the name kubectl create deployment gives it',
        mistake: (objects) => {
          find(objects, 'Deployment', 'frontend').spec.template.spec.containers[0].name = 'agnhost-frontend';
        },
        fails: {
          'frontend-deployment':
            'Deployment frontend in p3-traffic is not as asked: spec.template.spec.containers[0].name is "agnhost-frontend", not "agnhost"',
        },
      },
    ],
  },
  {
    grader: PHASE_3_POLICIES_GRADER,
    base: ['cluster-base.yaml', 'phase-3-traffic.reference.yaml'],
    reference: ['phase-3-policies.reference.yaml'],
    variants: [
      {
        name: 'the backend admits app=web instead of app=frontend',
        mistake: (objects) => {
          find(objects, 'NetworkPolicy', 'allow-frontend-to-backend').spec.ingress[0].from = [
            { podSelector: { matchLabels: { app: 'web' } } },
          ];
        },
        fails: {
          'frontend-to-backend':
            'A frontend pod cannot connect to backend:8080: frontend-9dn8lsfml6-464ds -> service backend:8080/TCP is blocked (timeout), expected allowed',
        },
      },
      {
        name: 'no allow-frontend-http',
        mistake: (objects) => without(objects, 'NetworkPolicy', 'allow-frontend-http'),
        fails: {
          'allow-frontend-http':
            'NetworkPolicy allow-frontend-http in p3-traffic is not as asked: NetworkPolicy p3-traffic/allow-frontend-http does not exist',
          'probe-to-frontend':
            'The frontend is not open to every pod on 8080: from a pod labelled app=probe in p3-traffic: app=frontend:8080 is blocked, expected allowed',
        },
      },
      {
        name: 'the backend admits every pod of the namespace (podSelector: {})',
        mistake: (objects) => {
          find(objects, 'NetworkPolicy', 'allow-frontend-to-backend').spec.ingress[0].from = [
            { podSelector: {} },
          ];
        },
        fails: {
          'probe-to-backend':
            'Pods other than the frontend can reach the backend: from a pod labelled app=probe in p3-traffic: backend:8080 is allowed, expected blocked',
        },
      },
    ],
  },
  {
    grader: PHASE_5_ZERO_TRUST_GRADER,
    base: ['cluster-base.yaml'],
    reference: ['phase-5-zero-trust.reference.yaml'],
    variants: [
      {
        name: 'no allow-dns: every name stops resolving',
        mistake: (objects) => without(objects, 'NetworkPolicy', 'allow-dns'),
        fails: {
          'allow-dns':
            'NetworkPolicy allow-dns in zero-trust is not as asked: NetworkPolicy zero-trust/allow-dns does not exist',
          dns: 'Names do not resolve in zero-trust: orders does not resolve from frontend-9dn8lsfml6-464ds (timeout)',
        },
        skips: ['frontend-to-orders', 'orders-to-payments'],
      },
      {
        name: 'frontend -> orders allowed on the ingress side only',
        mistake: (objects) => without(objects, 'NetworkPolicy', 'frontend-egress-to-orders'),
        fails: {
          'frontend-to-orders':
            'frontend cannot call orders:8080: GET http://orders:8080/ got no response (timeout)',
          matrix:
            'Flows other than frontend -> orders -> payments are possible: 1 of 6 flows differ: frontend -> orders:8080 blocked',
        },
      },
      {
        name: 'allow-dns selects the DNS pods by the wrong label (k8s-app=coredns)',
        mistake: (objects) => {
          find(objects, 'NetworkPolicy', 'allow-dns').spec.egress[0].to[0].podSelector.matchLabels = {
            'k8s-app': 'coredns',
          };
        },
        fails: {
          dns: 'Names do not resolve in zero-trust: orders does not resolve from frontend-9dn8lsfml6-464ds (timeout)',
        },
        skips: ['frontend-to-orders', 'orders-to-payments'],
      },
      {
        name: 'the frontend egress rule left empty (every destination, every port)',
        mistake: (objects) => {
          find(objects, 'NetworkPolicy', 'frontend-egress-to-orders').spec.egress = [{}];
        },
        fails: {
          'kubernetes-api':
            'frontend can reach the Kubernetes API: frontend-9dn8lsfml6-464ds -> service kubernetes:443/TCP is allowed, expected blocked',
        },
      },
    ],
  },
  {
    grader: CAPSTONE_GRADER,
    base: ['cluster-base.yaml', 'ingress-nginx.yaml'],
    reference: ['capstone.reference.yaml'],
    variants: [
      {
        name: 'policies select peers by app instead of tier',
        mistake: (objects) => {
          for (const object of objects) {
            if (object.kind !== 'NetworkPolicy') continue;
            const json = JSON.stringify(object).replace(
              /"tier":"(frontend|backend|database)"/g,
              '"app":"$1"',
            );
            Object.assign(object, JSON.parse(json));
          }
        },
        fails: {
          'probe-frontend':
            'The frontend tier can do more or less than reach the backend: from a pod labelled app=kc-probe,tier=frontend in capstone: backend:8080 is blocked, expected allowed',
          'probe-backend':
            'The backend tier can do more or less than reach the database: from a pod labelled app=kc-probe,tier=backend in capstone: database:5432 is blocked, expected allowed',
        },
      },
      {
        name: 'the backend admits tier=frontend from every namespace',
        mistake: (objects) => {
          find(objects, 'NetworkPolicy', 'backend-from-frontend').spec.ingress[0].from[0].namespaceSelector =
            {};
        },
        fails: {
          'probe-other-namespace':
            'A tier=frontend pod of another namespace reaches the backend: from a pod labelled app=kc-probe,tier=frontend in default: backend:8080 is allowed, expected blocked',
        },
      },
      {
        name: 'nothing admits the ingress controller',
        mistake: (objects) => without(objects, 'NetworkPolicy', 'frontend-from-ingress'),
        fails: {
          'through-ingress':
            'The frontend does not answer through the ingress controller: GET capstone.kubecohort.test/ returned 504',
        },
      },
      {
        name: 'no allow-dns: the tiers cannot resolve each other',
        mistake: (objects) => without(objects, 'NetworkPolicy', 'allow-dns'),
        fails: {
          dns: 'Names do not resolve in capstone: backend does not resolve from frontend-zqfg4pb6g8-wxwdh (timeout)',
        },
      },
      {
        name: 'no default-deny (the other policies still isolate every pod)',
        mistake: (objects) => without(objects, 'NetworkPolicy', 'default-deny'),
        fails: {
          'default-deny':
            'NetworkPolicy default-deny in capstone is not as asked: NetworkPolicy capstone/default-deny does not exist',
        },
      },
    ],
  },
  {
    // The three incidents share one grader (their ids differ); incident 1 stands for them.
    grader: TROUBLESHOOTING_GRADERS[0]!,
    base: ['cluster-base.yaml', 'ingress-nginx.yaml'],
    reference: () => troubleshootApp(),
    variants: [
      ...TROUBLESHOOTING_FAULT_IDS.map((fault): Variant => ({
        name: `the ${fault} fault left in place`,
        mistake: (objects) => withFault(objects, fault),
        fails: FAULT_FAILURES[fault],
      })),
      {
        name: 'deny-all-policy "fixed" by deleting every policy',
        mistake: (objects) => objects.filter((object) => object.kind !== 'NetworkPolicy'),
        fails: {
          'default-deny':
            'NetworkPolicy default-deny was removed or changed: NetworkPolicy troubleshoot/default-deny does not exist',
          isolated:
            'Other pods of troubleshoot can reach web: from a pod labelled app=probe in troubleshoot: app=web:8080 is allowed, expected blocked',
          'isolated-from-default':
            'Pods of other namespaces can reach web: from a pod labelled app=probe in default: app=web:8080 is allowed, expected blocked',
        },
      },
      {
        name: 'broken-selector "fixed" by relabelling the web pods app=web-v2',
        mistake: (objects) => {
          const broken = withFault(objects, 'broken-selector') as SeedObject[];
          const web = find(broken, 'Deployment', 'web');
          web.spec.selector.matchLabels = { app: 'web-v2' };
          web.spec.template.metadata.labels = { app: 'web-v2' };
          return broken;
        },
        fails: {
          'in-cluster':
            'The client still cannot call web: GET http://web.troubleshoot.svc.cluster.local/hostname got no response (timeout)',
          'through-ingress':
            'web.troubleshoot.test still fails through the ingress controller: GET web.troubleshoot.test/hostname returned 504, not 200',
          'web-deployment':
            'Deployment web is no longer the app of the runbook: spec.template.metadata.labels.app is "web-v2", not "web"',
          'web-service':
            'Service web is no longer the one of the runbook: spec.selector is {"app":"web-v2"}, not {"app":"web"}',
          isolated:
            'Other pods of troubleshoot can reach web: from a pod labelled app=probe in troubleshoot: app=web:8080 has no ready pods to reach',
          'isolated-from-default':
            'Pods of other namespaces can reach web: from a pod labelled app=probe in default: app=web:8080 has no ready pods to reach',
        },
      },
      {
        name: 'wrong-ingress-backend "fixed" by opening web to everyone',
        mistake: (objects) => {
          const broken = withFault(objects, 'wrong-ingress-backend') as SeedObject[];
          find(broken, 'Ingress', 'web').spec.rules[0].http.paths[0].backend.service.name = 'web';
          find(broken, 'NetworkPolicy', 'allow-ingress-controller').spec.ingress = [{}];
          return broken;
        },
        fails: {
          'isolated-from-default':
            'Pods of other namespaces can reach web: from a pod labelled app=probe in default: app=web:8080 is allowed, expected blocked',
        },
      },
    ],
  },
];

describe('Kubernetes-lab graders on the fake API server', () => {
  let server: FakeKubeApiServer;
  let network: SimulatedNetwork;
  let probe: StudentClusterProbe;
  let clients: KubeClients;

  beforeEach(async () => {
    server = new FakeKubeApiServer({
      controller: { ephemeralContainerStartDelayMs: 5, namespaceDeletionDelayMs: 20 },
    });
    await server.start();
    network = new SimulatedNetwork(server);
    server.onExec(
      (ctx) => network.exec(ctx) ?? { stderr: `unexpected command ${ctx.command[0]}\n`, exitCode: 127 },
    );
    clients = new KubeClients({
      ...DEFAULT_KUBE_CLIENT_OPTIONS,
      retryBaseDelayMs: 10,
      retryAttempts: 2,
    });
    probe = new StudentClusterProbe(clients.connect(server.kubeconfig()), PROBE_OPTIONS);
  });

  afterEach(async () => {
    await server.stop();
  });

  async function grade(lab: Lab, manifests: SeedObject[]): Promise<GradingResult> {
    server.seed(...lab.base.flatMap(fixture), ...manifests);
    network.settle();
    return gradeTask(lab.grader, { cluster: probe });
  }

  it('covers every vcluster task that has a grader, once', () => {
    const ids = [...KUBERNETES_GRADERS, TROUBLESHOOTING_GRADERS[0]!].map((grader) => grader.taskId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(LABS.map((lab) => lab.grader.taskId).sort()).toEqual([...ids].sort());
  });

  it(
    "deploys a student's troubleshooting fault through the Kubernetes API; fixing that object passes",
    async () => {
      server.seed(...fixture('cluster-base.yaml'), ...fixture('ingress-nginx.yaml'));
      const kube = clients.connect(server.kubeconfig());
      const { fault, objects } = troubleshootingManifests('0193a0c2-0000-7000-8000-00000000002a', 1);
      for (const object of objects) await kube.apply(object);
      network.settle();
      // The client's models call a rule's `from` `_from`: it must reach the API, and come back, as `from`.
      const ref = {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        namespace: 'troubleshoot',
        name: 'allow-ingress-controller',
      };
      const expected = fault === 'deny-all-policy' ? undefined : [{ namespaceSelector: expect.any(Object) }];
      expect(readPolicyFrom(server.getObject(ref))).toEqual(expected);
      expect(readPolicyFrom(await kube.get(ref))).toEqual(expected);
      const grader = TROUBLESHOOTING_GRADERS[0]!;
      const broken = await gradeTask(grader, { cluster: probe });
      expect([fault, broken.status]).toEqual([fault, 'failed']);

      // The student edits the broken object back to what the runbook says.
      const healthy = troubleshootApp();
      const edited = healthy.filter(
        (object, index) => JSON.stringify(object) !== JSON.stringify(objects[index]),
      );
      expect(edited.length).toBeGreaterThan(0);
      for (const object of edited) await kube.apply(object, { force: true });
      network.settle();
      const fixed = await gradeTask(grader, { cluster: probe });
      expect(fixed.checks.filter((check) => !check.passed).map((check) => [check.id, check.message])).toEqual(
        [],
      );
      expect(fixed.status).toBe('passed');
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    "the worker's deploy replaces namespace troubleshoot with the app and the student's fault, again on restart",
    async () => {
      server.seed(...fixture('cluster-base.yaml'), ...fixture('ingress-nginx.yaml'), {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'troubleshoot' },
      });
      server.seed({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'left-by-the-student', namespace: 'troubleshoot' },
        data: {},
      });
      const kube = clients.connect(server.kubeconfig());
      const student = '0193a0c2-0000-7000-8000-000000000007';
      const fault = await deployIncident(kube, student, 3, { recheckMs: 20, goneTimeoutMs: 5000 });
      expect(fault).toBe(troubleshootingManifests(student, 3).fault);
      const configMap = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        namespace: 'troubleshoot',
        name: 'left-by-the-student',
      };
      expect(server.getObject(configMap)).toBeUndefined();
      network.settle();
      const result = await gradeTask(TROUBLESHOOTING_GRADERS[2]!, { cluster: probe });
      expect(result.checks.filter((check) => !check.passed).map((check) => check.id)).toEqual(
        Object.keys(FAULT_FAILURES[fault]),
      );

      // Restarting the incident brings the same fault back over whatever the student changed.
      expect(await deployIncident(kube, student, 3, { recheckMs: 20, goneTimeoutMs: 5000 })).toBe(fault);
    },
    SCENARIO_TIMEOUT_MS,
  );

  it('grades the three incidents with one grader', () => {
    const [first, ...others] = TROUBLESHOOTING_GRADERS;
    for (const [index, grader] of others.entries()) {
      const id = `troubleshooting-incident-${index + 2}`;
      expect(grader).toEqual({ ...first, taskId: id, graderId: id });
    }
  });

  describe.each(LABS.map((lab) => [lab.grader.taskId, lab] as const))('%s', (_, lab) => {
    it(
      'passes the reference solution',
      async () => {
        const result = await grade(lab, manifestsOf(lab));
        expect(
          result.checks.filter((check) => !check.passed).map((check) => [check.id, check.message]),
        ).toEqual([]);
        expect(result).toMatchObject({ status: 'passed', score: result.maxScore });
      },
      SCENARIO_TIMEOUT_MS,
    );

    it('has at least two near-miss variants', () => {
      expect(lab.variants.length).toBeGreaterThanOrEqual(2);
    });

    it.each(lab.variants.map((variant) => [variant.name, variant] as const))(
      'fails: %s',
      async (__, variant) => {
        const manifests = manifestsOf(lab);
        const changed = variant.mistake(manifests) ?? manifests;
        const result = await grade(lab, changed);
        if (process.env.KC_RECORD) record(process.env.KC_RECORD, lab, variant, result);
        expect(result.status).toBe('failed');
        const failed = Object.fromEntries(
          result.checks
            .filter((check) => !check.passed && !check.skipped)
            .map((check) => [check.id, check.message]),
        );
        expect(failed).toEqual(variant.fails);
        const skipped = result.checks.filter((check) => check.skipped);
        expect(skipped.map((check) => check.id)).toEqual(variant.skips ?? []);
        for (const check of skipped) {
          const needs = lab.grader.checks.find((spec) => spec.id === check.id)!.needs ?? [];
          const unmet = needs.filter((id) => !result.checks.find((each) => each.id === id)!.passed);
          expect(check.message).toBe(skippedBecause(lab.grader, ...unmet));
        }
      },
      SCENARIO_TIMEOUT_MS,
    );
  });
});
