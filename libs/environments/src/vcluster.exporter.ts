import { KubeClients, type KubeClient, type KubeObject } from '@kubecohort/kubernetes';
import { Injectable } from '@nestjs/common';
import { stringify } from 'yaml';

/** What a student creates with kubectl, in the order `kubectl apply -f` should recreate it. */
export const EXPORTED_KINDS: readonly { apiVersion: string; kind: string; namespaced: boolean }[] = [
  { apiVersion: 'v1', kind: 'Namespace', namespaced: false },
  { apiVersion: 'v1', kind: 'ServiceAccount', namespaced: true },
  { apiVersion: 'v1', kind: 'ConfigMap', namespaced: true },
  { apiVersion: 'v1', kind: 'Secret', namespaced: true },
  { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespaced: true },
  { apiVersion: 'v1', kind: 'Service', namespaced: true },
  { apiVersion: 'v1', kind: 'ResourceQuota', namespaced: true },
  { apiVersion: 'v1', kind: 'LimitRange', namespaced: true },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', namespaced: true },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', namespaced: true },
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespaced: true },
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', namespaced: true },
  { apiVersion: 'apps/v1', kind: 'Deployment', namespaced: true },
  { apiVersion: 'apps/v1', kind: 'StatefulSet', namespaced: true },
  { apiVersion: 'apps/v1', kind: 'DaemonSet', namespaced: true },
  { apiVersion: 'batch/v1', kind: 'CronJob', namespaced: true },
  { apiVersion: 'batch/v1', kind: 'Job', namespaced: true },
  { apiVersion: 'v1', kind: 'Pod', namespaced: true },
];

/** Namespaces Kubernetes itself makes; `default` is the student's (it is where kubectl puts things). */
const SYSTEM_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease']);
/** Objects every namespace or cluster gets without anyone asking. */
const GENERATED = new Set([
  'ConfigMap/kube-root-ca.crt',
  'ServiceAccount/default',
  'Service/default/kubernetes',
  'Namespace/default',
]);
const SERVER_METADATA = [
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
  'ownerReferences',
  'finalizers',
] as const;

export interface ExportBundle {
  yaml: string;
  objects: number;
}

/**
 * Exports what a student created inside their vcluster as one multi-document YAML bundle they can
 * `kubectl apply -f` to a fresh cluster. It reads the vcluster's own API with the student's
 * kubeconfig (the host namespace only holds the synced subset: no Deployments, no RBAC, renamed
 * objects). Server-owned fields, status, objects owned by another object (a Deployment's pods),
 * system namespaces and Kubernetes' own defaults are left out; Secrets are included, so the
 * bundle is stored encrypted.
 */
@Injectable()
export class VclusterExporter {
  constructor(private readonly clients: KubeClients) {}

  async export(kubeconfig: string): Promise<ExportBundle> {
    const kube = this.clients.connect(kubeconfig);
    const objects: KubeObject[] = [];
    for (const type of EXPORTED_KINDS) {
      if (!(await kube.servesKind(type.apiVersion, type.kind))) continue;
      for (const object of await this.list(kube, type.apiVersion, type.kind)) {
        if (!created(object, type.namespaced)) continue;
        objects.push(clean(object));
      }
    }
    const header = `# kubecohort export: ${objects.length} object(s) created in this vcluster.\n# Recreate them with: kubectl apply -f <this file>\n`;
    const yaml = objects.map((o) => `---\n${stringify(o, { lineWidth: 0 })}`).join('');
    return { yaml: `${header}${yaml}`, objects: objects.length };
  }

  private list(kube: KubeClient, apiVersion: string, kind: string): Promise<KubeObject[]> {
    return kube.list({ apiVersion, kind });
  }
}

function created(object: KubeObject, namespaced: boolean): boolean {
  const { name, namespace, ownerReferences } = object.metadata;
  if (namespaced && namespace && SYSTEM_NAMESPACES.has(namespace)) return false;
  if (!namespaced && SYSTEM_NAMESPACES.has(name)) return false;
  if ((ownerReferences as unknown[] | undefined)?.length) return false;
  if (GENERATED.has(`${object.kind}/${name}`) || GENERATED.has(`${object.kind}/${namespace}/${name}`))
    return false;
  if (
    object.kind === 'Secret' &&
    (object as { type?: string }).type === 'kubernetes.io/service-account-token'
  )
    return false;
  return true;
}

function clean(object: KubeObject): KubeObject {
  const copy = structuredClone(object) as KubeObject & { status?: unknown };
  delete copy.status;
  const metadata = copy.metadata as Record<string, unknown>;
  for (const field of SERVER_METADATA) delete metadata[field];
  const annotations = metadata.annotations as Record<string, string> | undefined;
  if (annotations) {
    delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
    if (Object.keys(annotations).length === 0) delete metadata.annotations;
  }
  if (copy.kind === 'Service') {
    // Assigned by the cluster; a fresh cluster assigns its own.
    const spec = copy.spec as Record<string, unknown> | undefined;
    if (spec) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
  }
  return copy;
}
