/** Labels on everything kubecohort creates for an environment (ids only: no personal data). */
export const LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  environment: 'kubecohort.dev/environment',
  cohort: 'kubecohort.dev/cohort',
  student: 'kubecohort.dev/student',
  role: 'kubecohort.dev/role',
} as const;

export const MANAGED_BY = 'kubecohort';
/** The Helm release (and StatefulSet, Service) of the vcluster inside its namespace. */
export const VCLUSTER_RELEASE = 'vcluster';
export const WORKBENCH_NAME = 'workbench';
/** The StatefulSet's one pod. */
export const WORKBENCH_POD = 'workbench-0';
export const WORKBENCH_CONTAINER = 'workbench';

export interface EnvironmentNames {
  namespace: string;
  workbenchNamespace: string;
  release: string;
  /** Secret the vcluster writes its kubeconfig into. */
  kubeconfigSecret: string;
}

/**
 * Names derive from the environment id alone, so every retry, every worker and every restart
 * computes the same ones: a step repeated after a crash finds its own objects instead of
 * creating a second namespace.
 */
export function environmentNames(environmentId: string): EnvironmentNames {
  const compact = environmentId.toLowerCase().replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/.test(compact)) throw new Error(`not an environment id: ${environmentId}`);
  return {
    namespace: `kc-${compact}`,
    workbenchNamespace: `kc-${compact}-wb`,
    release: VCLUSTER_RELEASE,
    kubeconfigSecret: `vc-${VCLUSTER_RELEASE}`,
  };
}

export interface EnvironmentIdentity {
  id: string;
  cohortId: string | null;
  userId: string | null;
}

export function environmentLabels(
  env: EnvironmentIdentity,
  role: 'vcluster' | 'workbench',
): Record<string, string> {
  return {
    [LABELS.managedBy]: MANAGED_BY,
    [LABELS.environment]: env.id,
    ...(env.cohortId ? { [LABELS.cohort]: env.cohortId } : {}),
    ...(env.userId ? { [LABELS.student]: env.userId } : {}),
    [LABELS.role]: role,
  };
}
