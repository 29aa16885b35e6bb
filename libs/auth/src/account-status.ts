import { SqlClient, statement } from '@kubecohort/database';
import { Injectable } from '@nestjs/common';

const TTL_MS = 5000;
const MAX_ENTRIES = 10000;

/** $1 user. Every authenticated request may ask (cache misses), so it is a named statement. */
const ACCOUNT_ACTIVE = statement(
  'auth_account_active_v1',
  `SELECT disabled_at IS NULL AND erased_at IS NULL AS active FROM users WHERE id = $1::uuid`,
);

/**
 * Whether an account may still act. Access tokens are stateless, so a disabled or erased account
 * would keep working until its token expires; the guard asks here instead, through a short
 * per-process cache (one indexed read per user every 5 s at most).
 */
@Injectable()
export class AccountStatus {
  private readonly cache = new Map<string, { active: boolean; until: number }>();

  constructor(private readonly sql: SqlClient) {}

  async isActive(userId: string): Promise<boolean> {
    const now = Date.now();
    const hit = this.cache.get(userId);
    if (hit && hit.until > now) return hit.active;
    const [user] = await this.sql.query<{ active: boolean }>(ACCOUNT_ACTIVE, [userId]);
    const active = user?.active === true;
    if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
    this.cache.set(userId, { active, until: now + TTL_MS });
    return active;
  }

  /** Forget a user at once in this process (after disabling or erasing them here). */
  invalidate(userId: string): void {
    this.cache.delete(userId);
  }
}
