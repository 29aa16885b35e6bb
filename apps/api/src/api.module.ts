import { AuthGuard, AuthModule, RateLimitGuard } from '@kubecohort/auth';
import { DatabaseModule, PrismaService } from '@kubecohort/database';
import { HealthService, Metrics, pinoParams } from '@kubecohort/observability';
import { JobQueue, QUEUE_NAMES, QueueModule, RedisConnection } from '@kubecohort/queue';
import { RealtimeModule } from '@kubecohort/realtime';
import { type DynamicModule, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { ApiConfig } from './api.config.js';
import { AuditHttpModule } from './audit/audit-http.module.js';
import { AuthController } from './auth/auth.controller.js';
import { BotHttpModule } from './bot/bot-http.module.js';
import { CohortsHttpModule } from './cohorts/cohorts-http.module.js';
import { EnvironmentsHttpModule } from './environments/environments-http.module.js';
import { HealthController } from './health.controller.js';
import { LiveModule } from './live/live.module.js';
import { MetricsController } from './metrics.controller.js';
import { ErrorFilter } from './http/error.filter.js';
import { createValidationPipe } from './http/validation.js';
import { ProgressHttpModule } from './progress/progress-http.module.js';
import { QaHttpModule } from './qa/qa-http.module.js';
import { SubmissionsHttpModule } from './submissions/submissions-http.module.js';

@Module({})
export class ApiModule implements OnApplicationBootstrap {
  static forRoot(config: ApiConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        LoggerModule.forRoot(pinoParams({ app: 'api', level: config.LOG_LEVEL })),
        DatabaseModule.forRoot({ url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX }),
        QueueModule.forRoot({ url: config.REDIS_URL, prefix: config.REDIS_PREFIX }),
        AuthModule.forRoot({
          jwtSecret: config.JWT_SECRET,
          accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
          refreshTokenTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
          issuer: 'kubecohort',
        }),
        RealtimeModule,
        CohortsHttpModule,
        ProgressHttpModule,
        QaHttpModule,
        BotHttpModule,
        AuditHttpModule,
        SubmissionsHttpModule.forRoot(config),
        EnvironmentsHttpModule.forRoot(config),
        LiveModule.forRoot(config),
      ],
      controllers: [HealthController, MetricsController, AuthController],
      providers: [
        { provide: ApiConfig, useValue: config },
        HealthService,
        Metrics,
        // Order matters: authenticate first, then count the caller against rate limits.
        { provide: APP_GUARD, useExisting: AuthGuard },
        { provide: APP_GUARD, useExisting: RateLimitGuard },
        { provide: APP_FILTER, useClass: ErrorFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
      exports: [ApiConfig],
    };
  }

  constructor(
    private readonly health: HealthService,
    private readonly prisma: PrismaService,
    private readonly redis: RedisConnection,
    private readonly metrics: Metrics,
    private readonly jobs: JobQueue,
  ) {}

  onApplicationBootstrap(): void {
    this.health.register({ name: 'postgres', check: () => this.prisma.ping() });
    this.health.register({ name: 'redis', check: () => this.redis.ping() });
    this.metrics.gauge(
      'kubecohort_db_pool_connections',
      'PostgreSQL pool connections by state',
      ['state'],
      (gauge) => {
        const stats = this.prisma.poolStats();
        gauge.set({ state: 'total' }, stats.total);
        gauge.set({ state: 'idle' }, stats.idle);
        gauge.set({ state: 'waiting' }, stats.waiting);
        gauge.set({ state: 'max' }, stats.max);
      },
    );
    this.metrics.gauge(
      'kubecohort_queue_jobs',
      'BullMQ jobs by queue and state',
      ['queue', 'state'],
      async (gauge) => {
        for (const name of QUEUE_NAMES) {
          const counts = await this.jobs.queue(name).getJobCounts('waiting', 'active', 'delayed', 'failed');
          for (const [state, count] of Object.entries(counts)) gauge.set({ queue: name, state }, count);
        }
      },
    );
  }
}
