import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { RateLimiter, type RateLimitRule } from '@kubecohort/auth';
import { DomainError } from '@kubecohort/contracts';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { scratchRedis, type ScratchRedis } from './support/redis-private.js';

// RateLimiter's counting script on the machine's Redis, under a prefix of this suite's own.

describe('RateLimiter', () => {
  let redis: ScratchRedis;
  let limiter: RateLimiter;

  beforeAll(async () => {
    redis = await scratchRedis('ratelimit');
    limiter = new RateLimiter(redis);
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });
  afterAll(() => redis.close());

  const rule = (limit: number, windowSeconds = 3600): RateLimitRule => ({
    name: `rule-${randomUUID().slice(0, 8)}`,
    limit,
    windowSeconds,
  });
  /** Stops the clock (where Date.now is concerned), so the test and the limiter agree on the window. */
  const pinClock = () => {
    const now = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(now);
  };
  const keyOf = (r: RateLimitRule, subject: string) =>
    redis.key('ratelimit', r.name, subject, String(Math.floor(Date.now() / 1000 / r.windowSeconds)));
  const rejection = async (r: RateLimitRule, subject: string): Promise<DomainError> => {
    const error = await limiter.consume(r, subject).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  };

  it('counts per rule and subject, then refuses with rate_limited and the seconds to wait', async () => {
    pinClock();
    const r = rule(3);
    const remaining = [];
    for (let i = 0; i < 3; i += 1) remaining.push((await limiter.consume(r, 'alice')).remaining);
    expect(remaining).toEqual([2, 1, 0]);
    const error = await rejection(r, 'alice');
    expect([error.kind, error.code]).toEqual(['rate_limited', 'rate_limited']);
    expect(error.retryAfterSeconds).toBeGreaterThan(0);
    expect(error.retryAfterSeconds).toBeLessThanOrEqual(3600);
    expect(error.message).toBe(`too many requests; try again in ${error.retryAfterSeconds} s`);
    expect(await redis.client.get(keyOf(r, 'alice'))).toBe('4'); // refused requests still count
    // Other subjects and other rules have counters of their own.
    expect((await limiter.consume(r, 'bob')).remaining).toBe(2);
    expect((await limiter.consume(rule(3), 'alice')).remaining).toBe(2);
  });

  it('counts concurrent requests exactly', async () => {
    pinClock();
    const r = rule(10);
    const outcomes = await Promise.allSettled(Array.from({ length: 25 }, () => limiter.consume(r, 'burst')));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(10);
    expect(
      outcomes
        .filter((o) => o.status === 'fulfilled')
        .map((o) => o.value.remaining)
        .sort((a, b) => a - b),
    ).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(await redis.client.get(keyOf(r, 'burst'))).toBe('25');
  });

  it('keys counters by window, and reports the seconds left in the window', async () => {
    const r = rule(5, 60);
    jest.spyOn(Date, 'now').mockReturnValue(1_900_000_010_500); // 50 s into a 60 s window
    expect(await limiter.consume(r, 'carol')).toEqual({ remaining: 4, resetSeconds: 10 });
    const key = redis.key('ratelimit', r.name, 'carol', String(Math.floor(1_900_000_010.5 / 60)));
    expect(await redis.client.get(key)).toBe('1');
  });

  it('sets the expiry on the first request of a window and never extends it', async () => {
    pinClock();
    const r = rule(100, 600);
    await limiter.consume(r, 'dave');
    const key = keyOf(r, 'dave');
    const ttl = await redis.client.ttl(key);
    expect(ttl).toBeGreaterThan(590);
    expect(ttl).toBeLessThanOrEqual(600);
    await redis.client.expire(key, 30);
    await limiter.consume(r, 'dave');
    expect(await redis.client.ttl(key)).toBeLessThanOrEqual(30);
    expect(await redis.client.get(key)).toBe('2');
  });

  it('gives a counter left without an expiry one', async () => {
    pinClock();
    const r = rule(100, 600);
    const key = keyOf(r, 'erin');
    await redis.client.set(key, '7');
    expect((await limiter.consume(r, 'erin')).remaining).toBe(92);
    expect(await redis.client.ttl(key)).toBeGreaterThan(590);
  });

  it('lets the counter expire with its window', async () => {
    const r = rule(1, 1);
    pinClock();
    await limiter.consume(r, 'frank');
    const key = keyOf(r, 'frank');
    expect(await redis.client.pttl(key)).toBeGreaterThan(0);
    jest.restoreAllMocks();
    const deadline = Date.now() + 3000;
    while ((await redis.client.exists(key)) === 1 && Date.now() < deadline) await sleep(100);
    expect(await redis.client.exists(key)).toBe(0);
  });
});
