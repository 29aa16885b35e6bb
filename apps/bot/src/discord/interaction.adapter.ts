import {
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  type Message,
  MessageFlags,
  type User,
} from 'discord.js';
import type {
  AutocompleteContext,
  BotMessage,
  CommandContext,
  DiscordUser,
  ThreadMessage,
} from '../commands/command.context.js';
import { toCreateOptions } from './discord.actions.js';

function toUser(user: User): DiscordUser {
  return { id: user.id, username: user.username };
}

/** The thread's parent when the interaction's channel is a thread (forum posts are threads). */
function threadParent(interaction: ChatInputCommandInteraction | AutocompleteInteraction): string | null {
  const channel = interaction.channel;
  return channel && channel.isThread() ? channel.parentId : null;
}

/** A discord.js slash command interaction, as our handlers see it. */
export class InteractionContext implements CommandContext {
  readonly command: string;
  readonly subcommand: string | null;
  readonly user: DiscordUser;
  readonly guildId: string | null;
  readonly channelId: string | null;
  readonly threadParentId: string | null;
  private ephemeral = false;

  constructor(private readonly interaction: ChatInputCommandInteraction) {
    this.command = interaction.commandName;
    this.subcommand = interaction.options.getSubcommand(false);
    this.user = toUser(interaction.user);
    this.guildId = interaction.guildId;
    this.channelId = interaction.channelId;
    this.threadParentId = threadParent(interaction);
  }

  string(name: string): string | null {
    return this.interaction.options.getString(name);
  }

  integer(name: string): number | null {
    return this.interaction.options.getInteger(name);
  }

  boolean(name: string): boolean | null {
    return this.interaction.options.getBoolean(name);
  }

  userOption(name: string): DiscordUser | null {
    const user = this.interaction.options.getUser(name);
    return user ? toUser(user) : null;
  }

  async defer(options: { ephemeral: boolean }): Promise<void> {
    if (this.interaction.deferred || this.interaction.replied) return;
    this.ephemeral = options.ephemeral;
    await this.interaction.deferReply(options.ephemeral ? { flags: MessageFlags.Ephemeral } : {});
  }

  async respond(message: BotMessage): Promise<void> {
    const { content, files } = toCreateOptions(message);
    if (!this.interaction.deferred && !this.interaction.replied) {
      this.ephemeral = message.ephemeral ?? false;
      await this.interaction.reply({
        content,
        files,
        allowedMentions: { parse: [] },
        ...(this.ephemeral ? { flags: MessageFlags.Ephemeral } : {}),
      });
      return;
    }
    if (message.ephemeral && !this.ephemeral) {
      // Something private after a public acknowledgement (an error in a thread): say it to them alone.
      await this.interaction.deleteReply().catch(() => undefined);
      await this.interaction.followUp({
        content,
        files,
        allowedMentions: { parse: [] },
        flags: MessageFlags.Ephemeral,
      });
      return;
    }
    await this.interaction.editReply({ content, files, allowedMentions: { parse: [] } });
  }

  async followUp(message: BotMessage): Promise<void> {
    const { content, files } = toCreateOptions(message);
    await this.interaction.followUp({
      content,
      files,
      allowedMentions: { parse: [] },
      ...((message.ephemeral ?? this.ephemeral) ? { flags: MessageFlags.Ephemeral } : {}),
    });
  }
}

export function autocompleteContext(interaction: AutocompleteInteraction): AutocompleteContext {
  const focused = interaction.options.getFocused(true);
  return {
    command: interaction.commandName,
    subcommand: interaction.options.getSubcommand(false),
    user: toUser(interaction.user),
    guildId: interaction.guildId,
    channelId: interaction.channelId,
    threadParentId: threadParent(interaction),
    focused: { name: focused.name, value: String(focused.value) },
    respond: (choices) => interaction.respond(choices),
  };
}

/** A guild message in a thread, as the mirror sees it; null for anything else. */
export function threadMessage(message: Message): ThreadMessage | null {
  const channel = message.channel;
  if (!message.guildId || !channel.isThread() || !channel.parentId) return null;
  return {
    id: message.id,
    threadId: channel.id,
    parentId: channel.parentId,
    guildId: message.guildId,
    author: { ...toUser(message.author), bot: message.author.bot },
    content: message.content,
  };
}
