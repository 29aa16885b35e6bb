import { describe, expect, it } from '@jest/globals';
import { NetworkPolicyEngine } from './network-policy.engine.js';
import { collectMatrixPorts, diffConnectivityMatrices } from './network-policy.matrix.js';
import type { ClusterPod, ConnectivityMatrix, NetworkPolicy } from './network-policy.types.js';

// Expected matrices are written by hand from the policies, not produced by the engine.

const pods: ClusterPod[] = [
  {
    namespace: 'shop',
    name: 'front',
    labels: { app: 'front' },
    ip: '10.0.0.1',
    ports: [{ name: 'http', containerPort: 80 }],
  },
  {
    namespace: 'shop',
    name: 'back',
    labels: { app: 'back' },
    ip: '10.0.0.2',
    ports: [{ name: 'http', containerPort: 8080 }],
  },
  { namespace: 'ops', name: 'probe', labels: { app: 'probe' }, ip: '10.0.1.1' },
];

const policies: NetworkPolicy[] = [
  {
    // back accepts its named "http" port (8080) from front only.
    metadata: { namespace: 'shop', name: 'back-from-front' },
    spec: {
      podSelector: { matchLabels: { app: 'back' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'front' } } }], ports: [{ port: 'http' }] }],
    },
  },
  {
    // probe may only talk to port 80.
    metadata: { namespace: 'ops', name: 'probe-egress' },
    spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 80 }] }] },
  },
];

const cluster = { namespaces: [{ name: 'shop' }, { name: 'ops' }], pods, policies };

describe('NetworkPolicyEngine.buildMatrix', () => {
  it('computes allowed[from][to][port] for every pod pair', () => {
    const matrix = new NetworkPolicyEngine(cluster).buildMatrix([
      { port: 80, protocol: 'TCP' },
      { port: 8080, protocol: 'TCP' },
    ]);
    expect(matrix).toEqual({
      pods: ['shop/front', 'shop/back', 'ops/probe'],
      ports: [
        { port: 80, protocol: 'TCP' },
        { port: 8080, protocol: 'TCP' },
      ],
      allowed: [
        // from shop/front: to front (self), back (8080 only), probe (unisolated)
        [
          [true, true],
          [false, true],
          [true, true],
        ],
        // from shop/back: front and probe are not ingress-isolated; back itself always
        [
          [true, true],
          [true, true],
          [true, true],
        ],
        // from ops/probe: egress only on 80; back never admits probe
        [
          [true, false],
          [false, false],
          [true, true],
        ],
      ],
    });
  });

  it('returns an empty port dimension when asked for no ports', () => {
    const matrix = new NetworkPolicyEngine(cluster).buildMatrix([]);
    expect(matrix.allowed).toEqual([
      [[], [], []],
      [[], [], []],
      [[], [], []],
    ]);
  });
});

describe('collectMatrixPorts', () => {
  it('takes the pods’ declared ports and numeric query ports, deduplicated and sorted', () => {
    expect(
      collectMatrixPorts(
        [
          ...pods,
          {
            namespace: 'ops',
            name: 'dns',
            ports: [
              { containerPort: 53, protocol: 'UDP' },
              { containerPort: 53, protocol: 'TCP' },
              { containerPort: 80 },
            ],
          },
        ],
        [
          { from: { ip: '1.2.3.4' }, to: { namespace: 'shop', pod: 'back' }, port: 443 },
          { from: { ip: '1.2.3.4' }, to: { namespace: 'shop', pod: 'back' }, port: 'http' },
          { from: { ip: '1.2.3.4' }, to: { namespace: 'shop', pod: 'back' }, port: 5000, protocol: 'SCTP' },
        ],
      ),
    ).toEqual([
      { port: 53, protocol: 'TCP' },
      { port: 53, protocol: 'UDP' },
      { port: 80, protocol: 'TCP' },
      { port: 443, protocol: 'TCP' },
      { port: 5000, protocol: 'SCTP' },
      { port: 8080, protocol: 'TCP' },
    ]);
  });
});

describe('diffConnectivityMatrices', () => {
  const expected: ConnectivityMatrix = {
    pods: ['a/x', 'a/y'],
    ports: [
      { port: 80, protocol: 'TCP' },
      { port: 53, protocol: 'UDP' },
    ],
    allowed: [
      [
        [true, true],
        [true, false],
      ],
      [
        [false, false],
        [true, true],
      ],
    ],
  };

  it('is empty for identical matrices', () => {
    expect(diffConnectivityMatrices(expected, structuredClone(expected))).toEqual([]);
  });

  it('lists each differing cell with from, to, port, expected and actual', () => {
    const actual = structuredClone(expected);
    actual.allowed[0]![1]![1] = true; // a/x -> a/y 53/UDP
    actual.allowed[1]![0]![0] = true; // a/y -> a/x 80/TCP
    expect(diffConnectivityMatrices(expected, actual)).toEqual([
      { from: 'a/x', to: 'a/y', port: { port: 53, protocol: 'UDP' }, expected: false, actual: true },
      { from: 'a/y', to: 'a/x', port: { port: 80, protocol: 'TCP' }, expected: false, actual: true },
    ]);
  });

  it('matches pods and ports by name, and reports missing ones as actual: null', () => {
    const actual: ConnectivityMatrix = {
      pods: ['a/y', 'a/x', 'a/extra'],
      ports: [{ port: 80, protocol: 'TCP' }],
      allowed: [
        [[false], [true], [true]], // from a/y: to a/y and to a/x both differ on 80/TCP
        [[true], [true], [true]],
        [[true], [true], [true]],
      ],
    };
    expect(diffConnectivityMatrices(expected, actual)).toEqual([
      { from: 'a/x', to: 'a/x', port: { port: 53, protocol: 'UDP' }, expected: true, actual: null },
      { from: 'a/x', to: 'a/y', port: { port: 53, protocol: 'UDP' }, expected: false, actual: null },
      { from: 'a/y', to: 'a/x', port: { port: 80, protocol: 'TCP' }, expected: false, actual: true },
      { from: 'a/y', to: 'a/x', port: { port: 53, protocol: 'UDP' }, expected: false, actual: null },
      { from: 'a/y', to: 'a/y', port: { port: 80, protocol: 'TCP' }, expected: true, actual: false },
      { from: 'a/y', to: 'a/y', port: { port: 53, protocol: 'UDP' }, expected: true, actual: null },
    ]);
  });
});
