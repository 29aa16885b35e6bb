import { ENCRYPTION_KEYS, SecretBox, type EncryptionKey } from '@kubecohort/auth';
import { Clock } from '@kubecohort/config';
import { KubernetesModule, type KubeClientOptions } from '@kubecohort/kubernetes';
import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { EnvironmentAdmin } from './environment.admin.js';
import { EnvironmentJobs } from './environment.jobs.js';
import { EnvironmentProvisioner } from './environment.provisioner.js';
import { EnvironmentReconciler } from './environment.reconciler.js';
import { EnvironmentRequests } from './environment.requests.js';
import { EnvironmentTeardown } from './environment.teardown.js';
import { EnvironmentTransitions } from './environment.transitions.js';
import { CohortEnvironments } from './cohort-environments.js';
import { CohortBudget } from './cohort.budget.js';
import { CohortProvisioning } from './cohort.provisioning.js';
import { EnvironmentActivity } from './environment.activity.js';
import { EnvironmentExpiry } from './environment.expiry.js';
import { EnvironmentIdleCheck } from './environment.idle.js';
import { EnvironmentLifecycle } from './environment.lifecycle.js';
import { EnvironmentPower } from './environment.power.js';
import { EnvironmentReset } from './environment.reset.js';
import {
  ACTIVITY_OPTIONS,
  BULK_OPTIONS,
  ENVIRONMENT_SIZING,
  EXPIRY_OPTIONS,
  EXPORT_OPTIONS,
  FORECAST_OPTIONS,
  IDLE_OPTIONS,
  POOL_OPTIONS,
  PROVISIONING_OPTIONS,
  RECONCILE_OPTIONS,
  type ActivityOptions,
  type BulkOptions,
  type EnvironmentCostSizing,
  type EnvironmentSizing,
  type ExpiryOptions,
  type ExportOptions,
  type ForecastOptions,
  type IdleOptions,
  type PoolOptions,
  type ProvisioningOptions,
  type ReconcileOptions,
} from './environments.options.js';
import { VclusterExporter } from './vcluster.exporter.js';
import { WarmPool } from './warm.pool.js';
import { HostClusterAdmin } from './host-cluster.admin.js';
import { HostClusterAllocator } from './host-cluster.allocator.js';
import { HostClusterRegistry } from './host-cluster.registry.js';
import { VclusterApiProbe } from './vcluster-api.probe.js';
import { WorkbenchAccess } from './workbench.access.js';

export interface EnvironmentsModuleOptions {
  encryptionKeys: readonly EncryptionKey[];
  sizing: EnvironmentCostSizing;
  kube: Partial<KubeClientOptions>;
  forecast: ForecastOptions;
}

export interface ApiEnvironmentsOptions extends EnvironmentsModuleOptions {
  activity: ActivityOptions;
}

export interface WorkerEnvironmentsOptions extends EnvironmentsModuleOptions {
  sizing: EnvironmentSizing;
  provisioning: ProvisioningOptions;
  exports: ExportOptions;
  idle: IdleOptions;
  bulk: BulkOptions;
  expiry: ExpiryOptions;
  reconcile: ReconcileOptions;
  pool: PoolOptions;
}

function shared(options: EnvironmentsModuleOptions): Provider[] {
  return [
    { provide: ENCRYPTION_KEYS, useValue: options.encryptionKeys },
    { provide: ENVIRONMENT_SIZING, useValue: options.sizing },
    { provide: FORECAST_OPTIONS, useValue: options.forecast },
    SecretBox,
    Clock,
    HostClusterRegistry,
    EnvironmentTransitions,
    EnvironmentJobs,
    HostClusterAllocator,
    CohortBudget,
  ];
}

/**
 * Per-student environments. Needs the global DatabaseModule, QueueModule and RealtimeModule; the
 * api variant also AuthModule (audit, cohort access).
 */
@Module({})
export class EnvironmentsModule {
  /** Requests, staff views and host cluster registration (the api). */
  static forApi(options: ApiEnvironmentsOptions): DynamicModule {
    const providers = [
      ...shared(options),
      { provide: ACTIVITY_OPTIONS, useValue: options.activity },
      HostClusterAdmin,
      EnvironmentRequests,
      EnvironmentAdmin,
      EnvironmentLifecycle,
      EnvironmentActivity,
      CohortEnvironments,
    ];
    return {
      module: EnvironmentsModule,
      imports: [KubernetesModule.forRoot(options.kube)],
      providers,
      exports: providers,
    };
  }

  /** Provisioning, teardown, sleep/wake/reset, idle checks, reconciliation and workbench access (the worker). */
  static forWorker(options: WorkerEnvironmentsOptions): DynamicModule {
    const providers = [
      ...shared(options),
      { provide: PROVISIONING_OPTIONS, useValue: options.provisioning },
      { provide: EXPORT_OPTIONS, useValue: options.exports },
      { provide: IDLE_OPTIONS, useValue: options.idle },
      { provide: BULK_OPTIONS, useValue: options.bulk },
      { provide: EXPIRY_OPTIONS, useValue: options.expiry },
      { provide: RECONCILE_OPTIONS, useValue: options.reconcile },
      { provide: POOL_OPTIONS, useValue: options.pool },
      VclusterApiProbe,
      EnvironmentProvisioner,
      EnvironmentTeardown,
      EnvironmentReconciler,
      WorkbenchAccess,
      EnvironmentPower,
      VclusterExporter,
      EnvironmentReset,
      EnvironmentIdleCheck,
      CohortProvisioning,
      EnvironmentExpiry,
      WarmPool,
    ];
    return {
      module: EnvironmentsModule,
      imports: [KubernetesModule.forRoot(options.kube)],
      providers,
      exports: providers,
    };
  }
}
