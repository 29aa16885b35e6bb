import type { KubeObject } from '@kubecohort/kubernetes';
import {
  environmentLabels,
  LABELS,
  WORKBENCH_CONTAINER,
  WORKBENCH_NAME,
  type EnvironmentIdentity,
  type EnvironmentNames,
} from './environment-names.js';
import type { AddressOptions, EnvironmentSizing, ProvisioningOptions } from './environments.options.js';
import type { VclusterValuesTemplate, VclusterValuesVariables } from './vcluster-values.template.js';

export const HELM_RELEASE_API = 'helm.toolkit.fluxcd.io/v2';
export const VALUES_VERSION_ANNOTATION = 'kubecohort.dev/values-version';
/** Label vcluster puts on every pod it syncs to the host (the student's workloads). */
export const VCLUSTER_MANAGED_BY = 'vcluster.loft.sh/managed-by';
const VCLUSTER_API_PORT = 8443;

const DNS_PEERS = [
  {
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
    podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
  },
];
const DNS_PORTS = [
  { protocol: 'UDP', port: 53 },
  { protocol: 'TCP', port: 53 },
];

/** Everything kubecohort applies for one environment, as plain objects (server-side apply bodies). */
export class EnvironmentManifests {
  constructor(
    private readonly env: EnvironmentIdentity,
    private readonly names: EnvironmentNames,
    private readonly sizing: EnvironmentSizing,
    private readonly options: ProvisioningOptions,
    private readonly values: VclusterValuesTemplate,
  ) {}

  private labels(role: 'vcluster' | 'workbench'): Record<string, string> {
    return environmentLabels(this.env, role);
  }

  // ---------------------------------------------------------------- the vcluster namespace

  /** PodSecurity baseline: the student's workloads run unprivileged, whatever they write. */
  namespace(): KubeObject {
    return {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: this.names.namespace,
        labels: {
          ...this.labels('vcluster'),
          'pod-security.kubernetes.io/enforce': 'baseline',
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/warn': 'baseline',
        },
      },
    };
  }

  resourceQuota(): KubeObject {
    const s = this.sizing;
    const mode = this.options.address.mode;
    return {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: {
        name: 'kubecohort-quota',
        namespace: this.names.namespace,
        labels: this.labels('vcluster'),
      },
      spec: {
        hard: {
          'requests.cpu': `${s.quotaCpuMillis}m`,
          'limits.cpu': `${s.quotaCpuMillis}m`,
          'requests.memory': `${s.quotaMemoryMib}Mi`,
          'limits.memory': `${s.quotaMemoryMib}Mi`,
          'requests.storage': `${s.quotaStorageGib}Gi`,
          pods: String(s.quotaPods),
          persistentvolumeclaims: '5',
          // Only the vcluster's own Service may take a node port or a load balancer.
          'services.nodeports': mode === 'nodeport' ? '1' : '0',
          'services.loadbalancers': mode === 'loadbalancer' ? '1' : '0',
        },
      },
    };
  }

  limitRange(): KubeObject {
    const s = this.sizing;
    return {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: {
        name: 'kubecohort-limits',
        namespace: this.names.namespace,
        labels: this.labels('vcluster'),
      },
      spec: {
        limits: [
          {
            type: 'Container',
            default: { cpu: `${s.defaultCpuMillis}m`, memory: `${s.defaultMemoryMib}Mi` },
            defaultRequest: {
              cpu: `${Math.min(100, s.defaultCpuMillis)}m`,
              memory: `${Math.min(128, s.defaultMemoryMib)}Mi`,
            },
          },
        ],
      },
    };
  }

  /**
   * Isolation without taking the Network Policy labs away from the student. Every pod the vcluster
   * syncs lives in this one namespace, and NetworkPolicies add up: a policy here that allowed
   * ingress from the namespace would override every deny the student writes inside the vcluster.
   * So workloads get no ingress policy from us; instead every student namespace restricts its
   * workloads' egress to itself, DNS and the configured CIDRs (private ranges excepted), which
   * denies traffic between any two students' namespaces in both directions. The vcluster control
   * plane, which students never target with policies, is fenced in both directions.
   */
  networkPolicies(): KubeObject[] {
    const namespace = this.names.namespace;
    const labels = this.labels('vcluster');
    const apiPort = [{ protocol: 'TCP', port: VCLUSTER_API_PORT }];
    const egressBlocks = this.options.egress.cidrs.map((cidr) => ({
      ipBlock: {
        cidr,
        ...(this.exceptWithin(cidr).length > 0 ? { except: this.exceptWithin(cidr) } : {}),
      },
    }));
    return [
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'kubecohort-vcluster-control-plane', namespace, labels },
        spec: {
          podSelector: { matchLabels: { app: 'vcluster', release: this.names.release } },
          policyTypes: ['Ingress', 'Egress'],
          ingress: [
            // The student's own workloads (the in-cluster kubernetes Service points here).
            { from: [{ podSelector: {} }], ports: apiPort },
            // Platform namespaces (ingress controllers, monitoring), never another student's.
            {
              from: [
                {
                  namespaceSelector: {
                    matchExpressions: [{ key: LABELS.student, operator: 'DoesNotExist' }],
                  },
                },
              ],
              ports: apiPort,
            },
            // Students from outside the cluster (NodePort, LoadBalancer).
            { from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: apiPort },
          ],
          egress: [
            { to: [{ podSelector: {} }] },
            { to: DNS_PEERS, ports: DNS_PORTS },
            // The syncer talks to the host API server (service port 443, endpoints usually 6443).
            {
              ports: [
                { protocol: 'TCP', port: 443 },
                { protocol: 'TCP', port: 6443 },
              ],
            },
          ],
        },
      },
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'kubecohort-workload-egress', namespace, labels },
        spec: {
          podSelector: { matchExpressions: [{ key: VCLUSTER_MANAGED_BY, operator: 'Exists' }] },
          policyTypes: ['Egress'],
          egress: [
            // Their own vcluster: its API server, their other pods, its CoreDNS.
            { to: [{ podSelector: {} }] },
            { to: DNS_PEERS, ports: DNS_PORTS },
            ...(egressBlocks.length > 0 ? [{ to: egressBlocks }] : []),
          ],
        },
      },
    ];
  }

  private exceptWithin(cidr: string): string[] {
    // An except must lie inside its CIDR; IPv4 excepts make no sense in an IPv6 block and vice versa.
    const v6 = cidr.includes(':');
    return this.options.egress.exceptCidrs.filter((except) => except.includes(':') === v6 && except !== cidr);
  }

  helmRelease(): KubeObject {
    const { vcluster } = this.options;
    return {
      apiVersion: HELM_RELEASE_API,
      kind: 'HelmRelease',
      metadata: {
        name: this.names.release,
        namespace: this.names.namespace,
        labels: this.labels('vcluster'),
        annotations: { [VALUES_VERSION_ANNOTATION]: this.values.version },
      },
      spec: {
        interval: '10m',
        releaseName: this.names.release,
        targetNamespace: this.names.namespace,
        chart: {
          spec: {
            chart: 'vcluster',
            version: vcluster.chartVersion,
            sourceRef: {
              kind: 'HelmRepository',
              name: vcluster.helmRepository.name,
              namespace: vcluster.helmRepository.namespace,
            },
          },
        },
        install: { remediation: { retries: 3 } },
        upgrade: { remediation: { retries: 3 } },
        values: this.values.render(valuesVariables(this.options.address, this.names)),
      },
    };
  }

  // ---------------------------------------------------------------- the workbench namespace

  /** PodSecurity privileged: the workbench needs NET_ADMIN and SYS_ADMIN for the Linux labs. */
  workbenchNamespace(): KubeObject {
    return {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: this.names.workbenchNamespace,
        labels: {
          ...this.labels('workbench'),
          'pod-security.kubernetes.io/enforce': 'privileged',
          'pod-security.kubernetes.io/enforce-version': 'latest',
        },
      },
    };
  }

  workbenchQuota(): KubeObject {
    const s = this.sizing;
    return {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: {
        name: 'kubecohort-quota',
        namespace: this.names.workbenchNamespace,
        labels: this.labels('workbench'),
      },
      spec: {
        hard: {
          'requests.cpu': `${s.workbenchCpuMillis}m`,
          'limits.cpu': `${s.workbenchCpuMillis}m`,
          'requests.memory': `${s.workbenchMemoryMib}Mi`,
          'limits.memory': `${s.workbenchMemoryMib}Mi`,
          pods: '1',
          services: '0',
          persistentvolumeclaims: '0',
        },
      },
    };
  }

  /** Nothing in, nothing out: the labs build their networks inside the pod; exec goes through the API. */
  workbenchNetworkPolicy(): KubeObject {
    return {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: {
        name: 'kubecohort-default-deny',
        namespace: this.names.workbenchNamespace,
        labels: this.labels('workbench'),
      },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    };
  }

  workbench(): KubeObject {
    const s = this.sizing;
    const { workbench } = this.options;
    const podLabels = { app: WORKBENCH_NAME, [LABELS.environment]: this.env.id };
    const resources = { cpu: `${s.workbenchCpuMillis}m`, memory: `${s.workbenchMemoryMib}Mi` };
    return {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: {
        name: WORKBENCH_NAME,
        namespace: this.names.workbenchNamespace,
        labels: this.labels('workbench'),
      },
      spec: {
        replicas: 1,
        serviceName: WORKBENCH_NAME,
        selector: { matchLabels: { app: WORKBENCH_NAME } },
        template: {
          metadata: { labels: podLabels },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            terminationGracePeriodSeconds: 5,
            ...(workbench.runtimeClass ? { runtimeClassName: workbench.runtimeClass } : {}),
            containers: [
              {
                name: WORKBENCH_CONTAINER,
                image: workbench.image,
                command: ['sleep', 'infinity'],
                securityContext: {
                  privileged: false,
                  capabilities: { add: ['NET_ADMIN', 'SYS_ADMIN'] },
                },
                resources: { requests: resources, limits: resources },
              },
            ],
          },
        },
      },
    };
  }
}

/** What the values template needs to expose the API server at the address students use. */
export function valuesVariables(address: AddressOptions, names: EnvironmentNames): VclusterValuesVariables {
  switch (address.mode) {
    case 'nodeport':
      return {
        serviceType: 'NodePort',
        extraSANs: address.nodeAddress ? [address.nodeAddress] : [],
        ingressEnabled: false,
        ingressHost: '',
        ingressClass: address.ingressClass,
      };
    case 'loadbalancer':
      return {
        serviceType: 'LoadBalancer',
        extraSANs: [],
        ingressEnabled: false,
        ingressHost: '',
        ingressClass: address.ingressClass,
      };
    case 'passthrough': {
      const host = passthroughHost(address, names);
      return {
        serviceType: 'ClusterIP',
        extraSANs: [host],
        ingressEnabled: true,
        ingressHost: host,
        ingressClass: address.ingressClass,
      };
    }
  }
}

export function passthroughHost(address: AddressOptions, names: EnvironmentNames): string {
  return `${names.namespace}.${address.passthroughDomain ?? ''}`;
}

/**
 * The server URL students use, from the vcluster's Service; null while it is not known yet (no
 * node port or load balancer address assigned).
 */
export function studentServerUrl(
  address: AddressOptions,
  names: EnvironmentNames,
  service: KubeObject | null,
): string | null {
  switch (address.mode) {
    case 'passthrough':
      return `https://${passthroughHost(address, names)}`;
    case 'nodeport': {
      const ports = ((service?.spec as { ports?: { name?: string; port?: number; nodePort?: number }[] })
        ?.ports ?? []) as { name?: string; port?: number; nodePort?: number }[];
      const https = ports.find((p) => p.name === 'https') ?? ports.find((p) => p.port === 443);
      if (!https?.nodePort || !address.nodeAddress) return null;
      return `https://${hostForUrl(address.nodeAddress)}:${https.nodePort}`;
    }
    case 'loadbalancer': {
      const ingress = (
        service?.status as { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } }
      )?.loadBalancer?.ingress?.[0];
      const host = ingress?.hostname ?? ingress?.ip;
      return host ? `https://${hostForUrl(host)}` : null;
    }
  }
}

function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
