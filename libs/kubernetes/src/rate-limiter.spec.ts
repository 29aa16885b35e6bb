import { describe, expect, it } from '@jest/globals';
import { RequestRateLimiter } from './rate-limiter.js';

describe('RequestRateLimiter', () => {
  it('lets qps requests through at once, then never more than qps in any one-second window', async () => {
    const limiter = new RequestRateLimiter(20);
    const started = performance.now();
    const times: number[] = [];
    await Promise.all(
      Array.from({ length: 50 }, () => limiter.take().then(() => times.push(performance.now() - started))),
    );
    times.sort((a, b) => a - b);
    // The first 20 go at once; the next 20 wait for the first second to pass, the last 10 for the second.
    expect(times[19]!).toBeLessThan(100);
    expect(times[20]!).toBeGreaterThanOrEqual(1095);
    expect(times[40]!).toBeGreaterThanOrEqual(2195);
    for (let i = 0; i + 20 < times.length; i += 1)
      expect(times[i + 20]! - times[i]!).toBeGreaterThanOrEqual(1095);
  });

  it('serves callers in order', async () => {
    const limiter = new RequestRateLimiter(2);
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3].map((n) => limiter.take().then(() => order.push(n))));
    expect(order).toEqual([0, 1, 2, 3]);
  });
});
