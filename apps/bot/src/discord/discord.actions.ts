import { Injectable, Logger } from '@nestjs/common';
import {
  AttachmentBuilder,
  ChannelType,
  DiscordAPIError,
  RESTJSONErrorCodes,
  type MessageCreateOptions,
} from 'discord.js';
import type { BotMessage } from '../commands/command.context.js';
import { DiscordClient } from '../discord.client.js';

/** Discord error codes that mean "this user does not take direct messages from us". */
const DM_REFUSED = new Set<number>([
  RESTJSONErrorCodes.CannotSendMessagesToThisUser,
  RESTJSONErrorCodes.MissingAccess,
  RESTJSONErrorCodes.UnknownUser,
]);

/**
 * What the bot does on Discord outside an interaction's own reply: direct messages, forum threads,
 * channel posts. Behind this class so handlers and notifications are tested without discord.js.
 */
@Injectable()
export class DiscordActions {
  private readonly logger = new Logger(DiscordActions.name);

  constructor(private readonly discord: DiscordClient) {}

  /** Sends a direct message; false when the user has DMs closed (the caller falls back). */
  async sendDm(userId: string, message: BotMessage): Promise<boolean> {
    const client = this.discord.ready();
    try {
      const user = await client.users.fetch(userId);
      await user.send(toCreateOptions(message));
      return true;
    } catch (error) {
      if (error instanceof DiscordAPIError && typeof error.code === 'number' && DM_REFUSED.has(error.code)) {
        this.logger.debug({ code: error.code }, 'direct message refused');
        return false;
      }
      throw error;
    }
  }

  /** Opens a post (thread) in a forum channel; returns the thread's id. */
  async createForumThread(forumChannelId: string, name: string, content: string): Promise<string> {
    const channel = await this.discord.ready().channels.fetch(forumChannelId);
    if (!channel || channel.type !== ChannelType.GuildForum)
      throw new Error(`channel ${forumChannelId} is not a forum channel`);
    const thread = await channel.threads.create({
      name: name.slice(0, 100),
      message: { content, allowedMentions: { parse: [] } },
    });
    return thread.id;
  }

  async deleteChannel(channelId: string): Promise<void> {
    const channel = await this.discord.ready().channels.fetch(channelId);
    await channel?.delete();
  }

  /** Posts in a guild text channel (instructors' channel, announcements). */
  async postMessage(channelId: string, message: BotMessage): Promise<void> {
    const channel = await this.discord.ready().channels.fetch(channelId);
    if (!channel || !channel.isSendable()) throw new Error(`channel ${channelId} does not take messages`);
    await channel.send(toCreateOptions(message));
  }
}

export function toCreateOptions(message: BotMessage): MessageCreateOptions {
  return {
    content: message.content,
    files: message.files?.map((file) => new AttachmentBuilder(file.data, { name: file.name })),
    allowedMentions: { parse: [] },
  };
}
