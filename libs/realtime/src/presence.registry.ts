import { RedisConnection } from '@kubecohort/queue';
import { Inject, Injectable } from '@nestjs/common';
import { LIVE_DEFAULTS, LIVE_OPTIONS, type LiveOptions } from './live.options.js';

/** One staff socket watching a cohort, on some api instance. */
export interface PresenceEntry {
  socketId: string;
  userId: string;
  displayName: string;
  role: 'admin' | 'instructor';
  /** Epoch ms the socket started watching. */
  since: number;
}

export interface PresenceWatcher {
  userId: string;
  displayName: string;
  role: 'admin' | 'instructor';
  /** Open connections (tabs, devices) of this person on the cohort. */
  connections: number;
  since: string;
}

/** Who watches a cohort. `version` increases with every change, so clients keep the newest snapshot. */
export interface PresenceSnapshot {
  cohortId: string;
  version: number;
  watching: PresenceWatcher[];
}

/** How long the version counter outlives the last change (a stale snapshot is empty by then). */
const VERSION_TTL_MS = 30 * 24 * 3600 * 1000;

/**
 * Which staff members are watching which cohort, shared by every api instance through Redis: a
 * sorted set per cohort of socket entries scored by expiry. Instances refresh their own entries;
 * the entries of a crashed instance expire by themselves. Changes and their snapshot are one
 * MULTI, with a version counter, so two instances announcing at once cannot be told apart wrongly.
 */
@Injectable()
export class PresenceRegistry {
  private readonly ttlMs: number;

  constructor(
    private readonly redis: RedisConnection,
    @Inject(LIVE_OPTIONS) options: LiveOptions,
  ) {
    this.ttlMs = options.presenceTtlMs ?? LIVE_DEFAULTS.presenceTtlMs;
  }

  static member(entry: PresenceEntry): string {
    return JSON.stringify(entry);
  }

  async join(cohortId: string, member: string, now = Date.now()): Promise<PresenceSnapshot> {
    return this.change(cohortId, now, (multi, key) => multi.zadd(key, now + this.ttlMs, member));
  }

  async leave(cohortId: string, member: string, now = Date.now()): Promise<PresenceSnapshot> {
    return this.change(cohortId, now, (multi, key) => multi.zrem(key, member));
  }

  /** Heartbeat for this instance's entries. */
  async refresh(entries: readonly { cohortId: string; member: string }[], now = Date.now()): Promise<void> {
    if (entries.length === 0) return;
    const pipeline = this.redis.client.pipeline();
    for (const { cohortId, member } of entries) {
      pipeline.zadd(this.key(cohortId), 'XX', now + this.ttlMs, member);
      pipeline.pexpire(this.key(cohortId), this.ttlMs * 2);
    }
    await pipeline.exec();
  }

  async list(cohortId: string, now = Date.now()): Promise<PresenceSnapshot> {
    const [members, version] = await Promise.all([
      this.redis.client.zrangebyscore(this.key(cohortId), now, '+inf'),
      this.redis.client.get(this.versionKey(cohortId)),
    ]);
    return PresenceRegistry.snapshot(cohortId, Number(version ?? 0), members);
  }

  private async change(
    cohortId: string,
    now: number,
    mutate: (multi: ReturnType<RedisConnection['client']['multi']>, key: string) => unknown,
  ): Promise<PresenceSnapshot> {
    const key = this.key(cohortId);
    const versionKey = this.versionKey(cohortId);
    const multi = this.redis.client.multi().zremrangebyscore(key, '-inf', now);
    mutate(multi, key);
    multi
      .pexpire(key, this.ttlMs * 2)
      .incr(versionKey)
      .pexpire(versionKey, VERSION_TTL_MS)
      .zrange(key, 0, -1);
    const results = (await multi.exec()) ?? [];
    for (const [error] of results) if (error) throw error;
    const version = Number(results[results.length - 3]?.[1] ?? 0);
    const members = (results[results.length - 1]?.[1] ?? []) as string[];
    return PresenceRegistry.snapshot(cohortId, version, members);
  }

  private static snapshot(cohortId: string, version: number, members: readonly string[]): PresenceSnapshot {
    const byUser = new Map<string, PresenceWatcher & { sinceMs: number }>();
    for (const member of members) {
      let entry: PresenceEntry;
      try {
        entry = JSON.parse(member) as PresenceEntry;
      } catch {
        continue;
      }
      const seen = byUser.get(entry.userId);
      if (seen) {
        seen.connections += 1;
        if (entry.since < seen.sinceMs) seen.sinceMs = entry.since;
      } else {
        byUser.set(entry.userId, {
          userId: entry.userId,
          displayName: entry.displayName,
          role: entry.role,
          connections: 1,
          since: '',
          sinceMs: entry.since,
        });
      }
    }
    const watching = [...byUser.values()]
      .sort((a, b) => a.sinceMs - b.sinceMs || a.userId.localeCompare(b.userId))
      .map(({ sinceMs, ...watcher }) => ({ ...watcher, since: new Date(sinceMs).toISOString() }));
    return { cohortId, version, watching };
  }

  private key(cohortId: string): string {
    return this.redis.key('live', 'presence', cohortId);
  }

  private versionKey(cohortId: string): string {
    return this.redis.key('live', 'presence-version', cohortId);
  }
}
