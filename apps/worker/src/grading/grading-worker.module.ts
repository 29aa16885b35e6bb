import { AuditTrail, CohortAccess, ENCRYPTION_KEYS, SecretBox } from '@kubecohort/auth';
import { Clock } from '@kubecohort/config';
import {
  DEFAULT_STUDENT_CLUSTER_PROBE_OPTIONS,
  HostClusterRegistry,
  type StudentClusterProbeOptions,
  throwawayEncryptionKeys,
  WorkbenchAccess,
} from '@kubecohort/environments';
import {
  GRADER_SPECS,
  GraderRegistry,
  GraderRuntime,
  GRADERS,
  GRADING_PIPELINE_OPTIONS,
  GradingTargets,
  type GradingPipelineOptions,
  HostClusterSlots,
  OutboxRelay,
  SubmissionGrader,
  SubmissionReconciler,
  SubmissionsModule,
} from '@kubecohort/grading';
import { KubernetesModule } from '@kubecohort/kubernetes';
import {
  type DynamicModule,
  Global,
  Inject,
  Module,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  type Provider,
} from '@nestjs/common';
import type { WorkerConfig } from '../worker.config.js';
import {
  EnvironmentGradingTargets,
  EnvironmentTransports,
  LiveEnvironmentTransports,
  NoEnvironmentTransports,
  PROBE_OPTIONS,
} from './environment-grading-targets.js';
import { GradeSubmissionProcessor } from './grade-submission.processor.js';
import { PrepareIncidentProcessor } from './prepare-incident.processor.js';
import { TestEnvironmentTransports, withTestGraders } from './test-environment.transports.js';

/** What the libs' use cases expect from the api's AuthModule, minus tokens: the worker has no JWT secret. */
@Global()
@Module({ providers: [AuditTrail, CohortAccess, Clock], exports: [AuditTrail, CohortAccess, Clock] })
class WorkerAuditModule {}

const SERVES_GRADING = Symbol('SERVES_GRADING');

/**
 * How this worker reaches students' environments: fakes under GRADING_TEST_GRADERS; otherwise
 * libs/environments' workbench exec transport through the host cluster's API, and StudentClusterProbe
 * on the student's vcluster (credentials decrypted with ENCRYPTION_KEYS, a throwaway key under
 * NODE_ENV=test, as for provisioning).
 */
function transports(
  config: WorkerConfig,
  test: boolean,
): { imports: DynamicModule[]; providers: Provider[] } {
  if (test)
    return {
      imports: [],
      providers: [{ provide: EnvironmentTransports, useClass: TestEnvironmentTransports }],
    };
  const keys = config.ENCRYPTION_KEYS ?? (config.NODE_ENV === 'test' ? throwawayEncryptionKeys() : undefined);
  if (!keys)
    return {
      imports: [],
      providers: [{ provide: EnvironmentTransports, useClass: NoEnvironmentTransports }],
    };
  return {
    imports: [
      KubernetesModule.forRoot({
        qps: config.KUBE_CLIENT_QPS,
        requestTimeoutMs: config.KUBE_REQUEST_TIMEOUT_MS,
        retryAttempts: config.KUBE_RETRY_ATTEMPTS,
      }),
    ],
    providers: [
      { provide: ENCRYPTION_KEYS, useValue: keys },
      SecretBox,
      HostClusterRegistry,
      WorkbenchAccess,
      {
        provide: PROBE_OPTIONS,
        useValue: {
          ...DEFAULT_STUDENT_CLUSTER_PROBE_OPTIONS,
          image: config.GRADING_PROBE_IMAGE,
          startTimeoutMs: config.GRADING_PROBE_START_TIMEOUT_MS,
        } satisfies StudentClusterProbeOptions,
      },
      { provide: EnvironmentTransports, useClass: LiveEnvironmentTransports },
    ],
  };
}

/**
 * The worker's side of the grading pipeline: the grade-submission processor, and — when this
 * worker serves the grading queue — the outbox relay and the lost-job reconciler.
 *
 * Environment access: EnvironmentGradingTargets takes the student's environment row (read by the
 * grading's claim) and asks EnvironmentTransports for the ports (see `transports`): the workbench and the student's vcluster
 * (ephemeral probe containers) through libs/environments. Tests and the
 * benchmark (GRADING_TEST_GRADERS=1, NODE_ENV=test only) bind fakes and a trivial grader.
 */
@Module({})
export class GradingWorkerModule implements OnApplicationBootstrap, OnModuleDestroy {
  static forRoot(config: WorkerConfig): DynamicModule {
    const options: GradingPipelineOptions = {
      databaseUrl: config.DATABASE_URL,
      concurrencyPerHostCluster: config.GRADING_CONCURRENCY_PER_HOST_CLUSTER,
      slotLeaseMs: config.GRADING_SLOT_LEASE_MS,
      slotRetryMs: config.GRADING_SLOT_RETRY_MS,
      maxAttempts: config.GRADING_MAX_ATTEMPTS,
      retryBaseMs: config.GRADING_RETRY_BASE_MS,
      relayPollMs: config.GRADING_RELAY_POLL_MS,
      reconcileIntervalMs: config.GRADING_RECONCILE_INTERVAL_MS,
      reconcileAfterMs: config.GRADING_RECONCILE_AFTER_MS,
    };
    const test = config.GRADING_TEST_GRADERS && config.NODE_ENV === 'test';
    const environment = transports(config, test);
    return {
      module: GradingWorkerModule,
      imports: [WorkerAuditModule, SubmissionsModule, ...environment.imports],
      providers: [
        { provide: GRADING_PIPELINE_OPTIONS, useValue: options },
        { provide: GRADER_SPECS, useValue: test ? withTestGraders(GRADERS) : GRADERS },
        { provide: SERVES_GRADING, useValue: config.WORKER_QUEUES.includes('grading') },
        ...environment.providers,
        { provide: GradingTargets, useClass: EnvironmentGradingTargets },
        GraderRegistry,
        GraderRuntime,
        HostClusterSlots,
        SubmissionGrader,
        OutboxRelay,
        SubmissionReconciler,
        GradeSubmissionProcessor,
        PrepareIncidentProcessor,
      ],
    };
  }

  constructor(
    @Inject(SERVES_GRADING) private readonly servesGrading: boolean,
    private readonly relay: OutboxRelay,
    private readonly reconciler: SubmissionReconciler,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.servesGrading) return;
    this.relay.start();
    this.reconciler.start();
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.relay.stop(), this.reconciler.stop()]);
  }
}
