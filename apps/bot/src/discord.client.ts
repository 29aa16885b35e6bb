import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Client, Events, GatewayIntentBits } from 'discord.js';
import { BotConfig } from './bot.config.js';

/** The discord.js connection, behind a class so handlers and tests never touch the gateway directly. */
@Injectable()
export class DiscordClient implements OnModuleDestroy {
  private readonly logger = new Logger(DiscordClient.name);
  private client?: Client;

  constructor(private readonly config: BotConfig) {}

  get connected(): boolean {
    return this.client?.isReady() ?? false;
  }

  /** Logs in when a token is configured; returns false (and stays idle) otherwise. */
  async start(): Promise<boolean> {
    if (!this.config.DISCORD_TOKEN) {
      this.logger.warn('DISCORD_TOKEN is not set: the bot stays idle (health endpoints still answer)');
      return false;
    }
    this.client = new Client({
      intents: [GatewayIntentBits.Guilds],
      rest: this.config.DISCORD_API_URL ? { api: this.config.DISCORD_API_URL } : {},
    });
    this.client.once(Events.ClientReady, (ready) =>
      this.logger.log(`connected to Discord as ${ready.user.tag}`),
    );
    await this.client.login(this.config.DISCORD_TOKEN);
    return true;
  }

  async onModuleDestroy(): Promise<void> {
    await this.client?.destroy();
  }
}
