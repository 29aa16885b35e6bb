import { RedisConnection } from '@kubecohort/queue';
import { Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';

export interface CachedPage {
  /** The page's JSON, serialised once. */
  body: Buffer;
  /** Strong ETag: a hash of the body. */
  etag: string;
}

export type CacheSource = 'memory' | 'redis' | 'shared' | 'built';

export interface MatrixCacheStats {
  requests: number;
  /** Served from this process's memory. */
  memoryHits: number;
  /** Served from Redis (built by another api instance, or before this process's copy expired). */
  redisHits: number;
  /** Waited for a build another request of this process had already started. */
  sharedBuilds: number;
  /** Built from PostgreSQL. */
  builds: number;
  /** 1 - builds / requests. */
  hitRatio: number;
}

/** Entries per process; pages are ~25–60 kB, so this bounds memory to a few tens of MB. */
const MEMORY_ENTRIES = 256;
/** Keys carry the progress version, so age only matters for what no event announces (a renamed student). */
const MEMORY_TTL_MS = 60_000;
const REDIS_TTL_SECONDS = 300;

/**
 * Two-level cache of serialised matrix pages. Keys include the cohort's progress version (its event
 * counter), so an entry can never be served after a change: the change moves readers to a new key.
 * Level one is this process's memory (no network, no copy); level two is Redis, shared by every api
 * instance. Concurrent misses of one key share a single build. Redis being down only costs speed.
 */
@Injectable()
export class ProgressMatrixCache {
  private readonly logger = new Logger(ProgressMatrixCache.name);
  private readonly memory = new Map<string, CachedPage & { expiresAt: number }>();
  private readonly building = new Map<string, Promise<CachedPage>>();
  private readonly counters = { requests: 0, memoryHits: 0, redisHits: 0, sharedBuilds: 0, builds: 0 };

  constructor(private readonly redis: RedisConnection) {}

  async get(key: string, build: () => Promise<Buffer>): Promise<{ page: CachedPage; source: CacheSource }> {
    this.counters.requests += 1;
    const remembered = this.memory.get(key);
    if (remembered && remembered.expiresAt > Date.now()) {
      this.counters.memoryHits += 1;
      return { page: remembered, source: 'memory' };
    }
    const pending = this.building.get(key);
    if (pending) {
      this.counters.sharedBuilds += 1;
      return { page: await pending, source: 'shared' };
    }
    let source: CacheSource = 'built';
    const filling = (async () => {
      const redisKey = this.redis.key('progress-matrix', key);
      let body = await this.redis.client
        .getBuffer(redisKey)
        .catch((error: Error) => this.redisFailed(error, null));
      if (body) {
        source = 'redis';
        this.counters.redisHits += 1;
      } else {
        this.counters.builds += 1;
        body = await build();
        await this.redis.client
          .set(redisKey, body, 'EX', REDIS_TTL_SECONDS)
          .catch((error: Error) => this.redisFailed(error, null));
      }
      const page = { body, etag: `"${createHash('sha1').update(body).digest('base64url')}"` };
      this.remember(key, page);
      return page;
    })();
    this.building.set(key, filling);
    try {
      return { page: await filling, source };
    } finally {
      this.building.delete(key);
    }
  }

  stats(): MatrixCacheStats {
    const { requests, builds } = this.counters;
    return { ...this.counters, hitRatio: requests === 0 ? 0 : 1 - builds / requests };
  }

  resetStats(): void {
    for (const name of Object.keys(this.counters) as (keyof typeof this.counters)[]) this.counters[name] = 0;
  }

  private remember(key: string, page: CachedPage): void {
    if (this.memory.size >= MEMORY_ENTRIES) {
      // Oldest first (Map keeps insertion order); superseded versions are the oldest keys.
      const oldest = this.memory.keys().next().value;
      if (oldest !== undefined) this.memory.delete(oldest);
    }
    this.memory.set(key, { ...page, expiresAt: Date.now() + MEMORY_TTL_MS });
  }

  private redisFailed<T>(error: Error, fallback: T): T {
    this.logger.debug({ err: error.message }, 'progress matrix cache: Redis unavailable, using PostgreSQL');
    return fallback;
  }
}
