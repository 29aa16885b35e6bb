import { CredentialsJanitor } from '@kubecohort/auth';
import { Clock } from '@kubecohort/config';
import { DatabaseModule, PrismaService } from '@kubecohort/database';
import { HealthService, pinoParams } from '@kubecohort/observability';
import { QueueModule, RedisConnection } from '@kubecohort/queue';
import { RealtimeModule } from '@kubecohort/realtime';
import { type DynamicModule, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { EnvironmentsWorkerModule } from './environments/environments-worker.module.js';
import { GradingWorkerModule } from './grading/grading-worker.module.js';
import { PruneEventsProcessor } from './prune-events.processor.js';
import { PurgeExpiredCredentialsProcessor } from './purge-expired-credentials.processor.js';
import { WorkerConfig } from './worker.config.js';

@Module({})
export class WorkerModule implements OnApplicationBootstrap {
  static forRoot(config: WorkerConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        LoggerModule.forRoot(pinoParams({ app: 'worker', level: config.LOG_LEVEL })),
        DatabaseModule.forRoot({ url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX }),
        QueueModule.forRoot({ url: config.REDIS_URL, prefix: config.REDIS_PREFIX }),
        RealtimeModule,
        GradingWorkerModule.forRoot(config),
        EnvironmentsWorkerModule.forRoot(config),
      ],
      providers: [
        { provide: WorkerConfig, useValue: config },
        HealthService,
        Clock,
        CredentialsJanitor,
        PurgeExpiredCredentialsProcessor,
        PruneEventsProcessor,
      ],
    };
  }

  constructor(
    private readonly health: HealthService,
    private readonly prisma: PrismaService,
    private readonly redis: RedisConnection,
  ) {}

  onApplicationBootstrap(): void {
    this.health.register({ name: 'postgres', check: () => this.prisma.ping() });
    this.health.register({ name: 'redis', check: () => this.redis.ping() });
  }
}
