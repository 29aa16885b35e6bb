/** How big one environment is: its namespace quota plus its workbench. The api and worker must agree. */
export interface EnvironmentSizing {
  /** ResourceQuota of the vcluster namespace (requests and limits). */
  quotaCpuMillis: number;
  quotaMemoryMib: number;
  quotaPods: number;
  quotaStorageGib: number;
  /** LimitRange defaults for containers that set no resources. */
  defaultCpuMillis: number;
  defaultMemoryMib: number;
  workbenchCpuMillis: number;
  workbenchMemoryMib: number;
}

export type AddressMode = 'nodeport' | 'loadbalancer' | 'passthrough';

/** How students reach their vcluster's API server. */
export interface AddressOptions {
  mode: AddressMode;
  /** nodeport: the node address students can reach (IP or DNS name). */
  nodeAddress?: string;
  /** passthrough: students reach https://<namespace>.<domain> through a TLS-passthrough ingress. */
  passthroughDomain?: string;
  /** passthrough: the ingress class of the TLS-passthrough controller. */
  ingressClass: string;
}

export type ProbeMode = 'direct' | 'service-proxy';

/** Everything only the worker (which provisions) needs. */
export interface ProvisioningOptions {
  address: AddressOptions;
  vcluster: {
    chartVersion: string;
    /** The Flux HelmRepository serving the loft-sh charts. */
    helmRepository: { namespace: string; name: string };
    /** Path of the versioned values template (deploy/vcluster/vcluster.yaml). */
    valuesFile: string;
    /**
     * How "the vcluster API answers" is proved: `direct` calls it at the address students use with
     * their kubeconfig (production, the kind e2e suite); `service-proxy` goes through the host API
     * server's service proxy (the fake API server in tests, or when the worker cannot reach that address).
     */
    probe: ProbeMode;
  };
  workbench: {
    image: string;
    /** RuntimeClass for the privileged-ish workbench pod (a VM-isolated runtime such as Kata is recommended). */
    runtimeClass?: string;
  };
  /** Egress allowed to student workloads besides their own namespace and DNS. */
  egress: { cidrs: string[]; exceptCidrs: string[] };
  timing: {
    /** One provisioning or teardown step gives up after this long (the job then retries). */
    stepTimeoutMs: number;
    /** Waits re-read objects (and the environment's state) at least this often. */
    recheckMs: number;
  };
}

export const ENVIRONMENT_SIZING = Symbol('ENVIRONMENT_SIZING');
export const PROVISIONING_OPTIONS = Symbol('PROVISIONING_OPTIONS');

/** What the api needs to count an environment against host cluster capacity. */
export type EnvironmentCostSizing = Pick<
  EnvironmentSizing,
  'quotaCpuMillis' | 'quotaMemoryMib' | 'workbenchCpuMillis' | 'workbenchMemoryMib'
>;

export function environmentCost(sizing: EnvironmentCostSizing): { cpuMillis: number; memoryMib: number } {
  return {
    cpuMillis: sizing.quotaCpuMillis + sizing.workbenchCpuMillis,
    memoryMib: sizing.quotaMemoryMib + sizing.workbenchMemoryMib,
  };
}

/** Exports of a student's objects (before a reset): how long they stay downloadable. */
export interface ExportOptions {
  retentionHours: number;
}

export const EXPORT_OPTIONS = Symbol('EXPORT_OPTIONS');

/** Idle detection (the worker's repeatable idle check). */
export interface IdleOptions {
  /** Series of apiserver_request_total whose resource is one of these are the vcluster's own chatter. */
  ignoredResources: readonly string[];
}

export const IDLE_OPTIONS = Symbol('IDLE_OPTIONS');

/** Platform activity recording (the api). */
export interface ActivityOptions {
  /** At most one write of a student's lastActivityAt per this many seconds. */
  throttleSeconds: number;
}

export const ACTIVITY_OPTIONS = Symbol('ACTIVITY_OPTIONS');

/** Cost forecasts and budget projections. */
export interface ForecastOptions {
  /** Hours per day an environment is expected to run (idle ones sleep the rest of the day). */
  awakeHoursPerDay: number;
  /** What one student's environments may run in a cohort (null: no cap). */
  studentCap: { cpuHours: number | null; memoryGibHours: number | null };
}

export const FORECAST_OPTIONS = Symbol('FORECAST_OPTIONS');

/** Cohort-wide provisioning (the worker). */
export interface BulkOptions {
  /** Environments of one operation on their way up at once. */
  concurrency: number;
  /** How often the operation looks at its environments again. */
  recheckMs: number;
}

export const BULK_OPTIONS = Symbol('BULK_OPTIONS');

/** When environments are torn down because their time is up (the worker's reconciler). */
export interface ExpiryOptions {
  /** Environments of a cohort stay this long after the cohort's end date. */
  cohortEndGraceHours: number;
}

export const EXPIRY_OPTIONS = Symbol('EXPIRY_OPTIONS');

/** The reconciler's cluster-side checks. */
export interface ReconcileOptions {
  /** An environment provisioning, waking or deleting longer than this is marked failed. */
  stuckAfterSeconds: number;
  /** A namespace of ours with no environment is deleted once it is at least this old. */
  orphanGraceSeconds: number;
}

export const RECONCILE_OPTIONS = Symbol('RECONCILE_OPTIONS');

/** The warm pool (the worker refills it; 0 as maximum turns it off). */
export interface PoolOptions {
  min: number;
  max: number;
  /** Cohorts starting within this many hours count towards the pool's size. */
  leadHours: number;
}

export const POOL_OPTIONS = Symbol('POOL_OPTIONS');
