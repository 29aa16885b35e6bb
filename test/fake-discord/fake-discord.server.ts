import { ChannelType, GatewayDispatchEvents, InteractionResponseType, MessageFlags } from 'discord.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import {
  type AttachmentInfo,
  dmChannel,
  type FakeChannel,
  type FakeUser,
  forumChannel,
  guild,
  message,
  textChannel,
  threadChannel,
  user,
} from './discord-objects.js';
import { GatewaySession } from './gateway.js';
import { commandInteraction, type OptionValue } from './interactions.js';
import { readRequest, type RecordedRequest } from './request-recorder.js';
import { snowflake } from './snowflake.js';

const VERSION = 'v10';

type Reply = { status: number; body?: unknown };
type Route = {
  method: string;
  pattern: RegExp;
  handle: (request: RecordedRequest, params: string[]) => Reply;
};

/** Where a test runs a command: a channel of the guild (or a thread), or the user's DMs. */
export type Place = 'general' | 'dm' | FakeChannel;

/**
 * A local stand-in for Discord: the REST API under `/api/v10` and the gateway (WebSocket) on the
 * same port, with one guild (general, Q&A forum, instructors and announcements channels). It
 * records every REST request, so tests assert on what the bot really sent: replies, edits,
 * threads, DMs, channel posts. See README.md for what it covers.
 */
export class FakeDiscord {
  readonly requests: RecordedRequest[] = [];
  readonly application = { id: snowflake(), name: 'kubecohort-test' };
  readonly botUser: FakeUser = user('kubecohort', { bot: true });
  readonly owner: FakeUser = user('owner');
  readonly guildId = snowflake();
  readonly channels: {
    general: FakeChannel;
    forum: FakeChannel;
    instructors: FakeChannel;
    announcements: FakeChannel;
  };
  /** Commands registered per scope (`global` or a guild id), as `bot:register` sent them. */
  readonly registered = new Map<string, unknown[]>();
  readonly sessions: GatewaySession[] = [];
  url = '';

  private readonly channelById = new Map<string, FakeChannel>();
  private readonly threads: FakeChannel[] = [];
  private readonly users = new Map<string, FakeUser>();
  private readonly dms = new Map<string, FakeChannel>();
  private readonly dmsClosed = new Set<string>();
  private readonly interactions = new Map<
    string,
    { channelId: string; ephemeral: boolean; messageId: string }
  >();
  private readonly waiters = new Set<() => void>();
  private readonly routes: Route[];

  private constructor(
    private readonly server: Server,
    private readonly gateway: WebSocketServer,
  ) {
    this.channels = {
      general: textChannel(this.guildId, 'general', 0),
      forum: forumChannel(this.guildId, 'q-and-a', 1),
      instructors: textChannel(this.guildId, 'instructors', 2),
      announcements: textChannel(this.guildId, 'announcements', 3),
    };
    for (const channel of Object.values(this.channels)) this.channelById.set(channel.id, channel);
    for (const known of [this.botUser, this.owner]) this.users.set(known.id, known);
    this.routes = this.buildRoutes();
  }

  static async start(): Promise<FakeDiscord> {
    const server = createServer();
    const gateway = new WebSocketServer({ server });
    const fake = new FakeDiscord(server, gateway);
    server.on('request', (request, response) => void fake.onRequest(request, response));
    gateway.on('connection', (socket) => {
      fake.sessions.push(
        new GatewaySession(socket, {
          url: fake.gatewayUrl,
          readyPayload: () => fake.readyPayload(),
          guildCreatePayloads: () => [fake.guildPayload()],
          onIdentify: () => fake.notify(),
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return fake;
  }

  /** What to give discord.js as `rest.api` (DISCORD_API_URL). */
  get restBase(): string {
    return `${this.url}/api`;
  }

  get gatewayUrl(): string {
    return this.url.replace(/^http/, 'ws');
  }

  async stop(): Promise<void> {
    for (const session of this.sessions) session.close();
    await new Promise<void>((resolve) => this.gateway.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ── the world ──

  addUser(username: string): FakeUser {
    const created = user(username);
    this.users.set(created.id, created);
    return created;
  }

  /** From now on, direct messages to this user fail as Discord answers when DMs are closed. */
  closeDms(userId: string): void {
    this.dmsClosed.add(userId);
  }

  channel(id: string): FakeChannel | undefined {
    return this.channelById.get(id);
  }

  /** Resolves once a client has identified (and received READY and GUILD_CREATE). */
  async connected(timeoutMs = 15_000): Promise<GatewaySession> {
    return this.until(
      () => this.sessions.find((session) => session.identified && session.open),
      timeoutMs,
      'a gateway client to identify',
    );
  }

  // ── what the test does as users ──

  /** Runs a slash command as `who`; returns a handle on that interaction's requests. */
  async command(
    who: FakeUser,
    name: string,
    options: Record<string, OptionValue> = {},
    place: Place = 'general',
  ): Promise<FakeInteraction> {
    const payload = commandInteraction(this.application.id, who, name, options, this.placeOf(who, place));
    const session = await this.connected();
    this.interactions.set(payload.token, {
      channelId: String(payload.channel_id),
      ephemeral: false,
      messageId: snowflake(),
    });
    session.dispatch(GatewayDispatchEvents.InteractionCreate, payload);
    return new FakeInteraction(this, payload.id, payload.token);
  }

  /** Types into an autocompleted option; returns the interaction (its callback holds the choices). */
  async autocomplete(
    who: FakeUser,
    name: string,
    options: Record<string, OptionValue>,
    focused: string,
    place: Place = 'general',
  ): Promise<FakeInteraction> {
    const payload = commandInteraction(
      this.application.id,
      who,
      name,
      options,
      this.placeOf(who, place),
      focused,
    );
    (await this.connected()).dispatch(GatewayDispatchEvents.InteractionCreate, payload);
    return new FakeInteraction(this, payload.id, payload.token);
  }

  /** `who` posts a message in a guild channel or thread (MESSAGE_CREATE); returns its id. */
  async say(who: FakeUser, channel: FakeChannel, content: string): Promise<string> {
    const posted = message(channel.id, who, content, { guildId: this.guildId });
    (await this.connected()).dispatch(GatewayDispatchEvents.MessageCreate, {
      ...posted,
      member: { roles: [], joined_at: new Date(0).toISOString(), deaf: false, mute: false, flags: 0 },
    });
    return String(posted.id);
  }

  // ── assertions ──

  /** Waits for a recorded request matching the predicate (also one already recorded). */
  waitFor(predicate: (request: RecordedRequest) => boolean, timeoutMs = 20_000): Promise<RecordedRequest> {
    return this.until(() => this.requests.find(predicate), timeoutMs, 'a matching Discord request');
  }

  /** Every message the bot posted to a channel (REST `POST /channels/:id/messages`). */
  channelPosts(channelId?: string): RecordedRequest[] {
    return this.requests.filter(
      (request) =>
        request.method === 'POST' &&
        /^\/channels\/\d+\/messages$/.test(request.path) &&
        (channelId === undefined || request.path === `/channels/${channelId}/messages`),
    );
  }

  /** The DM channel the bot opened with a user, if any. */
  dmChannelOf(userId: string): FakeChannel | undefined {
    return this.dms.get(userId);
  }

  /** Polls until `find` returns something; throws with `what` after the timeout. */
  async until<T>(find: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`fake Discord: timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(left, 250));
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.add(done);
      });
    }
  }

  private notify(): void {
    for (const waiter of this.waiters) waiter();
    this.waiters.clear();
  }

  // ── gateway payloads ──

  private readyPayload(): Record<string, unknown> {
    return {
      v: 10,
      user: { ...this.botUser, verified: true, mfa_enabled: false, flags: 0 },
      guilds: [{ id: this.guildId, unavailable: true }],
      session_id: snowflake(),
      resume_gateway_url: this.gatewayUrl,
      shard: [0, 1],
      application: { id: this.application.id, flags: 0 },
    };
  }

  private guildPayload(): Record<string, unknown> {
    return guild(
      this.guildId,
      'Kubecohort test guild',
      this.owner.id,
      Object.values(this.channels),
      this.threads,
    );
  }

  private placeOf(who: FakeUser, place: Place) {
    if (place === 'dm') return { dm: this.dmOf(who) };
    const channel = place === 'general' ? this.channels.general : place;
    return { guildId: this.guildId, channel };
  }

  private dmOf(recipient: FakeUser): FakeChannel {
    let channel = this.dms.get(recipient.id);
    if (!channel) {
      channel = dmChannel(recipient);
      this.dms.set(recipient.id, channel);
      this.channelById.set(channel.id, channel);
    }
    return channel;
  }

  // ── REST ──

  private async onRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const recorded = await readRequest(request, VERSION);
    this.requests.push(recorded);
    let reply: Reply = { status: 404, body: { message: '404: Not Found', code: 0 } };
    for (const route of this.routes) {
      if (route.method !== recorded.method) continue;
      const match = route.pattern.exec(recorded.path);
      if (!match) continue;
      try {
        reply = route.handle(recorded, match.slice(1));
      } catch (error) {
        reply = { status: 500, body: { message: (error as Error).message, code: 0 } };
      }
      break;
    }
    if (reply.body === undefined) {
      // A 204 has no body, so no JSON content type either (discord.js would try to parse it).
      response.writeHead(reply.status);
      response.end();
    } else {
      response.writeHead(reply.status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(reply.body));
    }
    this.notify();
  }

  private attachments(request: RecordedRequest): AttachmentInfo[] {
    return request.files.map((file) => {
      const id = snowflake();
      return {
        id,
        filename: file.name,
        size: Buffer.byteLength(file.content),
        url: `${this.url}/attachments/${id}/${file.name}`,
        proxy_url: `${this.url}/attachments/${id}/${file.name}`,
      };
    });
  }

  private buildRoutes(): Route[] {
    const ok = (body: unknown): Reply => ({ status: 200, body });
    const noContent: Reply = { status: 204 };
    const notFound = (code: number, what: string): Reply => ({
      status: 404,
      body: { message: `Unknown ${what}`, code },
    });
    const webhookMessage = (request: RecordedRequest, token: string) => {
      const interaction = this.interactions.get(token);
      const body = (request.body ?? {}) as { content?: string; flags?: number };
      return message(interaction?.channelId ?? this.channels.general.id, this.botUser, body.content ?? '', {
        id: interaction?.messageId,
        flags: interaction?.ephemeral ? MessageFlags.Ephemeral : (body.flags ?? 0),
        attachments: this.attachments(request),
        webhookId: this.application.id,
      });
    };

    return [
      {
        method: 'GET',
        pattern: /^\/gateway\/bot$/,
        handle: () =>
          ok({
            url: this.gatewayUrl,
            shards: 1,
            session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
          }),
      },
      {
        method: 'GET',
        pattern: /^\/applications\/@me$/,
        handle: () => ok({ ...this.application, bot: this.botUser, flags: 0, description: '' }),
      },
      {
        method: 'PUT',
        pattern: /^\/applications\/(\d+)\/(?:guilds\/(\d+)\/)?commands$/,
        handle: (request, [applicationId, guildId]) => {
          if (applicationId !== this.application.id) return notFound(10002, 'Application');
          const commands = (request.body as { name: string }[]).map((command) => ({
            ...command,
            id: snowflake(),
            application_id: applicationId,
            version: snowflake(),
            ...(guildId ? { guild_id: guildId } : {}),
          }));
          this.registered.set(guildId ?? 'global', commands);
          return ok(commands);
        },
      },
      {
        method: 'POST',
        pattern: /^\/interactions\/(\d+)\/([^/]+)\/callback$/,
        handle: (request, [, token]) => {
          const interaction = this.interactions.get(token!);
          const body = request.body as { type: InteractionResponseType; data?: { flags?: number } };
          if (interaction && body.type !== InteractionResponseType.ApplicationCommandAutocompleteResult)
            interaction.ephemeral = ((body.data?.flags ?? 0) & MessageFlags.Ephemeral) !== 0;
          return noContent;
        },
      },
      {
        method: 'PATCH',
        pattern: /^\/webhooks\/(\d+)\/([^/]+)\/messages\/([^/]+)$/,
        handle: (request, [, token]) => ok(webhookMessage(request, token!)),
      },
      {
        method: 'GET',
        pattern: /^\/webhooks\/(\d+)\/([^/]+)\/messages\/([^/]+)$/,
        handle: (request, [, token]) => ok(webhookMessage(request, token!)),
      },
      {
        method: 'DELETE',
        pattern: /^\/webhooks\/(\d+)\/([^/]+)\/messages\/([^/]+)$/,
        handle: () => noContent,
      },
      {
        method: 'POST',
        pattern: /^\/webhooks\/(\d+)\/([^/]+)$/,
        handle: (request, [, token]) => {
          const interaction = this.interactions.get(token!);
          const body = (request.body ?? {}) as { content?: string; flags?: number };
          return ok(
            message(interaction?.channelId ?? this.channels.general.id, this.botUser, body.content ?? '', {
              flags: body.flags ?? 0,
              attachments: this.attachments(request),
              webhookId: this.application.id,
            }),
          );
        },
      },
      {
        method: 'GET',
        pattern: /^\/users\/(\d+)$/,
        handle: (_request, [id]) => {
          const found = this.users.get(id!);
          return found ? ok(found) : notFound(10013, 'User');
        },
      },
      {
        method: 'POST',
        pattern: /^\/users\/@me\/channels$/,
        handle: (request) => {
          const recipient = this.users.get((request.body as { recipient_id: string }).recipient_id);
          return recipient ? ok(this.dmOf(recipient)) : notFound(10013, 'User');
        },
      },
      {
        method: 'GET',
        pattern: /^\/channels\/(\d+)$/,
        handle: (_request, [id]) => {
          const channel = this.channelById.get(id!);
          return channel ? ok(channel) : notFound(10003, 'Channel');
        },
      },
      {
        method: 'DELETE',
        pattern: /^\/channels\/(\d+)$/,
        handle: (_request, [id]) => {
          const channel = this.channelById.get(id!);
          if (!channel) return notFound(10003, 'Channel');
          this.channelById.delete(id!);
          return ok(channel);
        },
      },
      {
        method: 'POST',
        pattern: /^\/channels\/(\d+)\/threads$/,
        handle: (request, [parentId]) => {
          const parent = this.channelById.get(parentId!);
          if (!parent) return notFound(10003, 'Channel');
          const body = request.body as { name: string; message?: { content?: string } };
          const thread = threadChannel(this.guildId, parent.id, body.name, this.botUser.id);
          this.channelById.set(thread.id, thread);
          this.threads.push(thread);
          const starter =
            parent.type === ChannelType.GuildForum
              ? {
                  message: message(thread.id, this.botUser, body.message?.content ?? '', {
                    id: thread.id,
                    guildId: this.guildId,
                    attachments: this.attachments(request),
                  }),
                }
              : {};
          return { status: 201, body: { ...thread, ...starter } };
        },
      },
      {
        method: 'POST',
        pattern: /^\/channels\/(\d+)\/messages$/,
        handle: (request, [channelId]) => {
          const channel = this.channelById.get(channelId!);
          if (!channel) return notFound(10003, 'Channel');
          if (channel.type === ChannelType.DM) {
            const recipient = (channel.recipients as FakeUser[])[0]!;
            if (this.dmsClosed.has(recipient.id))
              return { status: 403, body: { message: 'Cannot send messages to this user', code: 50007 } };
          }
          const body = (request.body ?? {}) as { content?: string };
          return ok(
            message(channel.id, this.botUser, body.content ?? '', {
              guildId: channel.guild_id,
              attachments: this.attachments(request),
            }),
          );
        },
      },
    ];
  }
}

/** One interaction a test started: the requests the bot made to answer it. */
export class FakeInteraction {
  constructor(
    private readonly fake: FakeDiscord,
    readonly id: string,
    readonly token: string,
  ) {}

  /** The bot's requests for this interaction: callback, edits, follow-ups, in order. */
  requests(): RecordedRequest[] {
    return this.fake.requests.filter((request) => request.path.includes(`/${this.token}`));
  }

  /** The initial response (`POST /interactions/:id/:token/callback`). */
  callback(): Promise<RecordedRequest> {
    return this.fake.waitFor((request) => request.path === `/interactions/${this.id}/${this.token}/callback`);
  }

  /** Whether the initial response made the reply visible to the user alone. */
  async ephemeral(): Promise<boolean> {
    const callback = await this.callback();
    return (
      (((callback.body as { data?: { flags?: number } }).data?.flags ?? 0) & MessageFlags.Ephemeral) !== 0
    );
  }

  /** Edits of the original reply, oldest first. */
  edits(): RecordedRequest[] {
    return this.requests().filter(
      (request) => request.method === 'PATCH' && request.path.endsWith('/messages/@original'),
    );
  }

  /** Waits for an edit of the reply whose content matches. */
  async edit(matching: RegExp, timeoutMs = 30_000): Promise<RecordedRequest> {
    return this.fake.until(
      () =>
        this.edits().find((request) =>
          matching.test((request.body as { content?: string } | undefined)?.content ?? ''),
        ),
      timeoutMs,
      `an edit of interaction ${this.id} matching ${matching}`,
    );
  }

  /** The content the user sees now: the last edit, or the initial reply. */
  content(): string {
    const last = this.edits().at(-1);
    if (last) return (last.body as { content?: string }).content ?? '';
    const callback = this.requests().find((request) => request.path.endsWith('/callback'));
    return (callback?.body as { data?: { content?: string } } | undefined)?.data?.content ?? '';
  }
}
