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

/** An event to append to a given cohort's log. */
export interface CohortEvent extends NewEvent {
  cohortId: string;
}

/**
 * One statement for events of any cohorts ($1, each with its position `ord` within its cohort):
 * bump each cohort's counter by its count, in cohort id order (every writer locks counters in that
 * order, so two cannot deadlock), and insert the events with the ids reserved. One round trip while
 * the counter rows (and whatever else the caller holds) stay locked.
 */
const APPEND = statement(
  'events_append_cohorts',
  `WITH e AS (
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS e(cohort_id uuid, ord int, type text, subject text, payload jsonb)
   ), n AS (
     SELECT cohort_id, count(*)::int AS n FROM e GROUP BY cohort_id
   ), c AS (
     INSERT INTO cohort_event_counters (cohort_id, last_id)
     SELECT cohort_id, n FROM n ORDER BY cohort_id
     ON CONFLICT (cohort_id) DO UPDATE SET last_id = cohort_event_counters.last_id + EXCLUDED.last_id
     RETURNING cohort_id, last_id
   )
   INSERT INTO events (cohort_id, id, type, subject_user_id, payload)
   SELECT e.cohort_id, c.last_id - n.n + e.ord, e.type, e.subject::uuid, e.payload
   FROM e JOIN n USING (cohort_id) JOIN c USING (cohort_id)
   RETURNING cohort_id::text AS "cohortId", id::text, at`,
);

/**
 * Appends events inside the caller's transaction (`sql`: SqlClient's, or `prismaSql(tx)`), in order
 * within each cohort, in one statement. The log's invariant: ids come from the cohort's counter
 * row, bumped inside the writing transaction, so writers of a cohort serialise on it and ids commit
 * in increasing order. Returns the events stored, in the order given.
 */
export async function appendCohortEvents(sql: Sql, events: readonly CohortEvent[]): Promise<StoredEvent[]> {
  if (events.length === 0) return [];
  const counts = new Map<string, number>();
  const rows = events.map((event) => {
    const cohortId = event.cohortId.toLowerCase(); // as PostgreSQL prints uuids
    const ord = (counts.get(cohortId) ?? 0) + 1;
    counts.set(cohortId, ord);
    return {
      cohort_id: cohortId,
      ord,
      type: event.type,
      subject: event.subjectUserId,
      payload: event.payload,
    };
  });
  const stored = await sql.query<{ cohortId: string; id: string; at: Date }>(APPEND, [JSON.stringify(rows)]);
  // Within a cohort, ids were reserved in `ord` order.
  const byCohort = new Map<string, { id: string; at: Date }[]>();
  for (const row of stored) byCohort.set(row.cohortId, [...(byCohort.get(row.cohortId) ?? []), row]);
  for (const list of byCohort.values()) list.sort((a, b) => Number(a.id) - Number(b.id));
  return events.map((event, index) => {
    const row = byCohort.get(rows[index]!.cohort_id)![rows[index]!.ord - 1]!;
    return {
      id: row.id,
      type: event.type,
      cohortId: event.cohortId,
      at: row.at.toISOString(),
      payload: event.payload,
      subjectUserId: event.subjectUserId,
    };
  });
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
    const [stored] = await appendCohortEvents(prismaSql(tx), [
      { cohortId, type, payload, subjectUserId: options.subjectUserId ?? null },
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
