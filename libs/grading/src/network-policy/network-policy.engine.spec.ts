import { describe, expect, it } from '@jest/globals';
import { NetworkPolicyEngine } from './network-policy.engine.js';
import type {
  ClusterNamespace,
  ClusterPod,
  EndpointRef,
  NetworkPolicy,
  NetworkPolicySpec,
  Protocol,
} from './network-policy.types.js';

/*
 * Truth tables for networking.k8s.io/v1 NetworkPolicy semantics. Every expected value below was
 * written by hand from the Kubernetes documentation and API reference, never produced by running
 * the engine. Each row is checked through evaluate() and, for pod-to-pod rows with a numeric
 * port, through buildMatrix() too, so both code paths answer to the same table.
 */

// --- The cluster every case runs on ---------------------------------------------------------------

const namespaces: ClusterNamespace[] = [
  { name: 'demo', labels: { team: 'alpha', env: 'prod' } },
  { name: 'other', labels: { team: 'beta', env: 'prod' } },
  { name: 'dev', labels: { team: 'alpha', env: 'dev' } },
  { name: 'bare' }, // no labels of its own: only the automatic kubernetes.io/metadata.name
];

const pods: ClusterPod[] = [
  {
    namespace: 'demo',
    name: 'web',
    labels: { app: 'web', tier: 'frontend' },
    ip: '10.1.0.10',
    ports: [{ name: 'http', containerPort: 80 }],
  },
  {
    namespace: 'demo',
    name: 'api',
    labels: { app: 'api', tier: 'backend' },
    ip: '10.1.0.20',
    ports: [
      { name: 'http', containerPort: 8080 },
      { name: 'metrics', containerPort: 9090 },
    ],
  },
  {
    namespace: 'demo',
    name: 'db',
    labels: { app: 'db', tier: 'backend' },
    ip: '10.1.0.30',
    ports: [{ name: 'pg', containerPort: 5432, protocol: 'TCP' }],
  },
  {
    namespace: 'demo',
    name: 'dns',
    labels: { app: 'dns' }, // deliberately no tier label
    ip: '10.1.0.53',
    ports: [
      { name: 'dns', containerPort: 53, protocol: 'UDP' },
      { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
    ],
  },
  { namespace: 'other', name: 'client', labels: { app: 'client' }, ip: '10.2.0.10' },
  {
    namespace: 'other',
    name: 'api',
    labels: { app: 'api' },
    ip: '10.2.0.20',
    ports: [{ name: 'http', containerPort: 8080 }],
  },
  { namespace: 'other', name: 'v6', labels: { app: 'v6' }, ip: 'fd00::10' },
  {
    namespace: 'dev',
    name: 'web',
    labels: { app: 'web' },
    ip: '10.3.0.10',
    ports: [{ name: 'http', containerPort: 80 }],
  },
  { namespace: 'bare', name: 'loner', ip: '10.4.0.1' },
];

function policy(key: string, spec: NetworkPolicySpec): NetworkPolicy {
  const [namespace, name] = key.split('/') as [string, string];
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace, name }, spec };
}

/** `ns/name` is a pod, anything else a bare IP (IPs never contain "/"). */
function endpoint(text: string): EndpointRef {
  const [namespace, pod] = text.split('/');
  return pod === undefined ? { ip: text } : { namespace: namespace!, pod };
}

type Row = [
  from: string,
  to: string,
  port: number | string,
  protocol: Protocol | undefined,
  allowed: boolean,
];

interface TruthCase {
  rule: string;
  policies: NetworkPolicy[];
  rows: Row[];
}

// Frequently used policies.
const denyAllIngress = (namespace: string): NetworkPolicy =>
  policy(`${namespace}/deny-all-ingress`, { podSelector: {}, policyTypes: ['Ingress'] });
const denyAllEgress = (namespace: string): NetworkPolicy =>
  policy(`${namespace}/deny-all-egress`, { podSelector: {}, policyTypes: ['Egress'] });
const onlyAppIngress = (app: string, ingress: NetworkPolicySpec['ingress']): NetworkPolicy =>
  policy(`demo/${app}-ingress`, { podSelector: { matchLabels: { app } }, policyTypes: ['Ingress'], ingress });

const T = true;
const F = false;

const cases: TruthCase[] = [
  // --- Default: no isolation ----------------------------------------------------------------------
  {
    rule: 'no policies: everything is allowed',
    policies: [],
    rows: [
      ['demo/web', 'demo/db', 5432, undefined, T],
      ['other/client', 'demo/api', 8080, 'TCP', T],
      ['203.0.113.10', 'demo/web', 80, undefined, T],
      ['demo/web', '203.0.113.10', 443, undefined, T],
      ['demo/web', 'demo/dns', 53, 'UDP', T],
    ],
  },

  // --- policyTypes: explicit and implied ----------------------------------------------------------
  {
    rule: 'default deny ingress (podSelector {}, policyTypes [Ingress]) isolates every pod of its namespace only',
    policies: [denyAllIngress('demo')],
    rows: [
      ['demo/web', 'demo/db', 5432, undefined, F],
      ['other/client', 'demo/api', 8080, undefined, F],
      ['203.0.113.10', 'demo/web', 80, undefined, F],
      ['demo/db', 'other/client', 80, undefined, T],
      ['demo/web', 'dev/web', 80, undefined, T],
    ],
  },
  {
    rule: 'no policyTypes and no rules: Ingress is implied (deny all ingress), Egress is not',
    policies: [policy('demo/implicit-deny', { podSelector: {} })],
    rows: [
      ['other/client', 'demo/web', 80, undefined, F],
      ['demo/web', 'other/client', 80, undefined, T],
      ['demo/web', '203.0.113.10', 443, undefined, T],
    ],
  },
  {
    rule: 'ingress: [] without policyTypes denies all ingress',
    policies: [policy('demo/empty-ingress', { podSelector: {}, ingress: [] })],
    rows: [
      ['demo/web', 'demo/api', 8080, undefined, F],
      ['demo/api', 'other/api', 8080, undefined, T],
    ],
  },
  {
    rule: 'default deny egress (policyTypes [Egress]) blocks all outgoing traffic, ingress untouched',
    policies: [denyAllEgress('demo')],
    rows: [
      ['demo/web', 'other/client', 80, undefined, F],
      ['demo/web', 'demo/db', 5432, undefined, F],
      ['demo/web', '203.0.113.10', 443, undefined, F],
      ['other/client', 'demo/web', 80, undefined, T],
      ['203.0.113.10', 'demo/web', 80, undefined, T],
    ],
  },
  {
    rule: 'egress rules without policyTypes imply Egress (and Ingress)',
    policies: [
      policy('demo/web-egress', {
        podSelector: { matchLabels: { app: 'web' } },
        egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }] }],
      }),
    ],
    rows: [
      ['demo/web', 'demo/api', 8080, undefined, T],
      ['demo/web', 'demo/db', 5432, undefined, F],
      ['demo/web', '203.0.113.10', 443, undefined, F],
      ['demo/api', 'demo/web', 80, undefined, F], // implied Ingress with no ingress rules
      ['demo/db', 'demo/api', 8080, undefined, T],
    ],
  },
  {
    rule: 'egress: [] without policyTypes does not imply Egress (upstream defaulting needs a rule)',
    policies: [policy('demo/web-empty-egress', { podSelector: { matchLabels: { app: 'web' } }, egress: [] })],
    rows: [
      ['demo/web', 'demo/db', 5432, undefined, T],
      ['demo/api', 'demo/web', 80, undefined, F],
    ],
  },
  {
    rule: 'policyTypes: [] is treated like absent policyTypes',
    policies: [
      policy('demo/empty-types', {
        podSelector: {},
        policyTypes: [],
        egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }],
      }),
    ],
    rows: [
      ['other/client', 'demo/web', 80, undefined, F],
      ['demo/web', '203.0.113.10', 443, undefined, T],
      ['demo/web', 'other/client', 80, undefined, T], // 0.0.0.0/0 also covers pod IPs (our ipBlock choice)
      ['demo/web', '2001:db8::1', 443, undefined, F], // IPv6 is outside an IPv4 block
    ],
  },
  {
    rule: 'explicit policyTypes [Ingress] ignores egress rules: egress stays unrestricted',
    policies: [
      policy('demo/ingress-only', {
        podSelector: { matchLabels: { app: 'web' } },
        policyTypes: ['Ingress'],
        ingress: [{}],
        egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }] }],
      }),
    ],
    rows: [
      ['demo/web', 'demo/db', 5432, undefined, T],
      ['demo/web', '198.51.100.7', 443, undefined, T],
      ['other/client', 'demo/web', 80, undefined, T],
    ],
  },
  {
    rule: 'explicit policyTypes [Egress] ignores ingress rules: ingress stays unrestricted',
    policies: [
      policy('demo/egress-only', {
        podSelector: { matchLabels: { app: 'web' } },
        policyTypes: ['Egress'],
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'api' } } }] }],
      }),
    ],
    rows: [
      ['other/client', 'demo/web', 80, undefined, T],
      ['demo/web', 'demo/api', 8080, undefined, F],
    ],
  },

  // --- Empty vs absent fields, allow-all ------------------------------------------------------------
  {
    rule: 'ingress: [{}] allows everything, even next to a default deny',
    policies: [denyAllIngress('demo'), policy('demo/allow-all-ingress', { podSelector: {}, ingress: [{}] })],
    rows: [
      ['other/client', 'demo/db', 5432, undefined, T],
      ['203.0.113.10', 'demo/web', 12345, 'UDP', T],
      ['bare/loner', 'demo/api', 9090, 'SCTP', T],
    ],
  },
  {
    rule: 'egress: [{}] with policyTypes [Egress] allows everything',
    policies: [
      denyAllEgress('demo'),
      policy('demo/allow-all-egress', { podSelector: {}, policyTypes: ['Egress'], egress: [{}] }),
    ],
    rows: [
      ['demo/web', '198.51.100.7', 443, undefined, T],
      ['demo/web', 'other/client', 1, 'SCTP', T],
    ],
  },
  {
    rule: 'from: [] (empty) means all sources',
    policies: [onlyAppIngress('api', [{ from: [], ports: [{ port: 8080 }] }])],
    rows: [
      ['other/client', 'demo/api', 8080, undefined, T],
      ['203.0.113.10', 'demo/api', 8080, undefined, T],
      ['other/client', 'demo/api', 9090, undefined, F],
    ],
  },
  {
    rule: 'to absent means all destinations, restricted by ports only',
    policies: [
      policy('demo/web-egress-443', {
        podSelector: { matchLabels: { app: 'web' } },
        policyTypes: ['Egress'],
        egress: [{ ports: [{ port: 443 }] }],
      }),
    ],
    rows: [
      ['demo/web', '198.51.100.7', 443, undefined, T],
      ['demo/web', 'other/client', 443, undefined, T],
      ['demo/web', 'other/client', 80, undefined, F],
    ],
  },
  {
    rule: 'ports absent and ports: [] both mean every port and protocol',
    policies: [
      onlyAppIngress('api', [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }]),
      onlyAppIngress('db', [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [] }]),
    ],
    rows: [
      ['demo/web', 'demo/api', 1, 'TCP', T],
      ['demo/web', 'demo/api', 65535, 'UDP', T],
      ['demo/web', 'demo/api', 8080, 'SCTP', T],
      ['demo/web', 'demo/db', 5432, undefined, T],
      ['demo/web', 'demo/db', 53, 'UDP', T],
      ['demo/dns', 'demo/api', 8080, undefined, F],
    ],
  },

  // --- podSelector and label-selector operators -----------------------------------------------------
  {
    rule: 'policy podSelector matchLabels selects only matching pods; peer podSelector stays in the policy namespace',
    policies: [onlyAppIngress('db', [{ from: [{ podSelector: { matchLabels: { app: 'api' } } }] }])],
    rows: [
      ['demo/api', 'demo/db', 5432, undefined, T],
      ['demo/web', 'demo/db', 5432, undefined, F],
      ['demo/web', 'demo/api', 8080, undefined, T], // api is not selected, so not isolated
      ['other/api', 'demo/db', 5432, undefined, F], // app=api, but in another namespace
    ],
  },
  {
    rule: 'matchExpressions In',
    policies: [
      onlyAppIngress('db', [
        {
          from: [
            {
              podSelector: {
                matchExpressions: [{ key: 'tier', operator: 'In', values: ['frontend', 'edge'] }],
              },
            },
          ],
        },
      ]),
    ],
    rows: [
      ['demo/web', 'demo/db', 5432, undefined, T],
      ['demo/api', 'demo/db', 5432, undefined, F],
      ['demo/dns', 'demo/db', 5432, undefined, F],
    ],
  },
  {
    rule: 'matchExpressions NotIn (also matches pods without the key)',
    policies: [
      onlyAppIngress('db', [
        {
          from: [
            { podSelector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['frontend'] }] } },
          ],
        },
      ]),
    ],
    rows: [
      ['demo/api', 'demo/db', 5432, undefined, T],
      ['demo/web', 'demo/db', 5432, undefined, F],
      ['demo/dns', 'demo/db', 5432, undefined, T],
    ],
  },
  {
    rule: 'matchExpressions Exists',
    policies: [
      onlyAppIngress('db', [
        { from: [{ podSelector: { matchExpressions: [{ key: 'tier', operator: 'Exists' }] } }] },
      ]),
    ],
    rows: [
      ['demo/web', 'demo/db', 5432, undefined, T],
      ['demo/dns', 'demo/db', 5432, undefined, F],
    ],
  },
  {
    rule: 'matchExpressions DoesNotExist',
    policies: [
      onlyAppIngress('db', [
        { from: [{ podSelector: { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] } }] },
      ]),
    ],
    rows: [
      ['demo/dns', 'demo/db', 5432, undefined, T],
      ['demo/api', 'demo/db', 5432, undefined, F],
    ],
  },
  {
    rule: 'matchLabels and matchExpressions are ANDed',
    policies: [
      onlyAppIngress('db', [
        {
          from: [
            {
              podSelector: {
                matchLabels: { tier: 'backend' },
                matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['db', 'cache'] }],
              },
            },
          ],
        },
      ]),
    ],
    rows: [
      ['demo/api', 'demo/db', 5432, undefined, T],
      ['demo/web', 'demo/db', 5432, undefined, F],
      ['demo/dns', 'demo/db', 5432, undefined, F],
    ],
  },
  {
    rule: 'the policy podSelector itself may use matchExpressions',
    policies: [
      policy('demo/isolate-backend', {
        podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['backend'] }] },
        ingress: [],
      }),
    ],
    rows: [
      ['demo/web', 'demo/api', 8080, undefined, F],
      ['demo/web', 'demo/db', 5432, undefined, F],
      ['demo/api', 'demo/web', 80, undefined, T],
      ['demo/api', 'demo/dns', 53, 'UDP', T],
    ],
  },

  // --- namespaceSelector ----------------------------------------------------------------------------
  {
    rule: 'namespaceSelector alone: every pod of the matching namespaces',
    policies: [
      onlyAppIngress('api', [{ from: [{ namespaceSelector: { matchLabels: { team: 'alpha' } } }] }]),
    ],
    rows: [
      ['dev/web', 'demo/api', 8080, undefined, T],
      ['demo/web', 'demo/api', 8080, undefined, T],
      ['other/client', 'demo/api', 8080, undefined, F],
      ['203.0.113.10', 'demo/api', 8080, undefined, F], // selectors never match bare IPs
    ],
  },
  {
    rule: 'namespaceSelector {} alone: all pods in all namespaces (but no external IPs)',
    policies: [onlyAppIngress('api', [{ from: [{ namespaceSelector: {} }] }])],
    rows: [
      ['other/client', 'demo/api', 8080, undefined, T],
      ['bare/loner', 'demo/api', 8080, undefined, T],
      ['dev/web', 'demo/api', 8080, undefined, T],
      ['203.0.113.10', 'demo/api', 8080, undefined, F],
    ],
  },
  {
    rule: 'podSelector {} alone: all pods of the policy namespace only',
    policies: [onlyAppIngress('api', [{ from: [{ podSelector: {} }] }])],
    rows: [
      ['demo/web', 'demo/api', 8080, undefined, T],
      ['demo/dns', 'demo/api', 8080, undefined, T],
      ['other/client', 'demo/api', 8080, undefined, F],
    ],
  },
  {
    rule: 'namespaceSelector and podSelector in one peer are ANDed',
    policies: [
      onlyAppIngress('api', [
        {
          from: [
            {
              namespaceSelector: { matchLabels: { team: 'alpha' } },
              podSelector: { matchLabels: { app: 'web' } },
            },
          ],
        },
      ]),
    ],
    rows: [
      ['dev/web', 'demo/api', 8080, undefined, T],
      ['demo/web', 'demo/api', 8080, undefined, T],
      ['other/client', 'demo/api', 8080, undefined, F],
      ['demo/db', 'demo/api', 8080, undefined, F],
    ],
  },
  {
    rule: 'namespaceSelector and podSelector as two peers are ORed',
    policies: [
      onlyAppIngress('api', [
        {
          from: [
            { namespaceSelector: { matchLabels: { team: 'beta' } } },
            { podSelector: { matchLabels: { app: 'web' } } },
          ],
        },
      ]),
    ],
    rows: [
      ['other/client', 'demo/api', 8080, undefined, T],
      ['demo/web', 'demo/api', 8080, undefined, T],
      ['dev/web', 'demo/api', 8080, undefined, F], // the podSelector-only peer means demo's pods
      ['demo/db', 'demo/api', 8080, undefined, F],
    ],
  },
  {
    rule: 'every namespace carries the automatic kubernetes.io/metadata.name label',
    policies: [
      onlyAppIngress('api', [
        { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'other' } } }] },
        { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'bare' } } }] },
      ]),
    ],
    rows: [
      ['other/client', 'demo/api', 8080, undefined, T],
      ['bare/loner', 'demo/api', 8080, undefined, T],
      ['dev/web', 'demo/api', 8080, undefined, F],
    ],
  },

  // --- ipBlock --------------------------------------------------------------------------------------
  {
    rule: 'ipBlock with except admits external IPs in the CIDR but not in the exception',
    policies: [
      onlyAppIngress('web', [
        { from: [{ ipBlock: { cidr: '203.0.113.0/24', except: ['203.0.113.128/25'] } }] },
      ]),
    ],
    rows: [
      ['203.0.113.10', 'demo/web', 80, undefined, T],
      ['203.0.113.127', 'demo/web', 80, undefined, T],
      ['203.0.113.128', 'demo/web', 80, undefined, F],
      ['203.0.113.200', 'demo/web', 80, undefined, F],
      ['198.51.100.7', 'demo/web', 80, undefined, F],
      ['other/client', 'demo/web', 80, undefined, F],
    ],
  },
  {
    rule: 'ipBlock matches pod IPs too (documented choice), except included',
    policies: [
      onlyAppIngress('web', [{ from: [{ ipBlock: { cidr: '10.2.0.0/16' } }] }]),
      onlyAppIngress('api', [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.2.0.0/16'] } }] }]),
    ],
    rows: [
      ['other/client', 'demo/web', 80, undefined, T],
      ['dev/web', 'demo/web', 80, undefined, F],
      ['other/v6', 'demo/web', 80, undefined, F],
      ['dev/web', 'demo/api', 8080, undefined, T],
      ['demo/web', 'demo/api', 8080, undefined, T],
      ['other/client', 'demo/api', 8080, undefined, F],
    ],
  },
  {
    rule: 'egress ipBlock with ports',
    policies: [
      policy('demo/web-to-partner', {
        podSelector: { matchLabels: { app: 'web' } },
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: '198.51.100.0/24' } }], ports: [{ port: 443 }] }],
      }),
    ],
    rows: [
      ['demo/web', '198.51.100.7', 443, undefined, T],
      ['demo/web', '198.51.100.7', 80, undefined, F],
      ['demo/web', '198.51.100.7', 443, 'UDP', F],
      ['demo/web', '203.0.113.10', 443, undefined, F],
      ['demo/web', 'demo/api', 8080, undefined, F],
    ],
  },
  {
    rule: 'IPv6 ipBlock with except; families never mix',
    policies: [
      onlyAppIngress('web', [
        { from: [{ ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:ff::/48'] } }] },
      ]),
      onlyAppIngress('api', [{ from: [{ ipBlock: { cidr: 'fd00::/8' } }] }]),
    ],
    rows: [
      ['2001:db8::1', 'demo/web', 80, undefined, T],
      ['2001:db8:1234:5678::abcd', 'demo/web', 80, undefined, T],
      ['2001:db8:ff::1', 'demo/web', 80, undefined, F],
      ['2001:db9::1', 'demo/web', 80, undefined, F],
      ['203.0.113.10', 'demo/web', 80, undefined, F],
      ['other/v6', 'demo/api', 8080, undefined, T],
      ['fd12:3456::1', 'demo/api', 8080, undefined, T],
      ['other/client', 'demo/api', 8080, undefined, F],
    ],
  },

  // --- Ports and protocols --------------------------------------------------------------------------
  {
    rule: 'numeric port; protocol defaults to TCP',
    policies: [onlyAppIngress('api', [{ ports: [{ port: 8080 }] }])],
    rows: [
      ['other/client', 'demo/api', 8080, undefined, T],
      ['other/client', 'demo/api', 8080, 'TCP', T],
      ['other/client', 'demo/api', 9090, undefined, F],
      ['other/client', 'demo/api', 8080, 'UDP', F],
      ['other/client', 'demo/api', 8080, 'SCTP', F],
    ],
  },
  {
    rule: 'explicit UDP and SCTP protocols',
    policies: [
      onlyAppIngress('dns', [{ ports: [{ protocol: 'UDP', port: 53 }] }]),
      onlyAppIngress('api', [{ ports: [{ protocol: 'SCTP', port: 9999 }] }]),
    ],
    rows: [
      ['demo/web', 'demo/dns', 53, 'UDP', T],
      ['demo/web', 'demo/dns', 53, 'TCP', F],
      ['demo/web', 'demo/api', 9999, 'SCTP', T],
      ['demo/web', 'demo/api', 9999, 'TCP', F],
    ],
  },
  {
    rule: 'protocol without port: every port of that protocol',
    policies: [onlyAppIngress('dns', [{ ports: [{ protocol: 'UDP' }] }])],
    rows: [
      ['demo/web', 'demo/dns', 53, 'UDP', T],
      ['demo/web', 'demo/dns', 5353, 'UDP', T],
      ['demo/web', 'demo/dns', 53, 'TCP', F],
    ],
  },
  {
    rule: 'endPort makes an inclusive range',
    policies: [onlyAppIngress('api', [{ ports: [{ port: 32000, endPort: 32768 }] }])],
    rows: [
      ['demo/web', 'demo/api', 32000, undefined, T],
      ['demo/web', 'demo/api', 32500, undefined, T],
      ['demo/web', 'demo/api', 32768, undefined, T],
      ['demo/web', 'demo/api', 31999, undefined, F],
      ['demo/web', 'demo/api', 32769, undefined, F],
      ['demo/web', 'demo/api', 32500, 'UDP', F],
    ],
  },
  {
    rule: 'named ingress port resolves on the destination pod',
    policies: [onlyAppIngress('api', [{ ports: [{ port: 'http' }] }])],
    rows: [
      ['other/client', 'demo/api', 8080, undefined, T],
      ['other/client', 'demo/api', 'http', undefined, T],
      ['other/client', 'demo/api', 80, undefined, F], // web's http is 80, api's is 8080
      ['other/client', 'demo/api', 'metrics', undefined, F],
      ['other/client', 'demo/api', 9090, undefined, F],
    ],
  },
  {
    rule: 'a named port the selected pod does not declare matches nothing',
    policies: [
      policy('demo/backend-http', {
        podSelector: { matchLabels: { tier: 'backend' } },
        ingress: [{ ports: [{ port: 'http' }] }],
      }),
    ],
    rows: [
      ['demo/web', 'demo/api', 8080, undefined, T],
      ['demo/web', 'demo/db', 8080, undefined, F],
      ['demo/web', 'demo/db', 5432, undefined, F],
      ['demo/web', 'demo/db', 80, undefined, F],
    ],
  },
  {
    rule: 'a named port matches only with the named container port protocol',
    policies: [
      onlyAppIngress('dns', [{ ports: [{ port: 'dns' }] }]), // protocol TCP by default, but "dns" is UDP
    ],
    rows: [
      ['demo/web', 'demo/dns', 53, 'UDP', F],
      ['demo/web', 'demo/dns', 53, 'TCP', F], // 53/TCP is "dns-tcp", not "dns"
    ],
  },
  {
    rule: 'a named port with its matching protocol',
    policies: [onlyAppIngress('dns', [{ ports: [{ port: 'dns', protocol: 'UDP' }] }])],
    rows: [
      ['demo/web', 'demo/dns', 53, 'UDP', T],
      ['demo/web', 'demo/dns', 'dns', undefined, T],
      ['demo/web', 'demo/dns', 53, 'TCP', F],
      ['demo/web', 'demo/dns', 'dns-tcp', undefined, F],
    ],
  },
  {
    rule: 'named egress port resolves on each destination pod; bare IPs have no named ports',
    policies: [
      policy('demo/web-egress-http', {
        podSelector: { matchLabels: { app: 'web' } },
        policyTypes: ['Egress'],
        egress: [{ ports: [{ port: 'http' }] }],
      }),
    ],
    rows: [
      ['demo/web', 'demo/api', 8080, undefined, T],
      ['demo/web', 'demo/api', 80, undefined, F],
      ['demo/web', 'dev/web', 80, undefined, T],
      ['demo/web', 'other/api', 8080, undefined, T],
      ['demo/web', 'demo/db', 5432, undefined, F],
      ['demo/web', '203.0.113.10', 80, undefined, F],
      ['demo/web', '203.0.113.10', 8080, undefined, F],
    ],
  },

  // --- Combining policies and directions ------------------------------------------------------------
  {
    rule: 'policies selecting the same pod are additive',
    policies: [
      onlyAppIngress('db', [
        { from: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 5432 }] },
      ]),
      policy('demo/db-from-other', {
        podSelector: { matchLabels: { app: 'db' } },
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'beta' } } }] }],
      }),
    ],
    rows: [
      ['demo/api', 'demo/db', 5432, undefined, T],
      ['other/client', 'demo/db', 5432, undefined, T],
      ['other/client', 'demo/db', 9999, undefined, T],
      ['demo/api', 'demo/db', 9999, undefined, F],
      ['demo/web', 'demo/db', 5432, undefined, F],
    ],
  },
  {
    rule: 'rules of one policy are ORed; ports and peers inside a rule are ANDed',
    policies: [
      onlyAppIngress('api', [
        { from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 8080 }] },
        { from: [{ podSelector: { matchLabels: { app: 'dns' } } }], ports: [{ port: 9090 }] },
      ]),
    ],
    rows: [
      ['demo/web', 'demo/api', 8080, undefined, T],
      ['demo/web', 'demo/api', 9090, undefined, F],
      ['demo/dns', 'demo/api', 9090, undefined, T],
      ['demo/dns', 'demo/api', 8080, undefined, F],
    ],
  },
  {
    rule: 'traffic needs egress from the source AND ingress to the destination',
    policies: [
      policy('demo/web-egress-to-api', {
        podSelector: { matchLabels: { app: 'web' } },
        policyTypes: ['Egress'],
        egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }] }],
      }),
      onlyAppIngress('api', [{ from: [{ podSelector: { matchLabels: { app: 'db' } } }] }]),
    ],
    rows: [
      ['demo/web', 'demo/api', 8080, undefined, F], // egress allows, ingress denies
      ['demo/db', 'demo/api', 8080, undefined, T], // db not egress-isolated, api admits db
      ['demo/web', 'demo/db', 5432, undefined, F], // egress denies, db not ingress-isolated
      ['other/client', 'demo/web', 80, undefined, T], // web is not ingress-isolated
    ],
  },
  {
    rule: 'a policy only isolates pods of its own namespace',
    policies: [
      denyAllIngress('other'),
      policy('demo/isolate-api', { podSelector: { matchLabels: { app: 'api' } }, ingress: [] }),
    ],
    rows: [
      ['demo/web', 'other/client', 80, undefined, F],
      ['other/client', 'demo/web', 80, undefined, T],
      ['demo/web', 'demo/api', 8080, undefined, F],
      ['dev/web', 'other/api', 8080, undefined, F],
      ['demo/db', 'dev/web', 80, undefined, T],
    ],
  },
  {
    rule: 'default deny everything plus DNS egress and DNS ingress allowances',
    policies: [
      policy('demo/deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
      policy('demo/allow-dns-egress', {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          { to: [{ podSelector: { matchLabels: { app: 'dns' } } }], ports: [{ protocol: 'UDP', port: 53 }] },
        ],
      }),
      policy('demo/allow-dns-ingress', {
        podSelector: { matchLabels: { app: 'dns' } },
        ingress: [{ from: [{ podSelector: {} }], ports: [{ protocol: 'UDP', port: 53 }] }],
      }),
    ],
    rows: [
      ['demo/web', 'demo/dns', 53, 'UDP', T],
      ['demo/web', 'demo/dns', 53, 'TCP', F],
      ['demo/web', 'demo/api', 8080, undefined, F],
      ['other/client', 'demo/dns', 53, 'UDP', F], // ingress only from demo's pods
      ['demo/api', '203.0.113.10', 53, 'UDP', F],
    ],
  },

  // --- Special endpoints ----------------------------------------------------------------------------
  {
    rule: 'a pod can always reach itself',
    policies: [policy('demo/deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })],
    rows: [
      ['demo/web', 'demo/web', 80, undefined, T],
      ['demo/db', 'demo/db', 5432, undefined, T],
      ['demo/web', 'demo/api', 8080, undefined, F],
    ],
  },
  {
    rule: 'bare IP endpoints are never isolated',
    policies: [
      policy('demo/deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
      denyAllIngress('other'),
    ],
    rows: [
      ['203.0.113.10', '198.51.100.7', 80, undefined, T],
      ['other/api', '203.0.113.10', 443, undefined, T], // other is only ingress-isolated
      ['dev/web', '10.1.0.10', 80, undefined, T], // demo/web's IP as a bare endpoint
      ['203.0.113.10', 'demo/web', 80, undefined, F],
      ['demo/web', '203.0.113.10', 80, undefined, F],
    ],
  },
];

describe('NetworkPolicyEngine truth tables', () => {
  describe.each(cases)('$rule', ({ policies, rows }) => {
    const engine = new NetworkPolicyEngine({ namespaces, pods, policies });

    it.each(rows)('%s -> %s port %s %s: allowed=%s', (from, to, port, protocol, allowed) => {
      const verdict = engine.evaluate({ from: endpoint(from), to: endpoint(to), port, protocol });
      expect({ allowed: verdict.allowed, explanation: verdict.explanation }).toEqual({
        allowed,
        explanation: expect.any(Array),
      });
    });

    const podRows = rows.filter(
      ([from, to, port]) => from.includes('/') && to.includes('/') && typeof port === 'number',
    );
    if (podRows.length > 0) {
      it('buildMatrix agrees with the table', () => {
        const keys = pods.map((pod) => `${pod.namespace}/${pod.name}`);
        for (const [from, to, port, protocol, allowed] of podRows) {
          const matrix = engine.buildMatrix([{ port: port as number, protocol: protocol ?? 'TCP' }]);
          expect([from, to, port, matrix.allowed[keys.indexOf(from)]![keys.indexOf(to)]![0]]).toEqual([
            from,
            to,
            port,
            allowed,
          ]);
        }
      });
    }
  });
});

describe('NetworkPolicyEngine explanations', () => {
  const allowApi = policy('demo/allow-api', {
    podSelector: { matchLabels: { app: 'db' } },
    ingress: [{ from: [{ podSelector: { matchLabels: { app: 'api' } } }] }],
  });
  const query = (from: string, to: string, port: number | string, protocol?: Protocol) => ({
    from: endpoint(from),
    to: endpoint(to),
    port,
    protocol,
  });

  it('names the isolating policies and the admitting rule', () => {
    const engine = new NetworkPolicyEngine({ namespaces, pods, policies: [allowApi] });
    expect(engine.evaluate(query('demo/api', 'demo/db', 5432))).toEqual({
      allowed: true,
      explanation: [
        'demo/api -> demo/db on port 5432/TCP: allowed',
        'egress from demo/api: not isolated (no NetworkPolicy selects it for Egress)',
        'ingress to demo/db: isolated by demo/allow-api',
        'ingress to demo/db allowed by policy demo/allow-api rule #0',
      ],
    });
  });

  it('says that no rule admits denied traffic', () => {
    const engine = new NetworkPolicyEngine({ namespaces, pods, policies: [allowApi] });
    expect(engine.evaluate(query('demo/web', 'demo/db', 5432))).toEqual({
      allowed: false,
      explanation: [
        'demo/web -> demo/db on port 5432/TCP: denied (ingress)',
        'egress from demo/web: not isolated (no NetworkPolicy selects it for Egress)',
        'ingress to demo/db: isolated by demo/allow-api',
        'ingress to demo/db denied: no ingress rule of demo/allow-api admits traffic from demo/web on port 5432/TCP',
      ],
    });
  });

  it('numbers rules by their position and lists every isolating policy', () => {
    const second = policy('demo/db-two-rules', {
      podSelector: { matchLabels: { app: 'db' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'dns' } } }] }, { ports: [{ port: 'pg' }] }],
    });
    const engine = new NetworkPolicyEngine({ namespaces, pods, policies: [allowApi, second] });
    const { allowed, explanation } = engine.evaluate(query('demo/web', 'demo/db', 'pg'));
    expect(allowed).toBe(true);
    expect(explanation).toContain('ingress to demo/db: isolated by demo/allow-api, demo/db-two-rules');
    expect(explanation).toContain('ingress to demo/db allowed by policy demo/db-two-rules rule #1');
    expect(explanation[0]).toBe('demo/web -> demo/db on port pg (5432/TCP): allowed');
  });

  it('explains both sides when both deny', () => {
    const engine = new NetworkPolicyEngine({
      namespaces,
      pods,
      policies: [policy('demo/deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })],
    });
    expect(engine.evaluate(query('demo/web', 'demo/api', 8080)).explanation).toEqual([
      'demo/web -> demo/api on port 8080/TCP: denied (egress and ingress)',
      'egress from demo/web: isolated by demo/deny-all',
      'egress from demo/web denied: no egress rule of demo/deny-all admits traffic to demo/api on port 8080/TCP',
      'ingress to demo/api: isolated by demo/deny-all',
      'ingress to demo/api denied: no ingress rule of demo/deny-all admits traffic from demo/web on port 8080/TCP',
    ]);
  });

  it('says bare IPs are never isolated', () => {
    const engine = new NetworkPolicyEngine({ namespaces, pods, policies: [] });
    expect(engine.evaluate(query('203.0.113.10', 'demo/web', 80, 'UDP')).explanation).toEqual([
      '203.0.113.10 -> demo/web on port 80/UDP: allowed',
      'egress from 203.0.113.10: not isolated (a bare IP, no NetworkPolicy applies to it)',
      'ingress to demo/web: not isolated (no NetworkPolicy selects it for Ingress)',
    ]);
  });

  it('denies a query whose port name the destination does not declare', () => {
    const engine = new NetworkPolicyEngine({ namespaces, pods, policies: [] });
    expect(engine.evaluate(query('demo/web', 'demo/db', 'http'))).toEqual({
      allowed: false,
      explanation: ['demo/web -> demo/db on port http: denied', 'demo/db has no container port named "http"'],
    });
    expect(engine.evaluate(query('demo/web', '203.0.113.10', 'http')).allowed).toBe(false);
    expect(engine.evaluate(query('demo/web', 'demo/dns', 'dns', 'TCP')).allowed).toBe(false);
  });

  it('explains self traffic', () => {
    const engine = new NetworkPolicyEngine({ namespaces, pods, policies: [denyAllIngress('demo')] });
    expect(engine.evaluate(query('demo/web', 'demo/web', 80)).explanation).toEqual([
      'demo/web -> demo/web on port 80/TCP: allowed',
      'demo/web is its own destination: a pod cannot block traffic to itself',
    ]);
  });

  it('rejects unknown pods and malformed addresses with NetpolInputError', () => {
    const engine = new NetworkPolicyEngine({ namespaces, pods, policies: [] });
    expect(() => engine.evaluate(query('demo/nope', 'demo/web', 80))).toThrow('unknown pod demo/nope');
    expect(() => engine.evaluate(query('999.1.1.1', 'demo/web', 80))).toThrow('not an IPv4 or IPv6 address');
    expect(
      () =>
        new NetworkPolicyEngine({
          namespaces,
          pods,
          policies: [onlyAppIngress('web', [{ from: [{ ipBlock: { cidr: '10.0.0.0/33' } }] }])],
        }),
    ).toThrow('policies[0].spec.ingress[0].from[0].ipBlock.cidr: "10.0.0.0/33" is not a CIDR');
  });
});
