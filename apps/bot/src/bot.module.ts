import { HealthService, pinoParams } from '@kubecohort/observability';
import { QueueModule, RedisConnection } from '@kubecohort/queue';
import { type DynamicModule, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { BotConfig } from './bot.config.js';
import { DiscordClient } from './discord.client.js';

@Module({})
export class BotModule implements OnApplicationBootstrap {
  static forRoot(config: BotConfig): DynamicModule {
    return {
      module: BotModule,
      imports: [
        LoggerModule.forRoot(pinoParams({ app: 'bot', level: config.LOG_LEVEL })),
        QueueModule.forRoot({ url: config.REDIS_URL, prefix: config.REDIS_PREFIX }),
      ],
      providers: [{ provide: BotConfig, useValue: config }, HealthService, DiscordClient],
    };
  }

  constructor(
    private readonly health: HealthService,
    private readonly redis: RedisConnection,
    private readonly config: BotConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.health.register({ name: 'redis', check: () => this.redis.ping() });
    // The bot is a client of the API: it is ready only when the API answers.
    this.health.register({
      name: 'api',
      check: async () => {
        const response = await fetch(new URL('/healthz', this.config.API_URL), {
          signal: AbortSignal.timeout(1500),
        });
        if (!response.ok) throw new Error(`api answered ${response.status}`);
      },
    });
  }
}
