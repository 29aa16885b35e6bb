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
 * KEYS[1] = the window's counter, ARGV[1] = the window in seconds. Counts one request and returns
 * the count; the first request of a window (or a counter somehow left without a TTL) sets the
 * expiry, later ones leave it alone.
 */
const CONSUME = `
local count = redis.call('INCR', KEYS[1])
if count == 1 or redis.call('TTL', KEYS[1]) == -1 then
  redis.call('EXPIRE', KEYS[1], ARGV[1])
end
return count
`;

/**
 * Fixed-window counters in Redis shared by every api instance. One round trip per check, and one
 * command in it: a Lua script run by EVALSHA (INCR, plus EXPIRE on a window's first request)
 * rather than MULTI/INCR/EXPIRE NX/EXEC, four replies for the api to parse on every request.
 */
@Injectable()
export class RateLimiter {
  private readonly consumeScript: (key: string, ...args: (string | number)[]) => Promise<unknown>;

  constructor(private readonly redis: RedisConnection) {
    this.consumeScript = redis.script('kcRateLimitConsume', CONSUME);
  }

  async consume(rule: RateLimitRule, subject: string): Promise<{ remaining: number; resetSeconds: number }> {
    const window = Math.floor(Date.now() / 1000 / rule.windowSeconds);
    const key = this.redis.key('ratelimit', rule.name, subject, String(window));
    const count = Number(await this.consumeScript(key, rule.windowSeconds));
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
