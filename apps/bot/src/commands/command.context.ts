/** A Discord user as the handlers see them. */
export interface DiscordUser {
  id: string;
  username: string;
}

export interface BotFile {
  name: string;
  data: Buffer;
}

/** What a handler sends; `ephemeral` only matters for the first response of an interaction. */
export interface BotMessage {
  content: string;
  files?: BotFile[];
  ephemeral?: boolean;
}

/**
 * One slash command invocation, as our handlers see it. The discord.js interaction is adapted to
 * this in discord/interaction.adapter.ts, so handlers never touch discord.js and unit tests give
 * them a plain fake.
 */
export interface CommandContext {
  readonly command: string;
  readonly subcommand: string | null;
  readonly user: DiscordUser;
  readonly guildId: string | null;
  readonly channelId: string | null;
  /** Set when the command runs inside a thread: the thread's parent channel (a forum for Q&A). */
  readonly threadParentId: string | null;
  string(name: string): string | null;
  integer(name: string): number | null;
  boolean(name: string): boolean | null;
  userOption(name: string): DiscordUser | null;
  /** Acknowledges now (Discord wants an answer within 3 s); later `respond`s edit that reply. */
  defer(options: { ephemeral: boolean }): Promise<void>;
  /** The reply: the first response, or an edit of the deferred/earlier one. */
  respond(message: BotMessage): Promise<void>;
  /** An extra message after the reply (same visibility rules as the first unless ephemeral is set). */
  followUp(message: BotMessage): Promise<void>;
}

export interface AutocompleteChoice {
  name: string;
  value: string;
}

export interface AutocompleteContext {
  readonly command: string;
  readonly subcommand: string | null;
  readonly user: DiscordUser;
  readonly guildId: string | null;
  readonly channelId: string | null;
  readonly threadParentId: string | null;
  readonly focused: { name: string; value: string };
  respond(choices: AutocompleteChoice[]): Promise<void>;
}

/** A message posted in a thread (for mirroring replies as answers). */
export interface ThreadMessage {
  id: string;
  threadId: string;
  parentId: string;
  guildId: string;
  author: DiscordUser & { bot: boolean };
  content: string;
}
