import type { EventPayloads, EventType, PublishedEvent } from '@kubecohort/contracts';
import { type Prisma, PrismaService, prismaSql, type Sql, statement } from '@kubecohort/database';
import { Injectable } from '@nestjs/common';

export interface AppendOptions {
  /** The student the event is about: then only they and the cohort's staff see it. */
  subjectUserId?: string | null;
}

/** An event as stored in the log (and published once committed). */
export type StoredEvent<T extends EventType = EventType> = PublishedEvent<T>;

/** An event to append: what it is and whom it is about. */
export interface NewEvent {
  type: EventType;
  payload: EventPayloads[EventType];
  subjectUserId: string | null;
}

/**
 * One statement: bump the cohort's counter by n ($2) and insert the n events ($3, in order) with
 * the ids it reserved. One round trip while the counter row (and whatever else the caller holds,
 * such as the host-cluster lock) stays locked.
 */
const APPEND = statement(
  'events_append',
  `WITH c AS (
     INSERT INTO cohort_event_counters (cohort_id, last_id) VALUES ($1::uuid, $2::int)
     ON CONFLICT (cohort_id) DO UPDATE SET last_id = cohort_event_counters.last_id + $2::int
     RETURNING last_id
   )
   INSERT INTO events (cohort_id, id, type, subject_user_id, payload)
   SELECT $1::uuid, c.last_id - $2::int + e.ord, e.type, e.subject::uuid, e.payload
   FROM c, jsonb_to_recordset($3::jsonb) AS e(ord int, type text, subject text, payload jsonb)
   RETURNING id::text, at`,
);

/**
 * Appends events of one cohort, in order, inside the caller's transaction (`sql`: SqlClient's, or
 * `prismaSql(tx)`). The log's invariant: ids come from the cohort's counter row, bumped inside the
 * writing transaction, so writers of a cohort serialise on it and ids commit in increasing order.
 */
export async function appendEvents(
  sql: Sql,
  cohortId: string,
  events: readonly NewEvent[],
): Promise<StoredEvent[]> {
  if (events.length === 0) return [];
  const rows = await sql.query<{ id: string; at: Date }>(APPEND, [
    cohortId,
    events.length,
    JSON.stringify(
      events.map((event, index) => ({
        ord: index + 1,
        type: event.type,
        subject: event.subjectUserId,
        payload: event.payload,
      })),
    ),
  ]);
  rows.sort((a, b) => Number(a.id) - Number(b.id));
  return events.map((event, index) => ({
    id: rows[index]!.id,
    type: event.type,
    cohortId,
    at: rows[index]!.at.toISOString(),
    payload: event.payload,
    subjectUserId: event.subjectUserId,
  }));
}

type Db = Prisma.TransactionClient | PrismaService;

/**
 * The append-only per-cohort event log. Ids come from a counter row bumped inside the writing
 * transaction: writers of one cohort serialise on that row, so ids commit in increasing order and
 * "everything after N" can never miss an event that committed late.
 */
@Injectable()
export class EventLog {
  constructor(private readonly prisma: PrismaService) {}

  async append<T extends EventType>(
    tx: Prisma.TransactionClient,
    cohortId: string,
    type: T,
    payload: EventPayloads[T],
    options: AppendOptions = {},
  ): Promise<StoredEvent<T>> {
    const [stored] = await appendEvents(prismaSql(tx), cohortId, [
      { type, payload, subjectUserId: options.subjectUserId ?? null },
    ]);
    return stored as StoredEvent<T>;
  }

  /** The last committed event id of a cohort (0 before its first event). */
  async head(cohortId: string, db: Db = this.prisma): Promise<bigint> {
    const row = await db.cohortEventCounter.findUnique({ where: { cohortId }, select: { lastId: true } });
    return row?.lastId ?? 0n;
  }

  /** Last committed ids of several cohorts in one query (cohorts without events are absent). */
  async heads(cohortIds: readonly string[], db: Db = this.prisma): Promise<Map<string, bigint>> {
    if (cohortIds.length === 0) return new Map();
    const rows = await db.cohortEventCounter.findMany({
      where: { cohortId: { in: [...cohortIds] } },
      select: { cohortId: true, lastId: true },
    });
    return new Map(rows.map((row) => [row.cohortId, row.lastId]));
  }

  /** Events of a cohort after `afterId`, in id order (replay). */
  async readAfter(
    cohortId: string,
    afterId: bigint,
    limit = 1000,
    db: Db = this.prisma,
  ): Promise<StoredEvent[]> {
    const rows = await db.event.findMany({
      where: { cohortId, id: { gt: afterId } },
      orderBy: { id: 'asc' },
      take: limit,
    });
    return rows.map((row) => ({
      id: row.id.toString(),
      type: row.type as EventType,
      cohortId: row.cohortId,
      at: row.at.toISOString(),
      payload: row.payload as unknown as EventPayloads[EventType],
      subjectUserId: row.subjectUserId,
    }));
  }
}
