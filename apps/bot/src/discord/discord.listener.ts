import { Injectable, Logger } from '@nestjs/common';
import { Events } from 'discord.js';
import { BotConfig } from '../bot.config.js';
import { CommandRouter } from '../commands/command.router.js';
import { QaHandler } from '../commands/handlers/qa.handler.js';
import { DiscordClient } from '../discord.client.js';
import { BotEventStream } from '../notifications/bot-event.stream.js';
import { EventNotifier } from '../notifications/event.notifier.js';
import { autocompleteContext, InteractionContext, threadMessage } from './interaction.adapter.js';

/** Wires Discord's events to our edges: slash commands, autocomplete, thread replies, readiness. */
@Injectable()
export class DiscordListener {
  private readonly logger = new Logger(DiscordListener.name);

  constructor(
    private readonly discord: DiscordClient,
    private readonly router: CommandRouter,
    private readonly qa: QaHandler,
    private readonly stream: BotEventStream,
    private readonly notifier: EventNotifier,
    private readonly config: BotConfig,
  ) {}

  /** Attaches the listeners (before login) and logs in; false when idle without a token. */
  async start(): Promise<boolean> {
    this.discord.on(Events.InteractionCreate, (interaction) => {
      if (interaction.isChatInputCommand()) void this.router.dispatch(new InteractionContext(interaction));
      else if (interaction.isAutocomplete()) void this.router.complete(autocompleteContext(interaction));
    });
    this.discord.on(Events.MessageCreate, (message) => {
      const reply = threadMessage(message);
      if (!reply) return;
      this.qa
        .mirror(reply)
        .catch((error: unknown) =>
          this.logger.warn({ err: (error as Error).message }, 'mirroring a thread reply failed'),
        );
    });
    this.discord.on(Events.ClientReady, (client) => {
      if (!this.config.BOT_NOTIFICATIONS) return;
      this.notifier
        .start(client.guilds.cache.keys())
        .catch((error: unknown) =>
          this.logger.error({ err: (error as Error).message }, 'notifications did not start'),
        );
    });
    if (!this.config.DISCORD_TOKEN) return this.discord.start();
    // Results of /lab submit arrive through the events channel: listen before the first command.
    await this.stream.start();
    return this.discord.start();
  }
}
