import { EnvironmentsModule, throwawayEncryptionKeys } from '@kubecohort/environments';
import { JobQueue } from '@kubecohort/queue';
import { type DynamicModule, Inject, Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';
import type { WorkerConfig } from '../worker.config.js';
import { ExpireEnvironmentProcessor } from './expire-environment.processor.js';
import { IdleCheckProcessor } from './idle-check.processor.js';
import { PoolRefillProcessor, RelabelEnvironmentProcessor } from './warm-pool.processor.js';
import { ProvisionCohortProcessor } from './provision-cohort.processor.js';
import { ProvisionEnvironmentProcessor } from './provision-environment.processor.js';
import { ReconcileEnvironmentsProcessor } from './reconcile-environments.processor.js';
import { ResetEnvironmentProcessor } from './reset-environment.processor.js';
import { SleepEnvironmentProcessor } from './sleep-environment.processor.js';
import { TeardownEnvironmentProcessor } from './teardown-environment.processor.js';
import { WakeEnvironmentProcessor } from './wake-environment.processor.js';

const RECONCILE = Symbol('ENVIRONMENTS_RECONCILE');

interface Schedules {
  reconcileEveryMs: number;
  /** null: idle environments are never put to sleep. */
  idle: { everyMs: number; idleAfterSeconds: number } | null;
  /** null: no warm pool. */
  poolEveryMs: number | null;
}

/**
 * The worker's side of environments: provisioning, teardown, sleep, wake, reset, the idle check
 * and the lost-job reconciler, on the provisioning queue. A worker that does not serve that queue gets none of it (and needs no
 * ENCRYPTION_KEYS).
 */
@Module({})
export class EnvironmentsWorkerModule implements OnApplicationBootstrap {
  private readonly logger = new Logger(EnvironmentsWorkerModule.name);

  static forRoot(config: WorkerConfig): DynamicModule {
    if (!config.WORKER_QUEUES.includes('provisioning')) {
      return { module: EnvironmentsWorkerModule, providers: [{ provide: RECONCILE, useValue: null }] };
    }
    const [repositoryNamespace, repositoryName] = config.VCLUSTER_HELM_REPOSITORY.split('/') as [
      string,
      string,
    ];
    return {
      module: EnvironmentsWorkerModule,
      imports: [
        EnvironmentsModule.forWorker({
          // Config validation requires the keys outside NODE_ENV=test.
          encryptionKeys: config.ENCRYPTION_KEYS ?? throwawayEncryptionKeys(),
          kube: {
            qps: config.KUBE_CLIENT_QPS,
            requestTimeoutMs: config.KUBE_REQUEST_TIMEOUT_MS,
            retryAttempts: config.KUBE_RETRY_ATTEMPTS,
          },
          sizing: {
            quotaCpuMillis: config.ENV_QUOTA_CPU_MILLIS,
            quotaMemoryMib: config.ENV_QUOTA_MEMORY_MIB,
            quotaPods: config.ENV_QUOTA_PODS,
            quotaStorageGib: config.ENV_QUOTA_STORAGE_GIB,
            defaultCpuMillis: config.ENV_LIMIT_DEFAULT_CPU_MILLIS,
            defaultMemoryMib: config.ENV_LIMIT_DEFAULT_MEMORY_MIB,
            workbenchCpuMillis: config.WORKBENCH_CPU_MILLIS,
            workbenchMemoryMib: config.WORKBENCH_MEMORY_MIB,
          },
          provisioning: {
            address: {
              mode: config.ENV_ADDRESS_MODE,
              nodeAddress: config.ENV_NODE_ADDRESS,
              passthroughDomain: config.ENV_PASSTHROUGH_DOMAIN,
              ingressClass: config.ENV_INGRESS_CLASS,
            },
            vcluster: {
              chartVersion: config.VCLUSTER_CHART_VERSION,
              helmRepository: { namespace: repositoryNamespace, name: repositoryName },
              valuesFile: config.VCLUSTER_VALUES_FILE,
              probe: config.VCLUSTER_PROBE,
            },
            workbench: { image: config.WORKBENCH_IMAGE, runtimeClass: config.WORKBENCH_RUNTIME_CLASS },
            egress: { cidrs: config.ENV_EGRESS_CIDRS, exceptCidrs: config.ENV_EGRESS_EXCEPT_CIDRS },
            timing: {
              stepTimeoutMs: config.ENV_STEP_TIMEOUT_SECONDS * 1000,
              recheckMs: config.ENV_RECHECK_INTERVAL_MS,
            },
          },
          exports: { retentionHours: config.ENV_EXPORT_RETENTION_HOURS },
          idle: { ignoredResources: config.ENV_IDLE_IGNORED_RESOURCES },
          bulk: { concurrency: config.ENV_BULK_CONCURRENCY, recheckMs: config.ENV_RECHECK_INTERVAL_MS },
          forecast: {
            awakeHoursPerDay: config.ENV_FORECAST_AWAKE_HOURS_PER_DAY,
            studentCap: {
              cpuHours: config.ENV_STUDENT_CAP_CPU_HOURS ?? null,
              memoryGibHours: config.ENV_STUDENT_CAP_MEMORY_GIB_HOURS ?? null,
            },
          },
          expiry: { cohortEndGraceHours: config.ENV_COHORT_END_GRACE_HOURS },
          pool: { min: config.ENV_POOL_MIN, max: config.ENV_POOL_MAX, leadHours: config.ENV_POOL_LEAD_HOURS },
          reconcile: {
            stuckAfterSeconds: config.ENV_STUCK_AFTER_SECONDS,
            orphanGraceSeconds: config.ENV_ORPHAN_GRACE_SECONDS,
          },
        }),
      ],
      providers: [
        {
          provide: RECONCILE,
          useValue: {
            reconcileEveryMs: config.ENV_RECONCILE_INTERVAL_SECONDS * 1000,
            idle:
              config.ENV_IDLE_AFTER_SECONDS > 0
                ? {
                    everyMs: config.ENV_IDLE_CHECK_INTERVAL_SECONDS * 1000,
                    idleAfterSeconds: config.ENV_IDLE_AFTER_SECONDS,
                  }
                : null,
            poolEveryMs: config.ENV_POOL_MAX > 0 ? config.ENV_POOL_REFILL_INTERVAL_SECONDS * 1000 : null,
          } satisfies Schedules,
        },
        ProvisionEnvironmentProcessor,
        TeardownEnvironmentProcessor,
        ReconcileEnvironmentsProcessor,
        SleepEnvironmentProcessor,
        WakeEnvironmentProcessor,
        ResetEnvironmentProcessor,
        IdleCheckProcessor,
        ProvisionCohortProcessor,
        ExpireEnvironmentProcessor,
        PoolRefillProcessor,
        RelabelEnvironmentProcessor,
      ],
      exports: [EnvironmentsModule],
    };
  }

  constructor(
    private readonly jobs: JobQueue,
    @Inject(RECONCILE) private readonly schedules: Schedules | null,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.schedules) return;
    const { reconcileEveryMs, idle, poolEveryMs } = this.schedules;
    // Environments stuck on their way up or down get their job back within one interval.
    await this.jobs.repeat(
      'environments.reconcile',
      { staleAfterSeconds: Math.max(30, Math.round(reconcileEveryMs / 1000)) },
      reconcileEveryMs,
    );
    this.logger.log(`environment reconciler every ${reconcileEveryMs / 1000}s`);
    if (idle) {
      await this.jobs.repeat(
        'environments.idle-check',
        { idleAfterSeconds: idle.idleAfterSeconds },
        idle.everyMs,
      );
      this.logger.log(
        `idle check every ${idle.everyMs / 1000}s (sleep after ${idle.idleAfterSeconds}s idle)`,
      );
    } else {
      // Turned off: a schedule left by an earlier configuration must not keep running.
      await this.jobs.queue('provisioning').removeJobScheduler('environments.idle-check');
    }
    if (poolEveryMs) {
      await this.jobs.repeat('environments.pool-refill', {}, poolEveryMs);
      this.logger.log(`warm pool refilled every ${poolEveryMs / 1000}s`);
    } else {
      await this.jobs.queue('provisioning').removeJobScheduler('environments.pool-refill');
    }
  }
}
