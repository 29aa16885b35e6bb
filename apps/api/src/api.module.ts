import { DatabaseModule, PrismaService } from '@kubecohort/database';
import { HealthService, pinoParams } from '@kubecohort/observability';
import { QueueModule, RedisConnection } from '@kubecohort/queue';
import { type DynamicModule, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { ApiConfig } from './api.config.js';
import { HealthController } from './health.controller.js';

@Module({})
export class ApiModule implements OnApplicationBootstrap {
  static forRoot(config: ApiConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        LoggerModule.forRoot(pinoParams({ app: 'api', level: config.LOG_LEVEL })),
        DatabaseModule.forRoot({ url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX }),
        QueueModule.forRoot({ url: config.REDIS_URL, prefix: config.REDIS_PREFIX }),
      ],
      controllers: [HealthController],
      providers: [{ provide: ApiConfig, useValue: config }, HealthService],
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
