/**
 * The Kubernetes-lab graders on a REAL cluster: each lab's reference solution
 * (test/k8s-graders/*.yaml, the manifests a student applies) is applied, its pods awaited, and the
 * lab graded through the production ClusterProbe (ephemeral netshoot containers) — it must pass.
 * What the fake API server's simulated network stands for is checked here against a real CNI,
 * kube-proxy, CoreDNS and ingress-nginx.
 *
 * Opt-in: K8S_E2E_GRADERS=1 and KUBECONFIG (admin context) of a cluster whose CNI enforces
 * NetworkPolicies (kind with Calico, for example) and with ingress-nginx installed as Lab 4 says:
 *   helm upgrade --install ingress-nginx ingress-nginx --repo https://kubernetes.github.io/ingress-nginx \
 *     --namespace ingress-nginx --create-namespace --set controller.service.type=ClusterIP
 * The labs' namespaces are created and deleted; use a throwaway cluster (or a vcluster).
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { DEFAULT_STUDENT_CLUSTER_PROBE_OPTIONS, StudentClusterProbe } from '@kubecohort/environments';
import {
  CAPSTONE_GRADER,
  EGRESS_CONTROL_GRADER,
  gradeTask,
  LAB_1_GRADER,
  LAB_2_GRADER,
  LAB_3_GRADER,
  LAB_4_GRADER,
  PHASE_3_POLICIES_GRADER,
  PHASE_3_TRAFFIC_GRADER,
  PHASE_5_ZERO_TRUST_GRADER,
  SANDBOX_APP_GRADER,
  TROUBLESHOOTING_GRADERS,
  troubleshootApp,
  type GraderSpec,
  type KubeObject,
} from '@kubecohort/grading';
import { DEFAULT_KUBE_CLIENT_OPTIONS, KubeClients, type KubeClient } from '@kubecohort/kubernetes';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

const enabled = process.env.K8S_E2E_GRADERS === '1';
const suite = enabled ? describe : describe.skip;
const minutes = (n: number): number => n * 60_000;
/** Namespaces a lab may use but never owns. */
const SHARED = new Set(['default', 'kube-system', 'ingress-nginx']);

function fixture(name: string): KubeObject[] {
  const text = readFileSync(new URL(`../k8s-graders/${name}`, import.meta.url), 'utf8');
  return parseAllDocuments(text).map((document) => document.toJSON() as KubeObject);
}

interface RealLab {
  grader: GraderSpec;
  manifests: () => KubeObject[];
}

const LABS: RealLab[] = [
  { grader: SANDBOX_APP_GRADER, manifests: () => fixture('environment-sandbox-app.reference.yaml') },
  { grader: EGRESS_CONTROL_GRADER, manifests: () => fixture('concepts-egress-control.reference.yaml') },
  { grader: LAB_1_GRADER, manifests: () => fixture('lab-1.reference.yaml') },
  { grader: LAB_2_GRADER, manifests: () => fixture('lab-2.reference.yaml') },
  { grader: LAB_3_GRADER, manifests: () => fixture('lab-3.reference.yaml') },
  { grader: LAB_4_GRADER, manifests: () => fixture('lab-4.reference.yaml') },
  { grader: PHASE_3_TRAFFIC_GRADER, manifests: () => fixture('phase-3-traffic.reference.yaml') },
  {
    grader: PHASE_3_POLICIES_GRADER,
    manifests: () => [
      ...fixture('phase-3-traffic.reference.yaml'),
      ...fixture('phase-3-policies.reference.yaml'),
    ],
  },
  { grader: PHASE_5_ZERO_TRUST_GRADER, manifests: () => fixture('phase-5-zero-trust.reference.yaml') },
  { grader: CAPSTONE_GRADER, manifests: () => fixture('capstone.reference.yaml') },
  { grader: TROUBLESHOOTING_GRADERS[0]!, manifests: troubleshootApp },
];

function namespacesOf(objects: KubeObject[]): string[] {
  const names = objects.flatMap((object) =>
    object.kind === 'Namespace'
      ? [object.metadata.name]
      : object.metadata.namespace
        ? [object.metadata.namespace]
        : [],
  );
  return [...new Set(names)].filter((name) => !SHARED.has(name));
}

async function podsReady(kube: KubeClient, namespaces: string[]): Promise<void> {
  const deadline = Date.now() + minutes(5);
  for (;;) {
    const pods = (
      await Promise.all(
        namespaces.map((namespace) => kube.list({ apiVersion: 'v1', kind: 'Pod', namespace })),
      )
    ).flat();
    const ready = (pod: KubeObject): boolean =>
      (
        (pod.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []
      ).some((condition) => condition.type === 'Ready' && condition.status === 'True');
    if (pods.length > 0 && pods.every(ready)) return;
    if (Date.now() > deadline)
      throw new Error(
        `pods not ready: ${pods
          .filter((pod) => !ready(pod))
          .map((pod) => pod.metadata.name)
          .join(', ')}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

async function removeNamespaces(kube: KubeClient, namespaces: string[]): Promise<void> {
  for (const name of namespaces) {
    const ref = { apiVersion: 'v1', kind: 'Namespace', name };
    if ((await kube.delete(ref)) === 'deleted')
      await kube.waitFor(ref, (seen) => seen === null, { timeoutMs: minutes(5), recheckMs: 2000 });
  }
}

suite('Kubernetes-lab graders on a real cluster (K8S_E2E_GRADERS=1)', () => {
  const clients = new KubeClients(DEFAULT_KUBE_CLIENT_OPTIONS);
  const kube = (): KubeClient => {
    if (!process.env.KUBECONFIG) throw new Error('K8S_E2E_GRADERS=1 needs KUBECONFIG');
    return clients.connect(readFileSync(process.env.KUBECONFIG.split(':')[0]!, 'utf8'));
  };
  const owned = new Set<string>();

  afterAll(async () => {
    if (enabled) await removeNamespaces(kube(), [...owned]);
  }, minutes(10));

  it('has ingress-nginx installed as Lab 4 says', async () => {
    const controller = await kube().get({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 'ingress-nginx',
      name: 'ingress-nginx-controller',
    });
    expect(controller).not.toBeNull();
  });

  it.each(LABS.map((lab) => [lab.grader.taskId, lab] as const))(
    '%s: the reference solution passes',
    async (_, lab) => {
      const client = kube();
      const manifests = lab.manifests();
      const namespaces = namespacesOf(manifests);
      namespaces.forEach((name) => owned.add(name));
      // Namespaces first, as `kubectl apply -f` of the files would order them.
      for (const object of [...manifests].sort(
        (a, b) => Number(b.kind === 'Namespace') - Number(a.kind === 'Namespace'),
      ))
        await client.apply(object);
      await podsReady(client, namespaces);
      const probe = new StudentClusterProbe(client, {
        ...DEFAULT_STUDENT_CLUSTER_PROBE_OPTIONS,
        startTimeoutMs: minutes(2),
      });
      const result = await gradeTask(lab.grader, { cluster: probe });
      expect(
        result.checks.filter((check) => !check.passed).map((check) => [check.id, check.message]),
      ).toEqual([]);
      expect(result.status).toBe('passed');
      // Phase 3's policies grade the traffic task's namespace with policies on top: keep it until then.
      if (lab.grader !== PHASE_3_TRAFFIC_GRADER) {
        await removeNamespaces(client, namespaces);
        namespaces.forEach((name) => owned.delete(name));
      }
    },
    minutes(12),
  );
});
