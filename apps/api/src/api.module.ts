import { AuthGuard, AuthModule, RateLimitGuard } from '@kubecohort/auth';
import { DatabaseModule, PrismaService } from '@kubecohort/database';
import { HealthService, pinoParams } from '@kubecohort/observability';
import { QueueModule, RedisConnection } from '@kubecohort/queue';
import { RealtimeModule } from '@kubecohort/realtime';
import { type DynamicModule, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { ApiConfig } from './api.config.js';
import { AuthController } from './auth/auth.controller.js';
import { CohortsHttpModule } from './cohorts/cohorts-http.module.js';
import { HealthController } from './health.controller.js';
import { ErrorFilter } from './http/error.filter.js';
import { createValidationPipe } from './http/validation.js';
import { ProgressHttpModule } from './progress/progress-http.module.js';

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
      ],
      controllers: [HealthController, AuthController],
      providers: [
        { provide: ApiConfig, useValue: config },
        HealthService,
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
  ) {}

  onApplicationBootstrap(): void {
    this.health.register({ name: 'postgres', check: () => this.prisma.ping() });
    this.health.register({ name: 'redis', check: () => this.redis.ping() });
  }
}
