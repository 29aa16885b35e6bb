import { RedisConnection } from '@kubecohort/queue';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { InfrastructureError } from '../runtime/infrastructure.error.js';
import { GRADING_PIPELINE_OPTIONS, type GradingPipelineOptions } from './grading-pipeline.options.js';

// A counting semaphore per host cluster: a sorted set of lease tokens scored by their expiry (in
// Redis's own clock, so workers' clocks never matter). Expired leases are dropped first, so a
// worker that died holding a slot frees it within one lease period.
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`;

const RENEW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if redis.call('ZSCORE', KEYS[1], ARGV[2]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[1]), ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  return 1
end
return 0`;

/** How long a job waits, at most, for a slot this process holds on its cluster before being delayed. */
const LOCAL_WAIT_MS = 250;

/** A held slot: renewed in the background until released. */
export interface SlotLease {
  readonly hostClusterId: string;
  release(): Promise<void>;
}

/**
 * Limits gradings per host cluster across every worker process (GRADING_CONCURRENCY_PER_HOST_CLUSTER),
 * so a burst of submissions cannot flood one cluster's API server with probes while others idle.
 * A job that finds its cluster full is delayed, not blocked: it frees its worker slot for jobs of
 * other clusters (see SubmissionGrader). Before giving up, it waits a moment for a slot that this
 * process holds on the cluster to be released (most gradings are short): a burst is then not
 * spread over retry delays of half a second each.
 */
@Injectable()
export class HostClusterSlots {
  private readonly logger = new Logger(HostClusterSlots.name);
  private readonly acquireScript: (key: string, ...args: (string | number)[]) => Promise<unknown>;
  private readonly renewScript: (key: string, ...args: (string | number)[]) => Promise<unknown>;
  /** Per host cluster: slots this process holds, and callers waiting for one of them to be released. */
  private readonly local = new Map<string, { held: number; waiting: Set<() => void> }>();

  constructor(
    private readonly redis: RedisConnection,
    @Inject(GRADING_PIPELINE_OPTIONS) private readonly options: GradingPipelineOptions,
  ) {
    this.acquireScript = redis.script('kcGradingSlotAcquire', ACQUIRE);
    this.renewScript = redis.script('kcGradingSlotRenew', RENEW);
  }

  private key(hostClusterId: string): string {
    return this.redis.key('grading', 'slots', hostClusterId);
  }

  /**
   * A slot, or null when the cluster is still at its limit after waiting up to LOCAL_WAIT_MS for
   * this process's own slots there to be released. InfrastructureError when Redis is unreachable.
   */
  async acquire(hostClusterId: string): Promise<SlotLease | null> {
    const deadline = Date.now() + Math.min(LOCAL_WAIT_MS, this.options.slotRetryMs);
    for (;;) {
      const lease = await this.tryAcquire(hostClusterId);
      if (lease) return lease;
      const remaining = deadline - Date.now();
      if (remaining <= 0 || !(await this.localRelease(hostClusterId, remaining))) return null;
    }
  }

  /** Resolves true when a slot this process holds on the cluster is released within `ms`; false if none is held or none was. */
  private localRelease(hostClusterId: string, ms: number): Promise<boolean> {
    const entry = this.local.get(hostClusterId);
    if (!entry || entry.held === 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        entry.waiting.delete(wake);
        resolve(true);
      };
      const timer = setTimeout(() => {
        entry.waiting.delete(wake);
        resolve(false);
      }, ms);
      entry.waiting.add(wake);
    });
  }

  private async tryAcquire(hostClusterId: string): Promise<SlotLease | null> {
    const token = randomUUID();
    const key = this.key(hostClusterId);
    const leaseMs = this.options.slotLeaseMs;
    let granted: unknown;
    try {
      granted = await this.acquireScript(key, this.options.concurrencyPerHostCluster, leaseMs, token);
    } catch (error) {
      throw new InfrastructureError(
        `host cluster slots unavailable: ${(error as Error).message}`,
        'redis-down',
        {
          cause: error,
        },
      );
    }
    if (granted !== 1) return null;
    const renew = setInterval(
      () => {
        this.renewScript(key, leaseMs, token).then(
          (kept) => {
            if (kept !== 1) this.logger.warn({ hostClusterId }, 'grading slot lease expired while grading');
          },
          () => undefined, // Redis away: the lease may lapse; the grading carries on regardless
        );
      },
      Math.max(100, Math.floor(leaseMs / 3)),
    );
    renew.unref();
    const entry = this.local.get(hostClusterId) ?? { held: 0, waiting: new Set<() => void>() };
    this.local.set(hostClusterId, entry);
    entry.held += 1;
    let released = false;
    return {
      hostClusterId,
      release: async () => {
        if (released) return;
        released = true;
        clearInterval(renew);
        // Best effort: an unreleased slot expires with its lease.
        await this.redis.client.zrem(key, token).catch(() => undefined);
        entry.held -= 1;
        // One waiter per released slot: the others keep waiting for the next release.
        const next = entry.waiting.values().next();
        if (!next.done) next.value();
      },
    };
  }

  /** Slots currently held on a host cluster (tests, metrics). */
  async held(hostClusterId: string): Promise<number> {
    return this.redis.client.zcount(this.key(hostClusterId), Date.now(), '+inf');
  }
}
