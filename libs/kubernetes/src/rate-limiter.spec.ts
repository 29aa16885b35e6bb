import { describe, expect, it } from '@jest/globals';
import { TokenBucket } from './rate-limiter.js';

describe('TokenBucket', () => {
  it('lets a burst through at once, then paces requests at the rate', async () => {
    const bucket = new TokenBucket(50, 5);
    const started = performance.now();
    await Promise.all(Array.from({ length: 5 }, () => bucket.take()));
    expect(performance.now() - started).toBeLessThan(30);
    await Promise.all(Array.from({ length: 5 }, () => bucket.take()));
    // Five more tokens at 50/s take about 100 ms.
    expect(performance.now() - started).toBeGreaterThanOrEqual(80);
  });
});
