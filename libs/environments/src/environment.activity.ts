import { Clock } from '@kubecohort/config';
import { type EnvironmentState, SqlClient, statement } from '@kubecohort/database';
import { Inject, Injectable } from '@nestjs/common';
import { ACTIVITY_OPTIONS, type ActivityOptions } from './environments.options.js';

/** Users remembered between writes; past this, the oldest are forgotten (they just write again). */
const MAX_REMEMBERED = 50_000;

/** A student's live environment, as much of it as waking needs (see EnvironmentLifecycle.wakeFor). */
export interface LiveEnvironment {
  id: string;
  state: EnvironmentState;
  cohortId: string | null;
}

// updated_at is set as Prisma's @updatedAt would (the wall clock, not Clock).
const TOUCH = `
  UPDATE environments SET last_activity_at = $2, updated_at = now()
  WHERE active_user_id = $1::uuid AND state = 'ready' AND last_activity_at < $3`;

/** $1 user, $2 now, $3 now minus the throttle interval. */
const RECORD = statement('environments_activity_record_v1', TOUCH);

/** $1 user: their live environment (active_user_id is unique). */
export const LIVE_ENVIRONMENT = statement(
  'environments_live_for_user_v1',
  `SELECT id::text AS id, state::text AS state, cohort_id::text AS "cohortId"
   FROM environments WHERE active_user_id = $1::uuid`,
);

/**
 * RECORD and LIVE_ENVIRONMENT in one round trip. The SELECT sees the row as it was before the
 * UPDATE (one snapshot), which changes nothing it returns.
 */
const RECORD_AND_FIND = statement(
  'environments_activity_record_find_v1',
  `WITH touched AS (${TOUCH} RETURNING 1)
   SELECT id::text AS id, state::text AS state, cohort_id::text AS "cohortId"
   FROM environments WHERE active_user_id = $1::uuid`,
);

/**
 * Records that a student used the platform (any authenticated request of theirs, the bot acting
 * for them included), for idle detection. Throttled twice: in memory per process (no query at
 * all within the interval) and in the UPDATE itself (a row written recently by another api
 * instance is not rewritten), so a busy student costs one indexed UPDATE per interval.
 * Named statements, not Prisma: this runs before every student request (submissions included).
 */
@Injectable()
export class EnvironmentActivity {
  private readonly lastWrite = new Map<string, number>();

  constructor(
    private readonly sql: SqlClient,
    private readonly clock: Clock,
    @Inject(ACTIVITY_OPTIONS) private readonly options: ActivityOptions,
  ) {}

  /** Only ready environments are watched for idleness (and only their rows are written). */
  async record(userId: string): Promise<void> {
    const write = this.due(userId);
    if (write) await this.sql.query(RECORD, [userId, ...write]);
  }

  /**
   * record(), and the student's live environment (null when none) read in the same round trip, for
   * a request that may have to wake it.
   */
  async recordAndFind(userId: string): Promise<LiveEnvironment | null> {
    const write = this.due(userId);
    const rows = write
      ? await this.sql.query<LiveEnvironment>(RECORD_AND_FIND, [userId, ...write])
      : await this.sql.query<LiveEnvironment>(LIVE_ENVIRONMENT, [userId]);
    return rows[0] ?? null;
  }

  /** The UPDATE's now and written-before parameters, or null while the in-memory throttle holds. */
  private due(userId: string): [Date, Date] | null {
    const now = this.clock.now();
    const last = this.lastWrite.get(userId);
    const everyMs = this.options.throttleSeconds * 1000;
    if (last !== undefined && now.getTime() - last < everyMs) return null;
    this.lastWrite.delete(userId);
    this.lastWrite.set(userId, now.getTime());
    if (this.lastWrite.size > MAX_REMEMBERED) this.lastWrite.delete(this.lastWrite.keys().next().value!);
    return [now, new Date(now.getTime() - everyMs)];
  }
}
