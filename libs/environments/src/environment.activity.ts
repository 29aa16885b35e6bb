import { Clock } from '@kubecohort/config';
import { SqlClient, statement } from '@kubecohort/database';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { ACTIVITY_OPTIONS, type ActivityOptions } from './environments.options.js';

/** Users remembered between writes; past this, the oldest are forgotten (they just write again). */
const MAX_REMEMBERED = 50_000;
/** Marks gathered before they are written, at most this long. */
const FLUSH_AFTER_MS = 1000;

/**
 * $1 users, $2 when each was active, $3 the throttle in seconds. updated_at is set as Prisma's
 * @updatedAt would (the wall clock, not Clock). A row written recently (by another api instance)
 * is not rewritten. `= ANY($1)` keeps the plan on the unique index whatever the batch size.
 */
const RECORD = statement(
  'environments_activity_record_batch_v1',
  `UPDATE environments e SET last_activity_at = v.at, updated_at = now()
   FROM unnest($1::uuid[], $2::timestamptz[]) AS v(user_id, at)
   WHERE e.active_user_id = ANY($1::uuid[]) AND e.active_user_id = v.user_id
     AND e.state = 'ready' AND e.last_activity_at < v.at - make_interval(secs => $3::int)`,
);

/**
 * Records that a student used the platform (any authenticated request of theirs, the bot acting
 * for them included), for idle detection. Throttled twice: in memory per process (nothing at all
 * within the interval) and in the UPDATE itself (a row written recently by another api instance
 * is not rewritten). Marks are gathered for up to a second and written by one statement, so a
 * request never waits for one: idle detection works in minutes, and a mark lost with a crashed
 * process only makes the student look idle a second earlier.
 */
@Injectable()
export class EnvironmentActivity implements OnModuleDestroy {
  private readonly logger = new Logger(EnvironmentActivity.name);
  private readonly lastWrite = new Map<string, number>();
  private pending = new Map<string, Date>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly sql: SqlClient,
    private readonly clock: Clock,
    @Inject(ACTIVITY_OPTIONS) private readonly options: ActivityOptions,
  ) {}

  /** Only ready environments are watched for idleness (and only their rows are written). */
  record(userId: string): void {
    const now = this.due(userId);
    if (!now) return;
    this.pending.set(userId, now);
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), FLUSH_AFTER_MS);
      this.timer.unref();
    }
  }

  /** Writes the marks gathered so far (also at shutdown). Never throws: marks are best effort. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return this.writing;
    const batch = this.pending;
    this.pending = new Map();
    this.writing = this.writing.then(() =>
      this.sql.query(RECORD, [[...batch.keys()], [...batch.values()], this.options.throttleSeconds]).then(
        () => undefined,
        (error: Error) =>
          this.logger.warn({ err: error.message, users: batch.size }, 'activity marks not written'),
      ),
    );
    return this.writing;
  }

  async onModuleDestroy(): Promise<void> {
    await this.flush();
  }

  /** When the student was active, or null while the in-memory throttle holds. */
  private due(userId: string): Date | null {
    const now = this.clock.now();
    const last = this.lastWrite.get(userId);
    const everyMs = this.options.throttleSeconds * 1000;
    if (last !== undefined && now.getTime() - last < everyMs) return null;
    this.lastWrite.delete(userId);
    this.lastWrite.set(userId, now.getTime());
    if (this.lastWrite.size > MAX_REMEMBERED) this.lastWrite.delete(this.lastWrite.keys().next().value!);
    return now;
  }
}
