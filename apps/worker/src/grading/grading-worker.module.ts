import { AuditTrail, CohortAccess } from '@kubecohort/auth';
import { Clock } from '@kubecohort/config';
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
import {
  type DynamicModule,
  Global,
  Inject,
  Module,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { WorkerConfig } from '../worker.config.js';
import {
  EnvironmentGradingTargets,
  EnvironmentTransports,
  PendingEnvironmentTransports,
} from './environment-grading-targets.js';
import { GradeSubmissionProcessor } from './grade-submission.processor.js';
import { TestEnvironmentTransports, withTestGraders } from './test-environment.transports.js';

/** What the libs' use cases expect from the api's AuthModule, minus tokens: the worker has no JWT secret. */
@Global()
@Module({ providers: [AuditTrail, CohortAccess, Clock], exports: [AuditTrail, CohortAccess, Clock] })
class WorkerAuditModule {}

const SERVES_GRADING = Symbol('SERVES_GRADING');

/**
 * The worker's side of the grading pipeline: the grade-submission processor, and — when this
 * worker serves the grading queue — the outbox relay and the lost-job reconciler.
 *
 * Environment access: EnvironmentGradingTargets finds the student's environment row and asks
 * EnvironmentTransports for the ports. Production binds PendingEnvironmentTransports until
 * libs/environments exports a factory of workbench runners and cluster probes; tests and the
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
    return {
      module: GradingWorkerModule,
      imports: [WorkerAuditModule, SubmissionsModule],
      providers: [
        { provide: GRADING_PIPELINE_OPTIONS, useValue: options },
        { provide: GRADER_SPECS, useValue: test ? withTestGraders(GRADERS) : GRADERS },
        { provide: SERVES_GRADING, useValue: config.WORKER_QUEUES.includes('grading') },
        {
          provide: EnvironmentTransports,
          useClass: test ? TestEnvironmentTransports : PendingEnvironmentTransports,
        },
        { provide: GradingTargets, useClass: EnvironmentGradingTargets },
        GraderRegistry,
        GraderRuntime,
        HostClusterSlots,
        SubmissionGrader,
        OutboxRelay,
        SubmissionReconciler,
        GradeSubmissionProcessor,
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
