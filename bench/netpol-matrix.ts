/**
 * Times the NetworkPolicy connectivity matrix on a synthetic cluster: 200 pods in 10 namespaces,
 * 100 policies mixing selectors, ipBlocks, named ports and port ranges, 4 ports.
 *   npx tsx bench/netpol-matrix.ts
 */
import {
  NetworkPolicyEngine,
  type ClusterPod,
  type NetworkPolicy,
  type PortProtocol,
} from '@kubecohort/grading';

const NAMESPACES = 10;
const PODS = 200;
const POLICIES = 100;
const apps = ['web', 'api', 'db', 'cache', 'worker'];

// A tiny deterministic PRNG so every run measures the same cluster.
let seed = 42;
function random(limit: number): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed % limit;
}

const namespaces = Array.from({ length: NAMESPACES }, (_, index) => ({
  name: `ns-${index}`,
  labels: { team: `team-${index % 3}`, env: index % 2 === 0 ? 'prod' : 'dev' },
}));

const pods: ClusterPod[] = Array.from({ length: PODS }, (_, index) => ({
  namespace: `ns-${index % NAMESPACES}`,
  name: `pod-${index}`,
  labels: { app: apps[index % apps.length]!, shard: String(index % 7) },
  ip: `10.${Math.floor(index / 250)}.${index % 250}.${1 + (index % 200)}`,
  ports: [
    { name: 'http', containerPort: 8080, protocol: 'TCP' },
    { name: 'dns', containerPort: 53, protocol: 'UDP' },
  ],
}));

const policies: NetworkPolicy[] = Array.from({ length: POLICIES }, (_, index) => ({
  metadata: { name: `policy-${index}`, namespace: `ns-${random(NAMESPACES)}` },
  spec: {
    podSelector: index % 5 === 0 ? {} : { matchLabels: { app: apps[random(apps.length)]! } },
    policyTypes: index % 3 === 0 ? ['Ingress', 'Egress'] : ['Ingress'],
    ingress: [
      {
        from: [
          {
            podSelector: { matchExpressions: [{ key: 'shard', operator: 'In', values: ['1', '2', '3'] }] },
            namespaceSelector: { matchLabels: { team: `team-${random(3)}` } },
          },
          { ipBlock: { cidr: '10.0.0.0/16', except: [`10.0.${random(250)}.0/24`] } },
        ],
        ports: [{ port: 'http' }, { port: 5000, endPort: 5100 }],
      },
      {
        from: [{ namespaceSelector: { matchLabels: { env: 'prod' } } }],
        ports: [{ protocol: 'UDP', port: 53 }],
      },
    ],
    egress: [
      { to: [{ podSelector: { matchLabels: { app: apps[random(apps.length)]! } } }] },
      { ports: [{ port: 'dns', protocol: 'UDP' }] },
    ],
  },
}));

const ports: PortProtocol[] = [
  { port: 53, protocol: 'UDP' },
  { port: 80, protocol: 'TCP' },
  { port: 5050, protocol: 'TCP' },
  { port: 8080, protocol: 'TCP' },
];

const started = performance.now();
const engine = new NetworkPolicyEngine({ namespaces, pods, policies });
const compiled = performance.now();
const matrix = engine.buildMatrix(ports);
const finished = performance.now();

const allowedCells = matrix.allowed.flat(2).filter(Boolean).length;
console.log(
  `${PODS} pods x ${POLICIES} policies x ${ports.length} ports: ` +
    `compile ${(compiled - started).toFixed(1)} ms, matrix ${(finished - compiled).toFixed(1)} ms, ` +
    `total ${(finished - started).toFixed(1)} ms (${allowedCells}/${PODS * PODS * ports.length} cells allowed)`,
);
