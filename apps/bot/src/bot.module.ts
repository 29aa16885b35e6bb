import { HealthService, pinoParams } from '@kubecohort/observability';
import { QueueModule, RedisConnection } from '@kubecohort/queue';
import { type DynamicModule, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { ApiClient } from './api/api.client.js';
import { BotConfig } from './bot.config.js';
import { CohortDirectory } from './cohort.directory.js';
import { CommandRouter } from './commands/command.router.js';
import { AutocompleteHandler } from './commands/handlers/autocomplete.handler.js';
import { EnvHandler } from './commands/handlers/env.handler.js';
import { JoinHandler } from './commands/handlers/join.handler.js';
import { LabHandler } from './commands/handlers/lab.handler.js';
import { ProgressHandler } from './commands/handlers/progress.handler.js';
import { QaHandler } from './commands/handlers/qa.handler.js';
import { StaffHandler } from './commands/handlers/staff.handler.js';
import { DiscordActions } from './discord/discord.actions.js';
import { DiscordListener } from './discord/discord.listener.js';
import { DiscordClient } from './discord.client.js';
import { BotEventStream } from './notifications/bot-event.stream.js';
import { EventNotifier } from './notifications/event.notifier.js';
import { NotificationStore } from './notifications/notification.store.js';
import { SubmissionWaiter } from './notifications/submission.waiter.js';
import { Sleeper } from './sleeper.js';

const handlers = [
  JoinHandler,
  LabHandler,
  EnvHandler,
  ProgressHandler,
  QaHandler,
  StaffHandler,
  AutocompleteHandler,
];

@Module({})
export class BotModule implements OnApplicationBootstrap {
  static forRoot(config: BotConfig): DynamicModule {
    return {
      module: BotModule,
      imports: [
        LoggerModule.forRoot(pinoParams({ app: 'bot', level: config.LOG_LEVEL })),
        QueueModule.forRoot({ url: config.REDIS_URL, prefix: config.REDIS_PREFIX }),
      ],
      providers: [
        { provide: BotConfig, useValue: config },
        HealthService,
        DiscordClient,
        DiscordActions,
        DiscordListener,
        ApiClient,
        CohortDirectory,
        CommandRouter,
        ...handlers,
        BotEventStream,
        NotificationStore,
        SubmissionWaiter,
        EventNotifier,
        Sleeper,
      ],
    };
  }

  constructor(
    private readonly health: HealthService,
    private readonly redis: RedisConnection,
    private readonly config: BotConfig,
    private readonly discord: DiscordClient,
  ) {}

  onApplicationBootstrap(): void {
    this.health.register({ name: 'redis', check: () => this.redis.ping() });
    if (this.config.DISCORD_TOKEN)
      this.health.register({
        name: 'discord',
        check: () =>
          this.discord.connected ? Promise.resolve() : Promise.reject(new Error('not connected to Discord')),
      });
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
