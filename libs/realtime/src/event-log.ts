import type { EventPayloads, EventType, PublishedEvent } from '@kubecohort/contracts';
import { type Prisma, PrismaService } from '@kubecohort/database';
import { Injectable } from '@nestjs/common';

export interface AppendOptions {
  /** The student the event is about: then only they and the cohort's staff see it. */
  subjectUserId?: string | null;
}

/** An event as stored in the log (and published once committed). */
export type StoredEvent<T extends EventType = EventType> = PublishedEvent<T>;

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
    // The counter bump and the insert in one statement: one round trip while the cohort's counter
    // row (and whatever else the caller holds, such as the host-cluster lock) stays locked.
    const subject = options.subjectUserId ?? null;
    const [row] = await tx.$queryRaw<{ id: bigint; at: Date }[]>`
      WITH counter AS (
        INSERT INTO cohort_event_counters (cohort_id, last_id) VALUES (${cohortId}::uuid, 1)
        ON CONFLICT (cohort_id) DO UPDATE SET last_id = cohort_event_counters.last_id + 1
        RETURNING last_id)
      INSERT INTO events (cohort_id, id, type, payload, subject_user_id)
      SELECT ${cohortId}::uuid, counter.last_id, ${type}, ${JSON.stringify(payload)}::jsonb, ${subject}::uuid
        FROM counter
      RETURNING id, at`;
    const id = row!.id;
    return {
      id: id.toString(),
      type,
      cohortId,
      at: row!.at.toISOString(),
      payload,
      subjectUserId: options.subjectUserId ?? null,
    };
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
