/** The resource types the fake serves, and the discovery documents built from them. */

import { apiVersionOf, type JsonMap } from './fake-kube-api.types.js';

export interface SubresourceInfo {
  name: string;
  kind: string;
  verbs: string[];
  group?: string;
  version?: string;
}

export interface ResourceType {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** Writes to the main resource keep the stored status; only /status changes it. */
  hasStatus: boolean;
  /** Serves /scale (autoscaling/v1 Scale) mapped onto spec.replicas. */
  hasScale: boolean;
  extraSubresources: SubresourceInfo[];
  verbs: string[];
}

const CRUD_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

interface Spec {
  kind: string;
  plural: string;
  namespaced?: boolean;
  shortNames?: string[];
  categories?: string[];
  status?: boolean;
  scale?: boolean;
  extra?: SubresourceInfo[];
  verbs?: string[];
}

function defineGroup(group: string, versions: string[], specs: Spec[]): ResourceType[] {
  return versions.flatMap((version) =>
    specs.map((s) => ({
      group,
      version,
      plural: s.plural,
      singular: s.kind.toLowerCase(),
      kind: s.kind,
      namespaced: s.namespaced ?? true,
      shortNames: s.shortNames,
      categories: s.categories,
      hasStatus: s.status ?? false,
      hasScale: s.scale ?? false,
      extraSubresources: s.extra ?? [],
      verbs: s.verbs ?? CRUD_VERBS,
    })),
  );
}

const podSubresources: SubresourceInfo[] = [
  { name: 'ephemeralcontainers', kind: 'Pod', verbs: ['get', 'patch', 'update'] },
  { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
  { name: 'log', kind: 'Pod', verbs: ['get'] },
];

/** Versions listed first are the group's preferred version. */
export const BUILTIN_RESOURCES: ResourceType[] = [
  ...defineGroup(
    '',
    ['v1'],
    [
      {
        kind: 'Namespace',
        plural: 'namespaces',
        namespaced: false,
        shortNames: ['ns'],
        status: true,
        extra: [{ name: 'finalize', kind: 'Namespace', verbs: ['update'] }],
        verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
      },
      { kind: 'Node', plural: 'nodes', namespaced: false, shortNames: ['no'], status: true },
      {
        kind: 'Pod',
        plural: 'pods',
        shortNames: ['po'],
        categories: ['all'],
        status: true,
        extra: podSubresources,
      },
      {
        kind: 'Service',
        plural: 'services',
        shortNames: ['svc'],
        categories: ['all'],
        status: true,
        extra: [
          {
            name: 'proxy',
            kind: 'ServiceProxyOptions',
            verbs: ['create', 'delete', 'get', 'patch', 'update'],
          },
        ],
        verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      },
      { kind: 'Secret', plural: 'secrets' },
      { kind: 'ConfigMap', plural: 'configmaps', shortNames: ['cm'] },
      { kind: 'ServiceAccount', plural: 'serviceaccounts', shortNames: ['sa'] },
      { kind: 'ResourceQuota', plural: 'resourcequotas', shortNames: ['quota'], status: true },
      { kind: 'LimitRange', plural: 'limitranges', shortNames: ['limits'] },
      { kind: 'Endpoints', plural: 'endpoints', shortNames: ['ep'] },
      { kind: 'Event', plural: 'events', shortNames: ['ev'] },
      { kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', shortNames: ['pvc'], status: true },
    ],
  ),
  ...defineGroup(
    'apps',
    ['v1'],
    [
      {
        kind: 'StatefulSet',
        plural: 'statefulsets',
        shortNames: ['sts'],
        categories: ['all'],
        status: true,
        scale: true,
      },
      {
        kind: 'Deployment',
        plural: 'deployments',
        shortNames: ['deploy'],
        categories: ['all'],
        status: true,
        scale: true,
      },
    ],
  ),
  ...defineGroup(
    'networking.k8s.io',
    ['v1'],
    [
      { kind: 'NetworkPolicy', plural: 'networkpolicies', shortNames: ['netpol'] },
      { kind: 'Ingress', plural: 'ingresses', shortNames: ['ing'], status: true },
      { kind: 'IngressClass', plural: 'ingressclasses', namespaced: false },
    ],
  ),
  ...defineGroup('discovery.k8s.io', ['v1'], [{ kind: 'EndpointSlice', plural: 'endpointslices' }]),
  ...defineGroup(
    'rbac.authorization.k8s.io',
    ['v1'],
    [
      { kind: 'Role', plural: 'roles' },
      { kind: 'RoleBinding', plural: 'rolebindings' },
      { kind: 'ClusterRole', plural: 'clusterroles', namespaced: false },
      { kind: 'ClusterRoleBinding', plural: 'clusterrolebindings', namespaced: false },
    ],
  ),
  ...defineGroup(
    'helm.toolkit.fluxcd.io',
    ['v2', 'v2beta2', 'v2beta1'],
    [{ kind: 'HelmRelease', plural: 'helmreleases', shortNames: ['hr'], categories: ['all'], status: true }],
  ),
  ...defineGroup(
    'source.toolkit.fluxcd.io',
    ['v1', 'v1beta2'],
    [{ kind: 'HelmRepository', plural: 'helmrepositories', shortNames: ['helmrepo'], status: true }],
  ),
];

/** One storage per group+plural, whatever version a request used (conversion only rewrites apiVersion). */
export function storageKey(rt: ResourceType): string {
  return `${rt.group}/${rt.plural}`;
}

export function rtApiVersion(rt: ResourceType): string {
  return apiVersionOf(rt.group, rt.version);
}

export class ResourceRegistry {
  constructor(private readonly types: ResourceType[] = BUILTIN_RESOURCES) {}

  all(): readonly ResourceType[] {
    return this.types;
  }

  byPlural(group: string, version: string, plural: string): ResourceType | undefined {
    return this.types.find((t) => t.group === group && t.version === version && t.plural === plural);
  }

  byKind(group: string, version: string, kind: string): ResourceType | undefined {
    return this.types.find((t) => t.group === group && t.version === version && t.kind === kind);
  }

  /** The preferred-version type for a storage key (used for objects the fake writes itself). */
  preferred(group: string, plural: string): ResourceType {
    const rt = this.types.find((t) => t.group === group && t.plural === plural);
    if (!rt) throw new Error(`fake-kube-api: unknown resource ${plural}.${group}`);
    return rt;
  }

  groups(): Array<{ name: string; versions: string[] }> {
    const out = new Map<string, string[]>();
    for (const t of this.types) {
      if (!t.group) continue;
      const versions = out.get(t.group) ?? [];
      if (!versions.includes(t.version)) versions.push(t.version);
      out.set(t.group, versions);
    }
    return [...out.entries()].map(([name, versions]) => ({ name, versions }));
  }

  hasGroupVersion(group: string, version: string): boolean {
    return this.types.some((t) => t.group === group && t.version === version);
  }

  apiVersions(serverAddress: string): JsonMap {
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
    };
  }

  apiGroup(name: string): JsonMap | undefined {
    const group = this.groups().find((g) => g.name === name);
    return group ? { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(group) } : undefined;
  }

  apiGroupList(): JsonMap {
    return { kind: 'APIGroupList', apiVersion: 'v1', groups: this.groups().map(groupEntry) };
  }

  apiResourceList(group: string, version: string): JsonMap {
    const resources: JsonMap[] = [];
    for (const t of this.types.filter((x) => x.group === group && x.version === version)) {
      // The main entry must precede its subresources: KubernetesObjectApi takes the first entry whose kind matches.
      resources.push({
        name: t.plural,
        singularName: t.singular,
        namespaced: t.namespaced,
        kind: t.kind,
        verbs: t.verbs,
        ...(t.shortNames ? { shortNames: t.shortNames } : {}),
        ...(t.categories ? { categories: t.categories } : {}),
      });
      const subs: SubresourceInfo[] = [...t.extraSubresources];
      if (t.hasScale)
        subs.push({
          name: 'scale',
          kind: 'Scale',
          group: 'autoscaling',
          version: 'v1',
          verbs: ['get', 'patch', 'update'],
        });
      if (t.hasStatus) subs.push({ name: 'status', kind: t.kind, verbs: ['get', 'patch', 'update'] });
      subs.sort((a, b) => a.name.localeCompare(b.name));
      for (const s of subs) {
        resources.push({
          name: `${t.plural}/${s.name}`,
          singularName: '',
          namespaced: t.namespaced,
          kind: s.kind,
          verbs: s.verbs,
          ...(s.group ? { group: s.group, version: s.version } : {}),
        });
      }
    }
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: apiVersionOf(group, version),
      resources,
    };
  }
}

function groupEntry(group: { name: string; versions: string[] }): JsonMap {
  const versions = group.versions.map((v) => ({ groupVersion: `${group.name}/${v}`, version: v }));
  return { name: group.name, versions, preferredVersion: versions[0] };
}
