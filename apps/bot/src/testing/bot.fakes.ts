import type { ApiClient } from '../api/api.client.js';
import type { BotEvent } from '../api/api.types.js';
import type {
  AutocompleteChoice,
  AutocompleteContext,
  BotMessage,
  CommandContext,
  DiscordUser,
} from '../commands/command.context.js';
import type { DiscordActions } from '../discord/discord.actions.js';
import type { BotEventStream } from '../notifications/bot-event.stream.js';
import type { NotificationStore } from '../notifications/notification.store.js';

/*
 * In-memory fakes of the bot's own classes (ApiClient, DiscordActions, NotificationStore,
 * BotEventStream) and of a command invocation, for the unit specs. No discord.js, no network.
 */

type ApiMethods = { [K in keyof ApiClient]: ApiClient[K] };

/** An ApiClient whose methods are the given functions; any other call fails the test loudly. */
export function fakeApi(methods: Partial<ApiMethods>): { api: ApiClient; calls: [string, unknown[]][] } {
  const calls: [string, unknown[]][] = [];
  const api = new Proxy(
    {},
    {
      get(_target, name: string) {
        if (name === 'then') return undefined;
        return (...args: unknown[]) => {
          calls.push([name, args]);
          const method = (methods as Record<string, ((...a: unknown[]) => unknown) | undefined>)[name];
          if (!method) throw new Error(`unexpected ApiClient.${name}(${JSON.stringify(args)})`);
          return method(...args);
        };
      },
    },
  ) as ApiClient;
  return { api, calls };
}

export const STUDENT: DiscordUser = { id: '100000000000000001', username: 'ada_l' };

export class FakeContext implements CommandContext {
  readonly command: string;
  readonly subcommand: string | null;
  readonly user: DiscordUser;
  readonly guildId: string | null;
  readonly channelId: string | null;
  readonly threadParentId: string | null;
  deferred: { ephemeral: boolean } | null = null;
  readonly responses: BotMessage[] = [];
  readonly followUps: BotMessage[] = [];

  constructor(
    name: string,
    private readonly options: Record<string, string | number | boolean | DiscordUser> = {},
    where: {
      user?: DiscordUser;
      guildId?: string | null;
      channelId?: string | null;
      threadParentId?: string | null;
    } = {},
  ) {
    const [command, subcommand] = name.split(' ');
    this.command = command!;
    this.subcommand = subcommand ?? null;
    this.user = where.user ?? STUDENT;
    this.guildId = where.guildId === undefined ? '200000000000000001' : where.guildId;
    this.channelId = where.channelId === undefined ? '300000000000000001' : where.channelId;
    this.threadParentId = where.threadParentId ?? null;
  }

  string(name: string): string | null {
    const value = this.options[name];
    return typeof value === 'string' ? value : null;
  }

  integer(name: string): number | null {
    const value = this.options[name];
    return typeof value === 'number' ? value : null;
  }

  boolean(name: string): boolean | null {
    const value = this.options[name];
    return typeof value === 'boolean' ? value : null;
  }

  userOption(name: string): DiscordUser | null {
    const value = this.options[name];
    return typeof value === 'object' ? value : null;
  }

  defer(options: { ephemeral: boolean }): Promise<void> {
    this.deferred ??= options;
    return Promise.resolve();
  }

  respond(message: BotMessage): Promise<void> {
    this.responses.push(message);
    return Promise.resolve();
  }

  followUp(message: BotMessage): Promise<void> {
    this.followUps.push(message);
    return Promise.resolve();
  }

  /** The content the user sees last. */
  get last(): string {
    return this.responses.at(-1)?.content ?? '';
  }
}

export function fakeAutocomplete(
  name: string,
  focused: { name: string; value: string },
  where: { guildId?: string | null; channelId?: string | null; threadParentId?: string | null } = {},
): AutocompleteContext & { choices: AutocompleteChoice[] | null } {
  const [command, subcommand] = name.split(' ');
  const ctx = {
    command: command!,
    subcommand: subcommand ?? null,
    user: STUDENT,
    guildId: where.guildId === undefined ? '200000000000000001' : where.guildId,
    channelId: where.channelId === undefined ? '300000000000000001' : where.channelId,
    threadParentId: where.threadParentId ?? null,
    focused,
    choices: null as AutocompleteChoice[] | null,
    respond(choices: AutocompleteChoice[]) {
      ctx.choices = choices;
      return Promise.resolve();
    },
  };
  return ctx;
}

/** Records what would have been sent to Discord. */
export class FakeDiscordActions {
  readonly dms: { userId: string; message: BotMessage }[] = [];
  readonly threads: { forumChannelId: string; name: string; content: string; id: string }[] = [];
  readonly deleted: string[] = [];
  readonly posts: { channelId: string; message: BotMessage }[] = [];
  dmsClosed = new Set<string>();
  private nextId = 900000000000000000n;

  sendDm(userId: string, message: BotMessage): Promise<boolean> {
    if (this.dmsClosed.has(userId)) return Promise.resolve(false);
    this.dms.push({ userId, message });
    return Promise.resolve(true);
  }

  createForumThread(forumChannelId: string, name: string, content: string): Promise<string> {
    const id = String((this.nextId += 1n));
    this.threads.push({ forumChannelId, name, content, id });
    return Promise.resolve(id);
  }

  deleteChannel(channelId: string): Promise<void> {
    this.deleted.push(channelId);
    return Promise.resolve();
  }

  postMessage(channelId: string, message: BotMessage): Promise<void> {
    this.posts.push({ channelId, message });
    return Promise.resolve();
  }

  asActions(): DiscordActions {
    return this as unknown as DiscordActions;
  }
}

/** NotificationStore in memory, with the same semantics as the Redis one. */
export class FakeNotificationStore {
  readonly cursors = new Map<string, string>();
  readonly claims = new Set<string>();
  readonly awaits = new Map<string, number>();

  cursor(cohortId: string): Promise<string | null> {
    return Promise.resolve(this.cursors.get(cohortId) ?? null);
  }

  advance(cohortId: string, eventId: string): Promise<string> {
    const current = this.cursors.get(cohortId);
    if (current === undefined || BigInt(eventId) > BigInt(current)) this.cursors.set(cohortId, eventId);
    return Promise.resolve(this.cursors.get(cohortId)!);
  }

  private claim(key: string): Promise<boolean> {
    if (this.claims.has(key)) return Promise.resolve(false);
    this.claims.add(key);
    return Promise.resolve(true);
  }

  claimEvent(cohortId: string, eventId: string): Promise<boolean> {
    return this.claim(`event:${cohortId}:${eventId}`);
  }

  releaseEvent(cohortId: string, eventId: string): Promise<void> {
    this.claims.delete(`event:${cohortId}:${eventId}`);
    return Promise.resolve();
  }

  claimDelivery(submissionId: string): Promise<boolean> {
    return this.claim(`delivered:${submissionId}`);
  }

  awaitResult(discordUserId: string, taskId: string, untilMs: number): Promise<void> {
    this.awaits.set(`${discordUserId}:${taskId}`, untilMs);
    return Promise.resolve();
  }

  awaiting(discordUserId: string, taskId: string): Promise<number | null> {
    return Promise.resolve(this.awaits.get(`${discordUserId}:${taskId}`) ?? null);
  }

  stopAwaiting(discordUserId: string, taskId: string): Promise<void> {
    this.awaits.delete(`${discordUserId}:${taskId}`);
    return Promise.resolve();
  }

  asStore(): NotificationStore {
    return this as unknown as NotificationStore;
  }
}

/** A BotEventStream that the test feeds by hand. */
export class FakeEventStream {
  private readonly listeners = new Set<(event: BotEvent) => void>();
  private readonly resync = new Set<() => void>();

  onEvent(listener: (event: BotEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onResync(listener: () => void): () => void {
    this.resync.add(listener);
    return () => this.resync.delete(listener);
  }

  emit(event: BotEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  asStream(): BotEventStream {
    return this as unknown as BotEventStream;
  }
}
