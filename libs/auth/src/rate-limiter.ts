import { DomainError } from '@kubecohort/contracts';
import { RedisConnection } from '@kubecohort/queue';
import { Injectable } from '@nestjs/common';

export interface RateLimitRule {
  /** Bucket name, e.g. `auth`, `join`, `submissions`. */
  name: string;
  limit: number;
  windowSeconds: number;
}

/**
 * Fixed-window counters in Redis shared by every api instance. One round trip per check
 * (INCR + EXPIRE NX in a pipeline).
 */
@Injectable()
export class RateLimiter {
  constructor(private readonly redis: RedisConnection) {}

  async consume(rule: RateLimitRule, subject: string): Promise<{ remaining: number; resetSeconds: number }> {
    const window = Math.floor(Date.now() / 1000 / rule.windowSeconds);
    const key = this.redis.key('ratelimit', rule.name, subject, String(window));
    const results = await this.redis.client.multi().incr(key).expire(key, rule.windowSeconds, 'NX').exec();
    const count = Number(results?.[0]?.[1] ?? 0);
    const resetSeconds = rule.windowSeconds - (Math.floor(Date.now() / 1000) % rule.windowSeconds);
    if (count > rule.limit) {
      throw new DomainError(
        'rate_limited',
        'rate_limited',
        `too many requests; try again in ${resetSeconds} s`,
        [],
        resetSeconds,
      );
    }
    return { remaining: rule.limit - count, resetSeconds };
  }
}
