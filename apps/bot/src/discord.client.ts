import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Client, type ClientEvents, Events, GatewayIntentBits, Partials, type RESTOptions } from 'discord.js';
import { BotConfig } from './bot.config.js';

type Listener<E extends keyof ClientEvents> = (...args: ClientEvents[E]) => void;
type AnyListener = (...args: unknown[]) => void;

/** The discord.js connection, behind a class so handlers and tests never touch the gateway directly. */
@Injectable()
export class DiscordClient implements OnModuleDestroy {
  private readonly logger = new Logger(DiscordClient.name);
  private client?: Client;
  private readonly listeners: { event: keyof ClientEvents; listener: AnyListener }[] = [];

  constructor(private readonly config: BotConfig) {}

  get connected(): boolean {
    return this.client?.isReady() ?? false;
  }

  /** The logged-in client; throws while the bot is idle or still connecting. */
  ready(): Client<true> {
    if (!this.client?.isReady()) throw new Error('the Discord client is not connected');
    return this.client;
  }

  /** Registers a listener, attached now or at login (listeners are wired before `start`). */
  on<E extends keyof ClientEvents>(event: E, listener: Listener<E>): void {
    this.listeners.push({ event, listener: listener as AnyListener });
    this.client?.on(event, listener);
  }

  /** Logs in when a token is configured; returns false (and stays idle) otherwise. */
  async start(): Promise<boolean> {
    if (!this.config.DISCORD_TOKEN) {
      this.logger.warn('DISCORD_TOKEN is not set: the bot stays idle (health endpoints still answer)');
      return false;
    }
    const intents = this.config.DISCORD_INTENTS.map(
      (name) => GatewayIntentBits[name as keyof typeof GatewayIntentBits],
    );
    this.client = new Client({
      intents,
      // DM channels arrive uncached; threads may be too.
      partials: [Partials.Channel],
      rest: discordRestOptions(this.config),
    });
    for (const { event, listener } of this.listeners) this.client.on(event as string, listener);
    this.client.once(Events.ClientReady, (ready) =>
      this.logger.log(`connected to Discord as ${ready.user.tag} (${ready.guilds.cache.size} guilds)`),
    );
    this.client.on(Events.Error, (error) =>
      this.logger.error({ err: error.message }, 'Discord client error'),
    );
    try {
      await this.client.login(this.config.DISCORD_TOKEN);
    } catch (error) {
      const text = (error as Error).message;
      if (/disallowed intents/i.test(text))
        this.logger.error(
          `Discord refused the intents ${this.config.DISCORD_INTENTS.join(', ')}: enable MessageContent in the developer portal, or set DISCORD_INTENTS=Guilds to run without mirroring thread replies`,
        );
      throw error;
    }
    return true;
  }

  async onModuleDestroy(): Promise<void> {
    await this.client?.destroy();
  }
}

/**
 * discord.js REST settings: the API base (tests point it at a local fake) and Node's own fetch as
 * the transport. @discordjs/rest's default transport hands multipart bodies (attachments such as
 * the kubeconfig) to undici's process-wide dispatcher, which a newer undici loaded by another
 * package replaces with one that rejects them; fetch serialises the form itself.
 */
export function discordRestOptions(config: Pick<BotConfig, 'DISCORD_API_URL'>): Partial<RESTOptions> {
  return {
    ...(config.DISCORD_API_URL ? { api: config.DISCORD_API_URL } : {}),
    makeRequest: fetch as unknown as RESTOptions['makeRequest'],
  };
}
