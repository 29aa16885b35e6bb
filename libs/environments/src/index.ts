export {
  CohortBudget,
  hourlyCost,
  runHours,
  type CohortSchedule,
  type ResourceHours,
} from './cohort.budget.js';
export {
  CohortEnvironments,
  operationView,
  type CostForecastView,
  type EnvironmentOperationView,
} from './cohort-environments.js';
export { CohortProvisioning, type CohortProvisioningOutcome } from './cohort.provisioning.js';
export { EnvironmentExpiry, expiredWhere, type ExpiryOutcome } from './environment.expiry.js';
export { createEnvironmentRow, type NewEnvironment } from './environment.factory.js';
export { EnvironmentAdmin, type CohortEnvironmentQuery } from './environment.admin.js';
export { EnvironmentActivity } from './environment.activity.js';
export { EnvironmentIdleCheck, requestTotal, type IdleCheckResult } from './environment.idle.js';
export {
  EnvironmentJobs,
  expiryJobId,
  provisionCohortJobId,
  provisionJobId,
  relabelJobId,
  resetJobId,
  sleepJobId,
  teardownJobId,
  wakeJobId,
} from './environment.jobs.js';
export { EnvironmentLifecycle } from './environment.lifecycle.js';
export { EnvironmentPower, scaledTo, SleepStillRunning, type PowerOutcome } from './environment.power.js';
export { EnvironmentReset, RESET_REASON, type ResetOutcome } from './environment.reset.js';
export {
  EnvironmentManifests,
  HELM_RELEASE_API,
  studentServerUrl,
  VALUES_VERSION_ANNOTATION,
  VCLUSTER_MANAGED_BY,
} from './environment.manifests.js';
export {
  environmentLabels,
  environmentNames,
  LABELS as ENVIRONMENT_LABELS,
  VCLUSTER_RELEASE,
  WORKBENCH_CONTAINER,
  WORKBENCH_NAME,
  WORKBENCH_POD,
  type EnvironmentNames,
} from './environment-names.js';
export { environmentPageSize, MAX_ENVIRONMENT_PAGE, readCursor } from './environment.paging.js';
export {
  EnvironmentProvisioner,
  releaseState,
  statefulSetReady,
  type ProvisionOutcome,
} from './environment.provisioner.js';
export { EnvironmentReconciler, type ReconcileResult } from './environment.reconciler.js';
export { EnvironmentRequests, readyKubeconfig } from './environment.requests.js';
export { canTransition, isLive, LIVE_STATES, sourcesOf } from './environment-states.js';
export {
  EnvironmentTeardown,
  ProvisioningStillRunning,
  type TeardownOutcome,
} from './environment.teardown.js';
export { BILLABLE_STATES, EnvironmentTransitions } from './environment.transitions.js';
export type * from './environment.views.js';
export {
  EnvironmentsModule,
  type ApiEnvironmentsOptions,
  type EnvironmentsModuleOptions,
  type WorkerEnvironmentsOptions,
} from './environments.module.js';
export {
  ACTIVITY_OPTIONS,
  BULK_OPTIONS,
  environmentCost,
  ENVIRONMENT_SIZING,
  EXPIRY_OPTIONS,
  EXPORT_OPTIONS,
  FORECAST_OPTIONS,
  IDLE_OPTIONS,
  POOL_OPTIONS,
  PROVISIONING_OPTIONS,
  RECONCILE_OPTIONS,
  type ActivityOptions,
  type AddressMode,
  type BulkOptions,
  type AddressOptions,
  type EnvironmentCostSizing,
  type EnvironmentSizing,
  type ExpiryOptions,
  type ExportOptions,
  type ForecastOptions,
  type IdleOptions,
  type PoolOptions,
  type ProbeMode,
  type ProvisioningOptions,
  type ReconcileOptions,
} from './environments.options.js';
export { ENCRYPTION_KEYS_FORMAT, parseEncryptionKeys, throwawayEncryptionKeys } from './encryption-keys.js';
export { HostClusterAdmin } from './host-cluster.admin.js';
export { HostClusterAllocator } from './host-cluster.allocator.js';
export { HostClusterRegistry, type HostClusterInput } from './host-cluster.registry.js';
export { failureReason, isPermanent, ProvisioningFailed } from './provisioning.errors.js';
export { EXPORTED_KINDS, VclusterExporter, type ExportBundle } from './vcluster.exporter.js';
export { claimPooled, WarmPool, type PoolRefillResult } from './warm.pool.js';
export { VclusterApiProbe, type ProbeResult, type ProbeTarget } from './vcluster-api.probe.js';
export {
  VclusterValuesTemplate,
  ValuesTemplateError,
  type VclusterValuesVariables,
} from './vcluster-values.template.js';
export { WorkbenchAccess } from './workbench.access.js';
export {
  DEFAULT_STUDENT_CLUSTER_PROBE_OPTIONS,
  PROBE_CONTAINER_PREFIX,
  probeCommand,
  probeOutcome,
  StudentClusterProbe,
  type StudentClusterProbeOptions,
} from './student-cluster.probe.js';
