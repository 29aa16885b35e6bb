import type { KubeObject } from '../runtime/cluster-probe.port.js';

/** The images the troubleshooting instructions name (the curriculum's pins). */
const AGNHOST_IMAGE = 'registry.k8s.io/e2e-test-images/agnhost:2.53';
const BUSYBOX_IMAGE = 'busybox:1.36';
export const TROUBLESHOOT_NAMESPACE = 'troubleshoot';

const ns = { namespace: TROUBLESHOOT_NAMESPACE };

function policy(name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, ...ns }, spec };
}

/**
 * The troubleshooting app as the incidents' runbook describes it: web (2 replicas) behind service
 * web and ingress web, a client calling it every 5 seconds, default deny both ways and the three
 * allowances. The worker applies this (then one fault) to namespace troubleshoot of the student's
 * vcluster when an incident starts; it is also what a fixed incident looks like again.
 */
export function troubleshootApp(): KubeObject[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: TROUBLESHOOT_NAMESPACE } },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', ...ns, labels: { app: 'web' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [
              {
                name: 'web',
                image: AGNHOST_IMAGE,
                args: ['netexec', '--http-port=8080'],
                ports: [{ name: 'http', containerPort: 8080 }],
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', ...ns },
      spec: {
        type: 'ClusterIP',
        selector: { app: 'web' },
        ports: [{ name: 'http', port: 80, targetPort: 8080 }],
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'client', ...ns, labels: { app: 'client' } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'client' } },
        template: {
          metadata: { labels: { app: 'client' } },
          spec: {
            containers: [
              {
                name: 'client',
                image: BUSYBOX_IMAGE,
                command: [
                  'sh',
                  '-c',
                  'while true; do echo "$(date -Iseconds) $(wget -qO- -T 3 http://web/hostname 2>&1)"; sleep 5; done',
                ],
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'web', ...ns },
      spec: {
        ingressClassName: 'nginx',
        rules: [
          {
            host: 'web.troubleshoot.test',
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: 'web', port: { number: 80 } } },
                },
              ],
            },
          },
        ],
      },
    },
    policy('default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    policy('allow-dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
              podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            },
          ],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    }),
    // One policy for both ends of client -> web: egress on the client, ingress on web.
    policy('allow-client-to-web', {
      podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['client', 'web'] }] },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        {
          from: [{ podSelector: { matchLabels: { app: 'client' } } }],
          ports: [{ protocol: 'TCP', port: 8080 }],
        },
      ],
      egress: [
        { to: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ protocol: 'TCP', port: 8080 }] },
      ],
    }),
    policy('allow-ingress-controller', {
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }],
          ports: [{ protocol: 'TCP', port: 8080 }],
        },
      ],
    }),
  ];
}
