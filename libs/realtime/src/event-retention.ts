import { Prisma, PrismaService } from '@kubecohort/database';
import { Injectable } from '@nestjs/common';

export interface PruneOptions {
  /** Events older than this many hours (before `now`) go. */
  retentionHours: number;
  now?: Date;
  /** Only these cohorts (all when absent). */
  cohortIds?: readonly string[];
}

/**
 * Prunes the event log past its retention window. Per cohort it deletes a PREFIX of ids: everything
 * up to the newest event older than the cutoff. `at` is the writing transaction's start time, so it
 * is not strictly increasing with ids; cutting by id keeps what remains contiguous, which is what
 * lets a replay tell "beyond retention" (first retained id > lastEventId + 1) from "nothing missed".
 * The counter rows stay, so ids keep increasing after a prune.
 */
@Injectable()
export class EventRetention {
  constructor(private readonly prisma: PrismaService) {}

  async prune(options: PruneOptions): Promise<{ deleted: number; cohorts: number }> {
    const now = options.now ?? new Date();
    const cutoff = new Date(now.getTime() - options.retentionHours * 3600_000);
    const scope =
      options.cohortIds === undefined
        ? Prisma.empty
        : Prisma.sql`AND cohort_id = ANY(${[...options.cohortIds]}::uuid[])`;
    const cuts = await this.prisma.$queryRaw<{ cohort_id: string; max_id: bigint }[]>`
      SELECT cohort_id::text AS cohort_id, max(id) AS max_id FROM events
      WHERE at < ${cutoff} ${scope}
      GROUP BY cohort_id`;
    let deleted = 0;
    for (const cut of cuts) {
      deleted += await this.prisma.$executeRaw`
        DELETE FROM events WHERE cohort_id = ${cut.cohort_id}::uuid AND id <= ${cut.max_id}`;
    }
    return { deleted, cohorts: cuts.length };
  }
}
