import { SqlClient, statement } from '@kubecohort/database';
import { Inject, Injectable, Logger, type OnModuleDestroy, Optional } from '@nestjs/common';

/** Timings of AccountStatus; tests shorten them, production uses the defaults. */
export interface AccountStatusOptions {
  /** Pause between two loads of the inactive set (counted from the end of one to the next). */
  refreshMs: number;
  /** The set answers only while its last successful load started less than this long ago. */
  maxStaleMs: number;
}

/** Optional DI token for AccountStatusOptions; without a provider the defaults apply. */
export const ACCOUNT_STATUS_OPTIONS = Symbol('ACCOUNT_STATUS_OPTIONS');

const DEFAULTS: AccountStatusOptions = { refreshMs: 2000, maxStaleMs: 5000 };

/** Per-user fallback cache, as before the inactive set existed. */
const TTL_MS = 5000;
const MAX_ENTRIES = 10000;

/** The ids the set can answer for: our tokens carry user ids as PostgreSQL prints uuids. */
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Every disabled or erased account: few rows, read every refreshMs by every api process. */
const INACTIVE_ACCOUNTS = statement(
  'auth_inactive_accounts_v1',
  `SELECT id::text AS id FROM users WHERE disabled_at IS NOT NULL OR erased_at IS NOT NULL`,
);

/** $1 user. The fallback while the inactive set is missing or stale, so a named statement. */
const ACCOUNT_ACTIVE = statement(
  'auth_account_active_v1',
  `SELECT disabled_at IS NULL AND erased_at IS NULL AS active FROM users WHERE id = $1::uuid`,
);

/**
 * Whether an account may still act. Access tokens are stateless, so a disabled or erased account
 * would keep working until its token expires; the guard asks here on every authenticated request.
 *
 * Asking the database per user cost a round trip on nearly every request once thousands of
 * distinct students were active, so the process holds the set of INACTIVE account ids instead
 * (disabled or erased accounts are rare, so the set is small) and reloads it every 2 s; an id not
 * in the set is active. That is sound because users are never hard-deleted (erasure sets
 * erased_at and keeps the row) and access tokens are only issued for existing users, so a token's
 * user either has a row or was never real. A decision is thus at most ~2 s old (bounded by
 * maxStaleMs, 5 s, as the per-user cache was).
 *
 * While the set is missing (before its first load completes) or stale (loads failing, e.g. the
 * database is down), answers come from the previous design: one indexed read per user, cached for
 * 5 s, and a user without a row is inactive. The reload timer starts on the first question, so
 * processes that never authenticate requests (the worker) never poll.
 */
@Injectable()
export class AccountStatus implements OnModuleDestroy {
  private readonly logger = new Logger(AccountStatus.name);
  private readonly options: AccountStatusOptions;
  private readonly cache = new Map<string, { active: boolean; until: number }>();
  private inactive: ReadonlySet<string> = new Set();
  /** Date.now() when the last successful load started (what the set reflects), or never. */
  private loadedAt = Number.NEGATIVE_INFINITY;
  private started = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private loading: Promise<void> | undefined;
  /** Someone asked for a refresh while a load ran: the running one may predate their change. */
  private reloadAfter = false;

  constructor(
    private readonly sql: SqlClient,
    @Optional() @Inject(ACCOUNT_STATUS_OPTIONS) options?: Partial<AccountStatusOptions>,
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  async isActive(userId: string): Promise<boolean> {
    const now = Date.now();
    if (!this.started) {
      this.started = true;
      this.refresh(); // this call and those until the load lands use the per-user fallback
    }
    if (now - this.loadedAt < this.options.maxStaleMs && CANONICAL_UUID.test(userId)) {
      return !this.inactive.has(userId);
    }
    return this.lookup(userId, now);
  }

  /**
   * Forget a user's cached status and reload the inactive set now (after disabling or erasing them
   * here). Until that reload lands (milliseconds) the previous set still answers.
   */
  invalidate(userId: string): void {
    this.cache.delete(userId);
    this.refresh();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.loading; // never rejects; lets a running load finish before the pool closes
  }

  /** The previous design: one indexed read per user, cached per user for TTL_MS. */
  private async lookup(userId: string, now: number): Promise<boolean> {
    const hit = this.cache.get(userId);
    if (hit && hit.until > now) return hit.active;
    const [user] = await this.sql.query<{ active: boolean }>(ACCOUNT_ACTIVE, [userId]);
    const active = user?.active === true;
    if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
    this.cache.set(userId, { active, until: now + TTL_MS });
    return active;
  }

  /** Loads the set now, or right after the running load; loads never overlap. */
  private refresh(): void {
    if (this.stopped) return;
    if (this.loading) {
      this.reloadAfter = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = undefined;
    this.loading = this.load().finally(() => {
      this.loading = undefined;
      const again = this.reloadAfter;
      this.reloadAfter = false;
      if (this.stopped) return;
      this.timer = setTimeout(() => this.refresh(), again ? 0 : this.options.refreshMs);
      this.timer.unref(); // never keeps a process alive
    });
  }

  private async load(): Promise<void> {
    const startedAt = Date.now();
    try {
      const rows = await this.sql.query<{ id: string }>(INACTIVE_ACCOUNTS, []);
      this.inactive = new Set(rows.map((row) => row.id));
      this.loadedAt = startedAt;
    } catch (error) {
      // The message only (a pg error names no credentials); the next tick retries.
      const reason = error instanceof Error ? error.message : String(error);
      this.logger.warn(
        `could not reload inactive accounts, retrying in ${this.options.refreshMs} ms: ${reason}`,
      );
    }
  }
}
