import { describe, expect, it } from '@jest/globals';
import type { NetpolInputIssue } from './network-policy.errors.js';
import { parseNetpolInput } from './network-policy.parser.js';

/** Loosely typed on purpose: the cases below break the document in ways the real types forbid. */
interface Document {
  namespaces: { name: string; labels: Record<string, string> }[];
  pods: {
    namespace: string;
    name: string;
    labels?: Record<string, string>;
    ip: string;
    ports: { name: string; containerPort: number; protocol?: string }[];
  }[];
  policies: {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace: string } & Record<string, unknown>;
    spec: {
      podSelector: { matchLabels: Record<string, string> };
      policyTypes: string[];
      ingress: {
        from: {
          podSelector?: { matchExpressions: { key: string; operator: string; values: string[] }[] };
          ipBlock?: { cidr: string; except: string[] };
        }[];
        ports: { port: number | string; endPort?: number; protocol?: string }[];
      }[];
    };
    status: object;
  }[];
  queries: {
    from: Record<string, string>;
    to: Record<string, string>;
    port: number | string;
    protocol?: string;
  }[];
}

function validDocument(): Document {
  return {
    namespaces: [{ name: 'demo', labels: { team: 'a' } }],
    pods: [
      {
        namespace: 'demo',
        name: 'web',
        labels: { app: 'web' },
        ip: '10.0.0.1',
        ports: [{ name: 'http', containerPort: 80 }],
      },
      {
        namespace: 'demo',
        name: 'db',
        ip: 'fd00::2',
        ports: [{ name: 'pg', containerPort: 5432, protocol: 'TCP' }],
      },
    ],
    policies: [
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'db', namespace: 'demo', annotations: { note: 'ignored' }, resourceVersion: '7' },
        spec: {
          podSelector: { matchLabels: { app: 'db' } },
          policyTypes: ['Ingress'],
          ingress: [
            {
              from: [
                { podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] } },
                { ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.1.0/24'] } },
              ],
              ports: [{ port: 'pg' }, { port: 6000, endPort: 6010, protocol: 'UDP' }],
            },
          ],
        },
        status: {},
      },
    ],
    queries: [
      { from: { namespace: 'demo', pod: 'web' }, to: { namespace: 'demo', pod: 'db' }, port: 'pg' },
      { from: { ip: '203.0.113.1' }, to: { namespace: 'demo', pod: 'web' }, port: 80, protocol: 'TCP' },
    ],
  };
}

/** Issues for a valid document after `mutate`. */
function issuesAfter(mutate: (document: Document) => void): NetpolInputIssue[] {
  const document = validDocument();
  mutate(document);
  const result = parseNetpolInput(document);
  if (result.ok) throw new Error('expected the document to be rejected');
  return result.issues;
}

describe('parseNetpolInput', () => {
  it('accepts a valid document, fills defaults and drops unknown policy metadata', () => {
    const result = parseNetpolInput(validDocument());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.input.pods[1]).toEqual({
      namespace: 'demo',
      name: 'db',
      labels: {},
      ip: 'fd00::2',
      ports: [{ name: 'pg', containerPort: 5432, protocol: 'TCP' }],
    });
    expect(result.input.pods[0]!.ports).toEqual([{ name: 'http', containerPort: 80, protocol: 'TCP' }]);
    expect(result.input.policies[0]!.metadata).toEqual({ name: 'db', namespace: 'demo' });
    expect(result.input.queries[1]).toEqual({
      from: { ip: '203.0.113.1' },
      to: { namespace: 'demo', pod: 'web' },
      port: 80,
      protocol: 'TCP',
    });
  });

  it('accepts an empty document as an empty cluster', () => {
    expect(parseNetpolInput({})).toEqual({
      ok: true,
      input: { namespaces: [], pods: [], policies: [], queries: [] },
    });
  });

  it.each([null, [], 'text', 42])('rejects a non-object document (%p)', (document) => {
    expect(parseNetpolInput(document)).toEqual({
      ok: false,
      issues: [
        { path: '(document)', message: 'must be an object with namespaces, pods, policies and queries' },
      ],
    });
  });

  it.each<[string, (document: Document) => void, NetpolInputIssue]>([
    [
      'unknown top-level key',
      (d) => {
        (d as any).pod = [];
      },
      { path: '(document)', message: 'Unrecognized key: "pod"' },
    ],
    [
      'missing pod name',
      (d) => {
        delete (d.pods[0] as any).name;
      },
      { path: 'pods[0].name', message: 'is required' },
    ],
    ['pods not an array', (d) => ((d as any).pods = {}), { path: 'pods', message: 'must be an array' }],
    [
      'non-string label value',
      (d) => {
        (d.pods[0]!.labels as any).tier = 1;
      },
      {
        path: 'pods[0].labels.tier',
        message: 'label values must be strings (quote numbers and booleans in YAML)',
      },
    ],
    [
      'bad pod IP',
      (d) => {
        d.pods[0]!.ip = '10.0.0.256';
      },
      { path: 'pods[0].ip', message: 'must be an IPv4 or IPv6 address' },
    ],
    [
      'container port out of range',
      (d) => {
        d.pods[0]!.ports[0]!.containerPort = 0;
      },
      { path: 'pods[0].ports[0].containerPort', message: 'must be between 1 and 65535' },
    ],
    [
      'uppercase namespace name',
      (d) => {
        d.namespaces[0]!.name = 'Demo';
      },
      { path: 'namespaces[0].name', message: 'must be a DNS label (lowercase letters, digits and "-")' },
    ],
    [
      'typo inside spec',
      (d) => {
        (d.policies[0]!.spec as any).podSelectr = {};
      },
      { path: 'policies[0].spec', message: 'Unrecognized key: "podSelectr"' },
    ],
    [
      'wrong apiVersion',
      (d) => {
        d.policies[0]!.apiVersion = 'extensions/v1beta1';
      },
      { path: 'policies[0].apiVersion', message: 'must be networking.k8s.io/v1' },
    ],
    [
      'missing metadata.namespace',
      (d) => {
        delete (d.policies[0]!.metadata as any).namespace;
      },
      { path: 'policies[0].metadata.namespace', message: 'is required' },
    ],
    [
      'bad policyType',
      (d) => {
        d.policies[0]!.spec.policyTypes[0] = 'ingress';
      },
      { path: 'policies[0].spec.policyTypes[0]', message: 'must be Ingress or Egress' },
    ],
    [
      'bad CIDR',
      (d) => {
        d.policies[0]!.spec.ingress[0]!.from[1]!.ipBlock!.cidr = '10.0.0.0/40';
      },
      {
        path: 'policies[0].spec.ingress[0].from[1].ipBlock.cidr',
        message: 'must be a CIDR such as 10.0.0.0/16 or fd00::/64',
      },
    ],
    [
      'except outside the CIDR',
      (d) => {
        d.policies[0]!.spec.ingress[0]!.from[1]!.ipBlock!.except = ['10.1.0.0/24'];
      },
      {
        path: 'policies[0].spec.ingress[0].from[1].ipBlock.except[0]',
        message: 'must be a strict subset of cidr 10.0.0.0/16',
      },
    ],
    [
      'except equal to the CIDR',
      (d) => {
        d.policies[0]!.spec.ingress[0]!.from[1]!.ipBlock!.except = ['10.0.0.0/16'];
      },
      {
        path: 'policies[0].spec.ingress[0].from[1].ipBlock.except[0]',
        message: 'must be a strict subset of cidr 10.0.0.0/16',
      },
    ],
    [
      'ipBlock combined with a selector',
      (d) => {
        (d.policies[0]!.spec.ingress[0]!.from[1] as any).podSelector = {};
      },
      {
        path: 'policies[0].spec.ingress[0].from[1]',
        message: 'ipBlock cannot be combined with podSelector or namespaceSelector in one peer',
      },
    ],
    [
      'empty peer',
      (d) => {
        d.policies[0]!.spec.ingress[0]!.from[1] = {};
      },
      {
        path: 'policies[0].spec.ingress[0].from[1]',
        message: 'must set podSelector and/or namespaceSelector, or ipBlock',
      },
    ],
    [
      'In without values',
      (d) => {
        d.policies[0]!.spec.ingress[0]!.from[0]!.podSelector!.matchExpressions[0]!.values = [];
      },
      {
        path: 'policies[0].spec.ingress[0].from[0].podSelector.matchExpressions[0].values',
        message: 'must be non-empty for In',
      },
    ],
    [
      'Exists with values',
      (d) => {
        d.policies[0]!.spec.ingress[0]!.from[0]!.podSelector!.matchExpressions[0]!.operator = 'Exists';
      },
      {
        path: 'policies[0].spec.ingress[0].from[0].podSelector.matchExpressions[0].values',
        message: 'must be empty for Exists',
      },
    ],
    [
      'unknown operator',
      (d) => {
        d.policies[0]!.spec.ingress[0]!.from[0]!.podSelector!.matchExpressions[0]!.operator = 'Equals';
      },
      {
        path: 'policies[0].spec.ingress[0].from[0].podSelector.matchExpressions[0].operator',
        message: 'must be In, NotIn, Exists or DoesNotExist',
      },
    ],
    [
      'unknown protocol',
      (d) => {
        d.policies[0]!.spec.ingress[0]!.ports[1]!.protocol = 'HTTP';
      },
      { path: 'policies[0].spec.ingress[0].ports[1].protocol', message: 'must be TCP, UDP or SCTP' },
    ],
    [
      'port out of range',
      (d) => {
        d.policies[0]!.spec.ingress[0]!.ports[0]!.port = 70000;
      },
      { path: 'policies[0].spec.ingress[0].ports[0].port', message: 'must be between 1 and 65535' },
    ],
    [
      'invalid port name',
      (d) => {
        d.policies[0]!.spec.ingress[0]!.ports[0]!.port = 'Web_Port';
      },
      {
        path: 'policies[0].spec.ingress[0].ports[0].port',
        message:
          'must be a port name: at most 15 lowercase letters, digits and "-", not starting or ending with "-"',
      },
    ],
    [
      'port of the wrong type',
      (d) => {
        (d.policies[0]!.spec.ingress[0]!.ports[0] as any).port = true;
      },
      {
        path: 'policies[0].spec.ingress[0].ports[0].port',
        message: 'must be a port number (1-65535) or a port name',
      },
    ],
    [
      'endPort below port',
      (d) => {
        d.policies[0]!.spec.ingress[0]!.ports[1]!.endPort = 5999;
      },
      { path: 'policies[0].spec.ingress[0].ports[1].endPort', message: 'must be at least port (6000)' },
    ],
    [
      'endPort with a named port',
      (d) => {
        d.policies[0]!.spec.ingress[0]!.ports[0]!.endPort = 7000;
      },
      { path: 'policies[0].spec.ingress[0].ports[0].endPort', message: 'requires a numeric port' },
    ],
    [
      'egress rule with from',
      (d) => {
        (d.policies[0]!.spec as any).egress = [{ from: [] }];
      },
      { path: 'policies[0].spec.egress[0]', message: 'Unrecognized key: "from"' },
    ],
    [
      'endpoint mixing ip and pod',
      (d) => {
        d.queries[1]!.from.pod = 'web';
      },
      { path: 'queries[1].from', message: 'must be {namespace, pod} or {ip}' },
    ],
    [
      'endpoint with pod but no namespace',
      (d) => {
        d.queries[0]!.to = { pod: 'db' };
      },
      { path: 'queries[0].to', message: 'must be {namespace, pod} or {ip}' },
    ],
    [
      'query without port',
      (d) => {
        delete (d.queries[0] as any).port;
      },
      { path: 'queries[0].port', message: 'is required' },
    ],
  ])('reports %s with its field path', (_name, mutate, issue) => {
    expect(issuesAfter(mutate)).toEqual([issue]);
  });

  it.each<[string, (document: Document) => void, NetpolInputIssue]>([
    [
      'undeclared pod namespace',
      (d) => {
        d.pods.push({ namespace: 'prod', name: 'web', labels: {}, ip: '10.9.0.1', ports: [] });
      },
      { path: 'pods[2].namespace', message: 'namespace "prod" is not declared in namespaces' },
    ],
    [
      'undeclared policy namespace',
      (d) => {
        d.policies[0]!.metadata.namespace = 'prod';
      },
      { path: 'policies[0].metadata.namespace', message: 'namespace "prod" is not declared in namespaces' },
    ],
    [
      'duplicate namespace',
      (d) => {
        d.namespaces.push({ name: 'demo', labels: {} });
      },
      { path: 'namespaces[1].name', message: 'duplicate namespace "demo" (also namespaces[0])' },
    ],
    [
      'duplicate pod',
      (d) => {
        d.pods.push({ ...d.pods[0]!, ip: '10.0.0.9' });
      },
      { path: 'pods[2]', message: 'duplicate pod demo/web (also pods[0])' },
    ],
    [
      'duplicate port name in a pod',
      (d) => {
        d.pods[0]!.ports.push({ name: 'http', containerPort: 81 });
      },
      { path: 'pods[0].ports[1].name', message: 'duplicate port name "http" in pod demo/web' },
    ],
    [
      'duplicate policy',
      (d) => {
        d.policies.push(structuredClone(d.policies[0]!));
      },
      { path: 'policies[1].metadata', message: 'duplicate policy demo/db (also policies[0])' },
    ],
    [
      'query naming an unknown pod',
      (d) => {
        d.queries[0]!.to = { namespace: 'demo', pod: 'cache' };
      },
      { path: 'queries[0].to', message: 'unknown pod demo/cache' },
    ],
    [
      'query port name the destination lacks',
      (d) => {
        d.queries[0]!.port = 'http';
      },
      { path: 'queries[0].port', message: 'pod demo/db has no container port named "http"' },
    ],
    [
      'query port name towards an IP',
      (d) => {
        d.queries[0]!.to = { ip: '203.0.113.2' };
      },
      { path: 'queries[0].port', message: 'port name "pg" needs a pod destination, not an IP' },
    ],
    [
      'query protocol contradicting the named port',
      (d) => {
        d.queries[0]!.protocol = 'UDP';
      },
      { path: 'queries[0].protocol', message: 'pod demo/db port "pg" is TCP, not UDP' },
    ],
  ])('cross-checks %s', (_name, mutate, issue) => {
    expect(issuesAfter(mutate)).toEqual([issue]);
  });

  it('reports every structural problem at once', () => {
    const issues = issuesAfter((d) => {
      d.pods[0]!.ip = 'nope';
      d.policies[0]!.spec.ingress[0]!.ports[1]!.protocol = 'ICMP';
      delete (d.queries[1] as any).to;
    });
    expect(issues.map((issue) => issue.path)).toEqual([
      'pods[0].ip',
      'policies[0].spec.ingress[0].ports[1].protocol',
      'queries[1].to',
    ]);
  });
});
