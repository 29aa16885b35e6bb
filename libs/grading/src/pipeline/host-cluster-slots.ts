import { RedisConnection } from '@kubecohort/queue';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
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
/** How long a released slot stays with this process for its next grading on the cluster. */
const PARK_MS = 50;

/** A slot granted in Redis to this process: its token, kept alive by `renew` until dropped. */
interface Grant {
  token: string;
  key: string;
  renew: NodeJS.Timeout;
  /** The renewal found it gone from Redis (expired, or Redis lost it): never reused. */
  lost: boolean;
  parkTimer?: NodeJS.Timeout;
}

interface ClusterEntry {
  /** Slots in use by this process's gradings. */
  held: number;
  /** Callers waiting for one of them to be released. */
  waiting: Set<() => void>;
  /** Released slots kept for a moment (PARK_MS) for the next grading here. */
  parked: Grant[];
}

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
 *
 * A released slot stays with this process for PARK_MS before it goes back to Redis: under a stream
 * of gradings the next one on the cluster takes it without the two Redis round trips (acquire,
 * release) a grading would otherwise cost. It still counts against the cluster's limit meanwhile.
 */
@Injectable()
export class HostClusterSlots implements OnModuleDestroy {
  private readonly logger = new Logger(HostClusterSlots.name);
  private readonly acquireScript: (key: string, ...args: (string | number)[]) => Promise<unknown>;
  private readonly renewScript: (key: string, ...args: (string | number)[]) => Promise<unknown>;
  /** Per host cluster: this process's slots in use and parked, and who waits for one. */
  private readonly local = new Map<string, ClusterEntry>();

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
    const entry = this.entry(hostClusterId);
    for (let parked = entry.parked.pop(); parked; parked = entry.parked.pop()) {
      clearTimeout(parked.parkTimer);
      if (!parked.lost) return this.lease(hostClusterId, entry, parked);
      void this.drop(parked);
    }
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
    const grant: Grant = {
      token,
      key,
      lost: false,
      renew: setInterval(
        () => {
          this.renewScript(key, leaseMs, token).then(
            (kept) => {
              if (kept === 1) return;
              grant.lost = true;
              this.logger.warn({ hostClusterId }, 'grading slot lease expired');
            },
            () => undefined, // Redis away: the lease may lapse; the grading carries on regardless
          );
        },
        Math.max(100, Math.floor(leaseMs / 3)),
      ),
    };
    grant.renew.unref();
    return this.lease(hostClusterId, entry, grant);
  }

  private entry(hostClusterId: string): ClusterEntry {
    let entry = this.local.get(hostClusterId);
    if (!entry) {
      entry = { held: 0, waiting: new Set(), parked: [] };
      this.local.set(hostClusterId, entry);
    }
    return entry;
  }

  /** One grading's use of a grant; releasing parks the grant and hands it to a waiter, if any. */
  private lease(hostClusterId: string, entry: ClusterEntry, grant: Grant): SlotLease {
    entry.held += 1;
    let released = false;
    return {
      hostClusterId,
      release: () => {
        if (released) return Promise.resolve();
        released = true;
        entry.held -= 1;
        if (grant.lost) {
          void this.drop(grant);
        } else {
          entry.parked.push(grant);
          grant.parkTimer = setTimeout(() => {
            const index = entry.parked.indexOf(grant);
            if (index >= 0) entry.parked.splice(index, 1);
            void this.drop(grant);
          }, PARK_MS);
          grant.parkTimer.unref();
        }
        // One waiter per released slot: the others keep waiting for the next release.
        const next = entry.waiting.values().next();
        if (!next.done) next.value();
        return Promise.resolve();
      },
    };
  }

  /** Gives a grant back to Redis. Best effort: an unreleased slot expires with its lease. */
  private async drop(grant: Grant): Promise<void> {
    clearInterval(grant.renew);
    await this.redis.client.zrem(grant.key, grant.token).catch(() => undefined);
  }

  /** Parked slots go back at once when the process stops. */
  async onModuleDestroy(): Promise<void> {
    const parked = [...this.local.values()].flatMap((entry) => entry.parked.splice(0));
    for (const grant of parked) clearTimeout(grant.parkTimer);
    await Promise.all(parked.map((grant) => this.drop(grant)));
  }

  /** Slots currently held on a host cluster (tests, metrics). */
  async held(hostClusterId: string): Promise<number> {
    return this.redis.client.zcount(this.key(hostClusterId), Date.now(), '+inf');
  }
}
