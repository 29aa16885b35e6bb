import {
  TROUBLESHOOT_NAMESPACE,
  troubleshootingManifests,
  type TroubleshootingFaultId,
} from '@kubecohort/grading';
import type { KubeClient } from '@kubecohort/kubernetes';

/** How long the old namespace may take to go away (its pods terminating) before the job is retried. */
const NAMESPACE_GONE_TIMEOUT_MS = 120_000;

/**
 * Deploys a troubleshooting incident into a student's vcluster: namespace troubleshoot is deleted
 * (whatever the student left there) and waited for, then the app is applied with the student's fault
 * for the incident. Server-side apply, so a retry after a partial deploy converges.
 */
export async function deployIncident(
  kube: Pick<KubeClient, 'apply' | 'delete' | 'waitFor'>,
  studentId: string,
  incident: number,
  options: { goneTimeoutMs?: number; recheckMs?: number; signal?: AbortSignal } = {},
): Promise<TroubleshootingFaultId> {
  const namespace = { apiVersion: 'v1', kind: 'Namespace', name: TROUBLESHOOT_NAMESPACE };
  if ((await kube.delete(namespace)) === 'deleted') {
    await kube.waitFor(namespace, (seen) => seen === null, {
      timeoutMs: options.goneTimeoutMs ?? NAMESPACE_GONE_TIMEOUT_MS,
      recheckMs: options.recheckMs ?? 1000,
      signal: options.signal,
    });
  }
  const { fault, objects } = troubleshootingManifests(studentId, incident);
  for (const object of objects) await kube.apply(object, { force: true });
  return fault;
}
