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
import {
  ENVIRONMENT_SIZING,
  PROVISIONING_OPTIONS,
  type EnvironmentCostSizing,
  type EnvironmentSizing,
  type ProvisioningOptions,
} from './environments.options.js';
import { HostClusterAdmin } from './host-cluster.admin.js';
import { HostClusterAllocator } from './host-cluster.allocator.js';
import { HostClusterRegistry } from './host-cluster.registry.js';
import { VclusterApiProbe } from './vcluster-api.probe.js';
import { WorkbenchAccess } from './workbench.access.js';

export interface EnvironmentsModuleOptions {
  encryptionKeys: readonly EncryptionKey[];
  sizing: EnvironmentCostSizing;
  kube: Partial<KubeClientOptions>;
}

export interface WorkerEnvironmentsOptions extends EnvironmentsModuleOptions {
  sizing: EnvironmentSizing;
  provisioning: ProvisioningOptions;
}

function shared(options: EnvironmentsModuleOptions): Provider[] {
  return [
    { provide: ENCRYPTION_KEYS, useValue: options.encryptionKeys },
    { provide: ENVIRONMENT_SIZING, useValue: options.sizing },
    SecretBox,
    Clock,
    HostClusterRegistry,
    EnvironmentTransitions,
    EnvironmentJobs,
  ];
}

/**
 * Per-student environments. Needs the global DatabaseModule, QueueModule and RealtimeModule; the
 * api variant also AuthModule (audit, cohort access).
 */
@Module({})
export class EnvironmentsModule {
  /** Requests, staff views and host cluster registration (the api). */
  static forApi(options: EnvironmentsModuleOptions): DynamicModule {
    const providers = [
      ...shared(options),
      HostClusterAllocator,
      HostClusterAdmin,
      EnvironmentRequests,
      EnvironmentAdmin,
    ];
    return {
      module: EnvironmentsModule,
      imports: [KubernetesModule.forRoot(options.kube)],
      providers,
      exports: providers,
    };
  }

  /** Provisioning, teardown, reconciliation and workbench access (the worker). */
  static forWorker(options: WorkerEnvironmentsOptions): DynamicModule {
    const providers = [
      ...shared(options),
      { provide: PROVISIONING_OPTIONS, useValue: options.provisioning },
      VclusterApiProbe,
      EnvironmentProvisioner,
      EnvironmentTeardown,
      EnvironmentReconciler,
      WorkbenchAccess,
    ];
    return {
      module: EnvironmentsModule,
      imports: [KubernetesModule.forRoot(options.kube)],
      providers,
      exports: providers,
    };
  }
}
