import type { LiveEvent } from '@kubecohort/contracts';
import type { PresenceSnapshot, ReloadNotice, SubscribeAck } from '@kubecohort/realtime';
import { io, type Socket } from 'socket.io-client';

export async function waitUntil(check: () => boolean, timeoutMs = 10000, what = 'condition'): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * A socket.io-client on `/live` that records everything it receives and, like a real dashboard,
 * re-subscribes after a reconnect with the last event id it saw per cohort.
 */
export class LiveClient {
  readonly events: LiveEvent[] = [];
  readonly reloads: ReloadNotice[] = [];
  readonly presence: PresenceSnapshot[] = [];
  readonly acks: SubscribeAck[] = [];
  /** Last id seen (or acknowledged as the starting point) per cohort. */
  readonly lastIds = new Map<string, string>();
  connects = 0;

  private constructor(readonly socket: Socket) {
    socket.on('event', (event: LiveEvent) => {
      this.events.push(event);
      this.lastIds.set(event.cohortId, event.id);
    });
    socket.on('reload', (notice: ReloadNotice) => {
      this.reloads.push(notice);
      this.lastIds.delete(notice.cohortId);
    });
    socket.on('presence', (snapshot: PresenceSnapshot) => this.presence.push(snapshot));
    socket.on('connect', () => {
      this.connects += 1;
      if (this.connects === 1) return;
      for (const [cohortId, lastEventId] of this.lastIds) void this.subscribe(cohortId, lastEventId);
    });
  }

  static socket(url: string, token?: string, options: { header?: boolean } = {}): Socket {
    return io(`${url}/live`, {
      transports: ['websocket'],
      forceNew: true,
      reconnectionDelay: 50,
      reconnectionDelayMax: 200,
      ...(options.header
        ? { extraHeaders: token ? { authorization: `Bearer ${token}` } : {} }
        : { auth: token === undefined ? {} : { token } }),
    });
  }

  static async connect(url: string, token: string, options: { header?: boolean } = {}): Promise<LiveClient> {
    const client = new LiveClient(LiveClient.socket(url, token, options));
    await new Promise<void>((resolve, reject) => {
      client.socket.once('connect', () => resolve());
      client.socket.once('connect_error', (error) => reject(error));
    });
    return client;
  }

  /** The `connect_error` message of a refused handshake. */
  static async refusal(
    url: string,
    token?: string,
    options: { header?: boolean } = {},
  ): Promise<{ message: string; data: unknown }> {
    const socket = LiveClient.socket(url, token, options);
    try {
      return await new Promise((resolve, reject) => {
        socket.once('connect', () => reject(new Error('connected, but should have been refused')));
        socket.once('connect_error', (error: Error & { data?: unknown }) =>
          resolve({ message: error.message, data: error.data }),
        );
      });
    } finally {
      socket.close();
    }
  }

  async subscribe(cohortId: string, lastEventId?: string): Promise<SubscribeAck> {
    const ack = (await this.socket
      .timeout(15000)
      .emitWithAck('subscribe', { cohortId, lastEventId })) as SubscribeAck;
    this.acks.push(ack);
    if (ack.ok && ack.lastEventId !== undefined && !this.lastIds.has(cohortId))
      this.lastIds.set(cohortId, ack.lastEventId);
    return ack;
  }

  async unsubscribe(cohortId: string): Promise<SubscribeAck> {
    this.lastIds.delete(cohortId);
    return (await this.socket.timeout(5000).emitWithAck('unsubscribe', { cohortId })) as SubscribeAck;
  }

  eventsOf(cohortId: string): LiveEvent[] {
    return this.events.filter((event) => event.cohortId === cohortId);
  }

  idsOf(cohortId: string): number[] {
    return this.eventsOf(cohortId).map((event) => Number(event.id));
  }

  /** Simulates a network drop: the transport closes and the client reconnects by itself. */
  dropConnection(): void {
    this.socket.io.engine.close();
  }

  close(): void {
    this.socket.close();
  }
}

/**
 * A raw Engine.IO/Socket.IO websocket that subscribes and then stops reading from its TCP socket:
 * the kernel buffers fill and the server's backlog for it grows (a stalled dashboard tab).
 */
export async function openStalledSocket(
  url: string,
  token: string,
  cohortId: string,
): Promise<{ close(): void }> {
  const { default: WebSocket } = await import('ws');
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`);
  const inbox: string[] = [];
  ws.on('message', (data) => inbox.push((data as Buffer).toString()));
  const expectMessage = async (pattern: RegExp): Promise<string> => {
    let found: string | undefined;
    await waitUntil(
      () => (found = inbox.find((message) => pattern.test(message))) !== undefined,
      5000,
      `message ${pattern}`,
    );
    return found!;
  };
  await expectMessage(/^0\{/);
  ws.send(`40/live,${JSON.stringify({ token })}`);
  await expectMessage(/^40\/live,/);
  ws.send(`42/live,1${JSON.stringify(['subscribe', { cohortId }])}`);
  const ack = await expectMessage(/^43\/live,1/);
  if (!ack.includes('"ok":true')) throw new Error(`stalled socket could not subscribe: ${ack}`);
  (ws as unknown as { _socket: { pause(): void } })._socket.pause();
  return { close: () => ws.terminate() };
}
