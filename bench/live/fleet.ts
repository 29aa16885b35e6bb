/**
 * A process of socket.io-client clients (api and bare, interleaved, so both feel the same client-side
 * load). Counts every event per client: expected, missing, duplicated, out of order; and times each
 * delivery end to end (from the writer's transaction start) and from the Redis publish.
 */
import { io, type Socket } from 'socket.io-client';
import {
  type ClientSpec,
  type DeliverySummary,
  type FromFleet,
  type Target,
  type ToFleet,
  type WrittenEvent,
  startTimeOf,
} from './protocol.js';
import { Histogram, now } from './stats.js';

interface Client {
  spec: ClientSpec;
  socket: Socket;
  lastId: number;
  seen: Uint8Array;
  received: number;
  duplicates: number;
  outOfOrder: number;
  connects: number;
}

const send = (message: FromFleet): boolean => process.send!(message);
const clients: Client[] = [];
const endToEnd: Record<Target, Histogram> = { api: new Histogram(), bare: new Histogram() };
const deliveries: Record<Target, { at: number[]; key: number[] }> = {
  api: { at: [], key: [] },
  bare: { at: [], key: [] },
};

function open(spec: ClientSpec, urls: Record<Target, string>): Promise<string | null> {
  const socket = io(`${urls[spec.target]}/live`, {
    transports: ['websocket'],
    forceNew: true,
    reconnectionDelay: 100,
    reconnectionDelayMax: 1000,
    auth:
      spec.target === 'api'
        ? { token: spec.token }
        : { cohortId: spec.cohortId, userId: spec.userId, staff: spec.staff },
  });
  const client: Client = {
    spec,
    socket,
    lastId: 0,
    seen: new Uint8Array(4096),
    received: 0,
    duplicates: 0,
    outOfOrder: 0,
    connects: 0,
  };
  clients.push(client);
  socket.on('event', (event: { id: string; payload: unknown }) => {
    const at = now();
    const id = Number(event.id);
    if (id >= client.seen.length) {
      const grown = new Uint8Array(Math.max(id + 1, client.seen.length * 2));
      grown.set(client.seen);
      client.seen = grown;
    }
    if (client.seen[id]) client.duplicates += 1;
    else {
      client.seen[id] = 1;
      client.received += 1;
      if (id < client.lastId) client.outOfOrder += 1;
    }
    client.lastId = Math.max(client.lastId, id);
    endToEnd[spec.target].add(at - startTimeOf(event.payload));
    deliveries[spec.target].at.push(at);
    deliveries[spec.target].key.push(spec.cohort * 1_000_000 + id);
  });
  return new Promise((resolve) => {
    let settled = false;
    const done = (error: string | null) => {
      if (!settled) resolve(error);
      settled = true;
    };
    socket.on('connect_error', (error) => done(error.message));
    socket.on('connect', () => {
      client.connects += 1;
      if (spec.target === 'bare') return done(null);
      // Like a dashboard: after a reconnect, resume from the last event seen.
      const lastEventId = client.connects > 1 && client.lastId > 0 ? String(client.lastId) : undefined;
      socket.emit(
        'subscribe',
        { cohortId: spec.cohortId, lastEventId },
        (ack: { ok: boolean; error?: string }) => done(ack.ok ? null : `subscribe refused: ${ack.error}`),
      );
    });
  });
}

function summarise(target: Target, events: WrittenEvent[], redisAt: Record<string, number>): DeliverySummary {
  const byCohort = new Map<number, WrittenEvent[]>();
  for (const event of events) {
    const list = byCohort.get(event.cohort) ?? [];
    list.push(event);
    byCohort.set(event.cohort, list);
  }
  const summary: DeliverySummary = {
    clients: 0,
    expected: 0,
    received: 0,
    missing: 0,
    duplicates: 0,
    unexpected: 0,
    outOfOrder: 0,
    reconnects: 0,
    endToEnd: endToEnd[target].sparse(),
    fanOut: {},
  };
  for (const client of clients.filter((candidate) => candidate.spec.target === target)) {
    summary.clients += 1;
    summary.received += client.received;
    summary.duplicates += client.duplicates;
    summary.outOfOrder += client.outOfOrder;
    summary.reconnects += Math.max(0, client.connects - 1);
    let expected = 0;
    let missing = 0;
    for (const event of byCohort.get(client.spec.cohort) ?? []) {
      if (!client.spec.staff && event.subject !== null && event.subject !== client.spec.userId) continue;
      expected += 1;
      if (!client.seen[event.id]) missing += 1;
    }
    summary.expected += expected;
    summary.missing += missing;
    // Distinct ids received that this client should not have had (another student's, or unknown).
    summary.unexpected += client.received - (expected - missing);
  }
  const fanOut = new Histogram();
  const { at, key } = deliveries[target];
  for (let index = 0; index < at.length; index++) {
    const cohort = Math.floor(key[index]! / 1_000_000);
    const published = redisAt[`${cohort}:${key[index]! % 1_000_000}`];
    if (published !== undefined) fanOut.add(at[index]! - published);
  }
  summary.fanOut = fanOut.sparse();
  return summary;
}

process.on('message', (message: ToFleet) => {
  if (message.type === 'connect') {
    void (async () => {
      const errors: string[] = [];
      let failed = 0;
      const queue = [...message.clients];
      await Promise.all(
        Array.from({ length: message.concurrency }, async () => {
          for (let spec = queue.shift(); spec; spec = queue.shift()) {
            const error = await open(spec, message.urls);
            if (error) {
              failed += 1;
              if (errors.length < 5) errors.push(error);
            }
          }
        }),
      );
      send({ type: 'connected', connected: clients.length - failed, failed, errors });
    })();
  } else if (message.type === 'finish') {
    for (const client of clients) client.socket.close();
    const report: FromFleet = {
      type: 'report',
      summaries: {
        api: summarise('api', message.events, message.redisAt),
        bare: summarise('bare', message.events, message.redisAt),
      },
    };
    // Exit only once the report is handed over: exiting earlier would drop it.
    process.send!(report, undefined, {}, () => process.exit(0));
  }
});
