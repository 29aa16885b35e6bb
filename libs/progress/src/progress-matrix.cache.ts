import { RedisConnection } from '@kubecohort/queue';
import { Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';

export interface CachedPage {
  /** The page's JSON, serialised once. */
  body: Buffer;
  /** Strong ETag: a hash of the body. */
  etag: string;
}

/**
 * Where a response came from. memory / redis: a cached page; shared: waited for a page this
 * process was already producing; patched: produced from the previous version of the page and the
 * rows the events since then changed; built: built from scratch.
 */
export type CacheSource = 'memory' | 'redis' | 'shared' | 'patched' | 'built';

/** A page produced on a miss. */
export interface Produced {
  body: Buffer;
  kind: 'patch' | 'full' | 'redis';
}

export interface MatrixCacheStats {
  requests: number;
  /** Served from this process's memory. */
  memoryHits: number;
  /** Served from Redis (built by another api instance, or by this one before its copy expired). */
  redisHits: number;
  /** Waited for a page this process was already producing. */
  sharedBuilds: number;
  /** Produced by patching the previous version (a few rows read again). */
  patches: number;
  /** Built from scratch (two queries). */
  builds: number;
  /** Requests served without producing a page: 1 - (patches + builds) / requests. */
  hitRatio: number;
}

/** Entries per process; pages are ~25–70 kB, so this bounds memory to a few tens of MB. */
const MEMORY_ENTRIES = 256;
/** Keys carry the progress version, so age only matters for what no event announces (a renamed student). */
const MEMORY_TTL_MS = 60_000;
const REDIS_TTL_SECONDS = 300;

/**
 * Two-level cache of serialised matrix pages. Keys include the cohort's progress version (its event
 * counter), so an entry can never be served after a change: the change moves readers to a new key.
 * Level one is this process's memory (no network, no copy); level two is Redis, shared by every api
 * instance, which the producer consults before building a page from scratch. Concurrent misses of
 * one key share a single production. Redis being down only costs speed.
 */
@Injectable()
export class ProgressMatrixCache {
  private readonly logger = new Logger(ProgressMatrixCache.name);
  private readonly memory = new Map<string, CachedPage & { expiresAt: number }>();
  private readonly producing = new Map<string, Promise<{ page: CachedPage; source: CacheSource }>>();
  private readonly counters = {
    requests: 0,
    memoryHits: 0,
    redisHits: 0,
    sharedBuilds: 0,
    patches: 0,
    builds: 0,
  };

  constructor(private readonly redis: RedisConnection) {}

  /**
   * The page under `key`, or the one `produce` makes. `produce` gets a Redis lookup of the key to
   * try before building from scratch; a page it makes is stored in Redis too (not awaited).
   */
  async get(
    key: string,
    produce: (fromRedis: () => Promise<Buffer | null>) => Promise<Produced>,
  ): Promise<{ page: CachedPage; source: CacheSource }> {
    this.counters.requests += 1;
    const remembered = this.memory.get(key);
    if (remembered && remembered.expiresAt > Date.now()) {
      this.counters.memoryHits += 1;
      return { page: remembered, source: 'memory' };
    }
    const pending = this.producing.get(key);
    if (pending) {
      this.counters.sharedBuilds += 1;
      return { page: (await pending).page, source: 'shared' };
    }
    const redisKey = this.redis.key('progress-matrix', key);
    const making = (async () => {
      const produced = await produce(() =>
        this.redis.client.getBuffer(redisKey).catch((error: Error) => this.redisFailed(error, null)),
      );
      const page = {
        body: produced.body,
        etag: `"${createHash('sha1').update(produced.body).digest('base64url')}"`,
      };
      this.remember(key, page);
      if (produced.kind === 'redis') {
        this.counters.redisHits += 1;
        return { page, source: 'redis' as const };
      }
      this.counters[produced.kind === 'patch' ? 'patches' : 'builds'] += 1;
      void this.redis.client
        .set(redisKey, produced.body, 'EX', REDIS_TTL_SECONDS)
        .catch((error: Error) => this.redisFailed(error, null));
      return { page, source: produced.kind === 'patch' ? ('patched' as const) : ('built' as const) };
    })();
    this.producing.set(key, making);
    try {
      return await making;
    } finally {
      this.producing.delete(key);
    }
  }

  stats(): MatrixCacheStats {
    const { requests, builds, patches } = this.counters;
    return { ...this.counters, hitRatio: requests === 0 ? 0 : 1 - (builds + patches) / requests };
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
