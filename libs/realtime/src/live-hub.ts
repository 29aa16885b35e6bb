import type { LiveEvent } from '@kubecohort/contracts';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { DefaultEventsMap, Namespace, Socket } from 'socket.io';
import { CohortFeed } from './cohort-feed.js';
import { EventLog, type StoredEvent } from './event-log.js';
import { EventSubscriber } from './event-subscriber.js';
import { LiveAccess, type LivePrincipal } from './live-access.js';
import { LIVE_DEFAULTS, LIVE_OPTIONS, type LiveOptions } from './live.options.js';
import { PresenceRegistry, type PresenceSnapshot } from './presence.registry.js';

/** Sent instead of a replay when the events after `lastEventId` are no longer all stored. */
export interface ReloadNotice {
  cohortId: string;
  reason: 'beyond_retention' | 'too_far_behind' | 'unknown_event';
  /** The cohort's newest event id when the notice was sent: resubscribe from here after reloading. */
  lastEventId: string;
}

export type SubscribeAck =
  | { ok: true; lastEventId?: string; reload?: true }
  | { ok: false; error: 'invalid' | 'not_found' | 'unavailable' | 'superseded'; message: string };

export interface LiveServerEvents {
  event: (event: LiveEvent) => void;
  reload: (notice: ReloadNotice) => void;
  presence: (snapshot: PresenceSnapshot) => void;
}

export interface LiveClientEvents {
  subscribe: (request: unknown, ack: (answer: SubscribeAck) => void) => void;
  unsubscribe: (request: unknown, ack: (answer: SubscribeAck) => void) => void;
}

export interface LiveSocketData {
  principal?: LivePrincipal;
  subscriptions?: Map<string, Subscription>;
}

export type LiveNamespace = Namespace<LiveClientEvents, LiveServerEvents, DefaultEventsMap, LiveSocketData>;
export type LiveSocket = Socket<LiveClientEvents, LiveServerEvents, DefaultEventsMap, LiveSocketData>;

/**
 * One socket's subscription to one cohort. `replaying`: reading the log, live events are buffered;
 * `tail`: replayed past what this instance's feed has delivered, live events are sent one by one
 * until the feed catches up; `live`: in the cohort's rooms, served by one broadcast per event.
 */
interface Subscription {
  socket: LiveSocket;
  cohortId: string;
  userId: string;
  staff: boolean;
  state: 'replaying' | 'tail' | 'live' | 'closed';
  /** Last event id handled for this socket (sent, or filtered out for a student). */
  cursor: bigint;
  buffer: StoredEvent[];
  presenceMember: string | null;
}

interface FeedEntry {
  feed: CohortFeed;
  members: Set<Subscription>;
  catchingUp: Set<Subscription>;
}

/** Room names: staff see every event, a student their own and the cohort's public ones. */
export const LiveRooms = {
  staff: (cohortId: string): string => `c:${cohortId}:staff`,
  public: (cohortId: string): string => `c:${cohortId}:public`,
  user: (cohortId: string, userId: string): string => `c:${cohortId}:u:${userId}`,
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function toLiveEvent(event: StoredEvent): LiveEvent {
  return { id: event.id, type: event.type, cohortId: event.cohortId, at: event.at, payload: event.payload };
}

export function parseSubscribeRequest(body: unknown): { cohortId: string; lastEventId?: bigint } | string {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return 'expected {cohortId, lastEventId?}';
  const { cohortId, lastEventId } = body as Record<string, unknown>;
  if (typeof cohortId !== 'string' || !UUID.test(cohortId)) return 'cohortId must be a UUID';
  // Rooms are strings: one spelling per cohort (events carry the database's lower-case form).
  const id = cohortId.toLowerCase();
  if (lastEventId === undefined || lastEventId === null) return { cohortId: id };
  if (typeof lastEventId === 'string' && /^\d{1,19}$/.test(lastEventId))
    return { cohortId: id, lastEventId: BigInt(lastEventId) };
  if (typeof lastEventId === 'number' && Number.isSafeInteger(lastEventId) && lastEventId >= 0) {
    return { cohortId: id, lastEventId: BigInt(lastEventId) };
  }
  return 'lastEventId must be an event id (a decimal string)';
}

/**
 * The live fan-out of one api instance.
 *
 * Exactly once per client across instances: every instance receives each committed event once from
 * the Redis events channel and emits it ONLY to its own sockets (`nsp.local`), never through the
 * Socket.IO adapter, and every socket lives on exactly one instance. Per cohort, a CohortFeed puts
 * the events in id order without gaps; a reconnecting socket replays from the database while live
 * events are buffered for it, then the two are merged by id. The adapter (Redis) carries only what
 * one instance says to sockets everywhere: presence snapshots.
 *
 * Slow clients: emits are never awaited, and a socket whose unsent backlog exceeds the bound is cut
 * off (it reconnects and replays), so one stalled client costs neither others' latency nor memory.
 */
@Injectable()
export class LiveHub implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(LiveHub.name);
  private readonly feeds = new Map<string, FeedEntry>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly unlisten: (() => void)[] = [];
  private readonly pageSize: number;
  private nsp: LiveNamespace | null = null;
  private stopped = false;
  private stallCheckRunning = false;
  readonly counters = { delivered: 0, replayed: 0, reloads: 0, slowDisconnects: 0 };

  constructor(
    private readonly eventLog: EventLog,
    private readonly subscriber: EventSubscriber,
    private readonly presence: PresenceRegistry,
    private readonly access: LiveAccess,
    @Inject(LIVE_OPTIONS) private readonly options: LiveOptions,
  ) {
    // Replay pages are emitted back to back: keep one page well under the backlog bound.
    this.pageSize = Math.max(20, Math.min(500, Math.floor(options.maxBacklogPackets / 2)));
  }

  /** Starts serving a namespace (the gateway calls this once it exists). */
  bind(nsp: LiveNamespace): void {
    this.nsp = nsp;
    this.unlisten.push(
      this.subscriber.onEvent((event) => this.feeds.get(event.cohortId)?.feed.offer(event)),
      this.subscriber.onResync(() => {
        for (const entry of this.feeds.values()) entry.feed.resync();
      }),
    );
    const every = (ms: number, task: () => void): void => {
      const timer = setInterval(task, ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(this.options.stallCheckMs ?? LIVE_DEFAULTS.stallCheckMs, () => void this.checkStalls());
    every(this.options.backlogSweepMs ?? LIVE_DEFAULTS.backlogSweepMs, () => this.sweepBacklogs());
    every(
      Math.floor((this.options.presenceTtlMs ?? LIVE_DEFAULTS.presenceTtlMs) / 3),
      () => void this.heartbeat(),
    );
  }

  /** Subscribes to the committed-events channel; waits briefly so a fresh instance misses nothing. */
  async onApplicationBootstrap(): Promise<void> {
    await this.start();
  }

  async start(waitMs = 3000): Promise<void> {
    const started = this.subscriber.start();
    started.catch((error: Error) =>
      this.logger.warn({ err: error.message }, 'events channel subscription failed'),
    );
    await Promise.race([
      started.catch(() => undefined),
      new Promise((resolve) => setTimeout(resolve, waitMs).unref()),
    ]);
  }

  /** Cleans up after a socket when it goes away. */
  attach(socket: LiveSocket): void {
    socket.once('disconnect', () => {
      for (const sub of [...(socket.data.subscriptions?.values() ?? [])]) this.close(sub);
    });
  }

  async subscribe(socket: LiveSocket, body: unknown): Promise<SubscribeAck> {
    const request = parseSubscribeRequest(body);
    if (typeof request === 'string') return { ok: false, error: 'invalid', message: request };
    const principal = socket.data.principal;
    if (!principal) return { ok: false, error: 'not_found', message: 'not authenticated' };
    if (this.stopped || !this.nsp) return { ok: false, error: 'unavailable', message: 'shutting down' };
    let access: { staff: boolean } | null;
    try {
      access = await this.access.authorize(principal, request.cohortId);
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'live subscribe: authorisation query failed');
      return { ok: false, error: 'unavailable', message: 'try again shortly' };
    }
    if (!access) return { ok: false, error: 'not_found', message: 'no such cohort, or you may not watch it' };
    if (!socket.connected || this.stopped)
      return { ok: false, error: 'unavailable', message: 'disconnected' };

    const subscriptions = (socket.data.subscriptions ??= new Map<string, Subscription>());
    const previous = subscriptions.get(request.cohortId);
    if (previous) this.close(previous);
    const entry = this.entryFor(request.cohortId);
    const sub: Subscription = {
      socket,
      cohortId: request.cohortId,
      userId: principal.userId,
      staff: access.staff,
      state: 'replaying',
      cursor: 0n,
      buffer: [],
      presenceMember: null,
    };
    // From here on, every event this instance delivers for the cohort is buffered for the socket.
    subscriptions.set(request.cohortId, sub);
    entry.members.add(sub);
    entry.catchingUp.add(sub);
    try {
      await entry.feed.ready;
      if (closed(sub)) return superseded();
      if (request.lastEventId === undefined) {
        sub.cursor = entry.feed.delivered!;
        this.goLive(entry, sub);
        return { ok: true, lastEventId: sub.cursor.toString() };
      }
      return await this.replay(entry, sub, request.lastEventId);
    } catch (error) {
      this.logger.warn(
        { err: (error as Error).message, cohortId: request.cohortId },
        'live subscribe failed',
      );
      this.close(sub);
      return { ok: false, error: 'unavailable', message: 'try again shortly' };
    }
  }

  unsubscribe(socket: LiveSocket, body: unknown): SubscribeAck {
    const request = parseSubscribeRequest(body);
    if (typeof request === 'string') return { ok: false, error: 'invalid', message: request };
    const sub = socket.data.subscriptions?.get(request.cohortId);
    if (sub) this.close(sub);
    return { ok: true };
  }

  /** Presence of a cohort as the REST route reports it. */
  watching(cohortId: string): Promise<PresenceSnapshot> {
    return this.presence.list(cohortId);
  }

  stats(): { sockets: number; feeds: number; catchingUp: number; held: number; maxBacklog: number } {
    let catchingUp = 0;
    let held = 0;
    for (const entry of this.feeds.values()) {
      catchingUp += entry.catchingUp.size;
      held += entry.feed.pendingCount;
    }
    let maxBacklog = 0;
    for (const socket of this.nsp?.sockets.values() ?? [])
      maxBacklog = Math.max(maxBacklog, backlogOf(socket));
    return { sockets: this.nsp?.sockets.size ?? 0, feeds: this.feeds.size, catchingUp, held, maxBacklog };
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    for (const off of this.unlisten) off();
    // Announce departures while Redis is still open; the sockets themselves close after this.
    const leaving: Promise<void>[] = [];
    for (const entry of this.feeds.values()) {
      for (const sub of entry.members) {
        if (!sub.presenceMember) continue;
        const member = sub.presenceMember;
        sub.presenceMember = null;
        leaving.push(
          this.presence.leave(sub.cohortId, member).then(
            (snapshot) => this.broadcastPresence(snapshot),
            () => undefined,
          ),
        );
      }
      entry.feed.dispose();
    }
    this.feeds.clear();
    await Promise.all(leaving);
  }

  private async replay(entry: FeedEntry, sub: Subscription, after: bigint): Promise<SubscribeAck> {
    const head = await this.eventLog.head(sub.cohortId);
    if (closed(sub)) return superseded();
    if (after > head) return this.reload(sub, 'unknown_event', head);
    if (head - after > BigInt(this.options.replayMaxEvents)) return this.reload(sub, 'too_far_behind', head);
    sub.cursor = after;
    for (let first = true; ; first = false) {
      const rows = await this.eventLog.readAfter(sub.cohortId, sub.cursor, this.pageSize);
      if (closed(sub)) return superseded();
      // Ids are contiguous per cohort, so a first row that is not after+1 means the events in
      // between were pruned (or, with no rows while the head is ahead, all of them were).
      if (first && (rows.length === 0 ? head > after : BigInt(rows[0]!.id) !== after + 1n)) {
        return this.reload(sub, 'beyond_retention', head);
      }
      for (const row of rows) this.sendDirect(sub, row);
      this.counters.replayed += rows.length;
      if (rows.length < this.pageSize) break;
    }
    // Synchronous from here: merge the buffered live events, then switch to the rooms.
    for (const event of sub.buffer) this.sendDirect(sub, event);
    sub.buffer = [];
    if (entry.feed.delivered! >= sub.cursor) this.goLive(entry, sub);
    else sub.state = 'tail'; // the database was ahead of this instance's feed: wait for it there
    return { ok: true, lastEventId: sub.cursor.toString() };
  }

  private reload(sub: Subscription, reason: ReloadNotice['reason'], head: bigint): SubscribeAck {
    this.counters.reloads += 1;
    sub.socket.emit('reload', { cohortId: sub.cohortId, reason, lastEventId: head.toString() });
    this.close(sub);
    return { ok: true, reload: true };
  }

  private entryFor(cohortId: string): FeedEntry {
    const existing = this.feeds.get(cohortId);
    if (existing) return existing;
    const entry = { members: new Set<Subscription>(), catchingUp: new Set<Subscription>() } as FeedEntry;
    entry.feed = new CohortFeed(
      cohortId,
      {
        head: (id) => this.eventLog.head(id),
        readAfter: (id, after, limit) => this.eventLog.readAfter(id, after, limit),
      },
      (event) => this.deliver(entry, event),
      { gapWaitMs: this.options.gapWaitMs ?? LIVE_DEFAULTS.gapWaitMs, pageSize: 500, maxPending: 10_000 },
      { warn: (message, context) => this.logger.warn(context ?? {}, message) },
    );
    // A feed that cannot learn its head is dropped, so the next subscriber starts a fresh one.
    entry.feed.ready.catch(() => {
      if (this.feeds.get(cohortId) === entry) {
        entry.feed.dispose();
        this.feeds.delete(cohortId);
      }
    });
    this.feeds.set(cohortId, entry);
    return entry;
  }

  /** One event, in order, to this instance's sockets of the cohort. */
  private deliver(entry: FeedEntry, event: StoredEvent): void {
    const nsp = this.nsp;
    if (!nsp) return;
    this.counters.delivered += 1;
    const cohortId = event.cohortId;
    const audience = event.subjectUserId
      ? [LiveRooms.staff(cohortId), LiveRooms.user(cohortId, event.subjectUserId)]
      : [LiveRooms.staff(cohortId), LiveRooms.public(cohortId)];
    // Local only: each instance serves its own sockets; the adapter must not repeat this elsewhere.
    nsp.local.to(audience).emit('event', toLiveEvent(event));
    if (entry.catchingUp.size === 0) return;
    const id = BigInt(event.id);
    for (const sub of entry.catchingUp) {
      if (sub.state === 'replaying') {
        sub.buffer.push(event);
        if (sub.buffer.length > this.options.replayMaxEvents) this.reload(sub, 'too_far_behind', id);
      } else if (sub.state === 'tail') {
        this.sendDirect(sub, event);
        if (id >= sub.cursor) this.goLive(entry, sub);
      }
    }
  }

  private sendDirect(sub: Subscription, event: StoredEvent): void {
    const id = BigInt(event.id);
    if (id <= sub.cursor) return;
    sub.cursor = id;
    if (sub.staff || event.subjectUserId === null || event.subjectUserId === sub.userId) {
      sub.socket.emit('event', toLiveEvent(event));
    }
  }

  private roomsOf(sub: Subscription): string[] {
    return sub.staff
      ? [LiveRooms.staff(sub.cohortId)]
      : [LiveRooms.public(sub.cohortId), LiveRooms.user(sub.cohortId, sub.userId)];
  }

  private goLive(entry: FeedEntry, sub: Subscription): void {
    sub.state = 'live';
    sub.buffer = [];
    entry.catchingUp.delete(sub);
    void sub.socket.join(this.roomsOf(sub));
    if (!sub.staff) return;
    const principal = sub.socket.data.principal!;
    const member = PresenceRegistry.member({
      socketId: sub.socket.id,
      userId: principal.userId,
      displayName: principal.displayName,
      role: principal.role === 'admin' ? 'admin' : 'instructor',
      since: Date.now(),
    });
    sub.presenceMember = member;
    this.presence.join(sub.cohortId, member).then(
      (snapshot) => this.broadcastPresence(snapshot),
      (error: Error) => this.logger.warn({ err: error.message }, 'presence join failed'),
    );
  }

  private close(sub: Subscription): void {
    if (sub.state === 'closed') return;
    const wasLive = sub.state === 'live';
    sub.state = 'closed';
    sub.buffer = [];
    const subscriptions = sub.socket.data.subscriptions;
    if (subscriptions?.get(sub.cohortId) === sub) subscriptions.delete(sub.cohortId);
    if (wasLive && sub.socket.connected) for (const room of this.roomsOf(sub)) void sub.socket.leave(room);
    if (sub.presenceMember) {
      const member = sub.presenceMember;
      sub.presenceMember = null;
      this.presence.leave(sub.cohortId, member).then(
        (snapshot) => this.broadcastPresence(snapshot),
        (error: Error) => this.logger.warn({ err: error.message }, 'presence leave failed'),
      );
    }
    const entry = this.feeds.get(sub.cohortId);
    if (!entry) return;
    entry.members.delete(sub);
    entry.catchingUp.delete(sub);
    if (entry.members.size === 0) {
      entry.feed.dispose();
      this.feeds.delete(sub.cohortId);
    }
  }

  /** Through the adapter: one instance announces, every instance's staff sockets hear it once. */
  private broadcastPresence(snapshot: PresenceSnapshot): void {
    this.nsp?.to(LiveRooms.staff(snapshot.cohortId)).emit('presence', snapshot);
  }

  private async checkStalls(): Promise<void> {
    if (this.stallCheckRunning || this.feeds.size === 0) return;
    this.stallCheckRunning = true;
    try {
      const heads = await this.eventLog.heads([...this.feeds.keys()]);
      for (const [cohortId, entry] of this.feeds) entry.feed.checkStall(heads.get(cohortId) ?? 0n);
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'live head check failed');
    } finally {
      this.stallCheckRunning = false;
    }
  }

  /** Cuts off sockets that do not read: bounded memory, and they recover by replay on reconnect. */
  private sweepBacklogs(): void {
    const nsp = this.nsp;
    if (!nsp) return;
    for (const socket of nsp.sockets.values()) {
      const backlog = backlogOf(socket);
      if (backlog <= this.options.maxBacklogPackets) continue;
      this.counters.slowDisconnects += 1;
      this.logger.warn({ socketId: socket.id, backlog }, 'live socket too slow; disconnecting it');
      const transport = socket.conn.transport as unknown as {
        name: string;
        socket?: { terminate?: () => void };
      };
      // Dropping the TCP connection frees its buffers now; a close handshake would queue behind them.
      if (transport.name === 'websocket' && typeof transport.socket?.terminate === 'function')
        transport.socket.terminate();
      else socket.conn.close(true);
    }
  }

  private async heartbeat(): Promise<void> {
    const entries: { cohortId: string; member: string }[] = [];
    for (const entry of this.feeds.values()) {
      for (const sub of entry.members)
        if (sub.presenceMember) entries.push({ cohortId: sub.cohortId, member: sub.presenceMember });
    }
    try {
      await this.presence.refresh(entries);
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'presence heartbeat failed');
    }
  }
}

function superseded(): SubscribeAck {
  return {
    ok: false,
    error: 'superseded',
    message: 'a newer subscribe or unsubscribe for this cohort replaced this one',
  };
}

/** Packets queued for a socket that its transport has not taken yet (engine.io's write buffer). */
function backlogOf(socket: LiveSocket): number {
  return (socket.conn as unknown as { writeBuffer?: unknown[] }).writeBuffer?.length ?? 0;
}

/** Whether a subscription was closed meanwhile (a function, so the check is not narrowed away after an await). */
function closed(sub: Subscription): boolean {
  return sub.state === 'closed';
}
