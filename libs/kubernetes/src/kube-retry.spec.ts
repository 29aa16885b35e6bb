import { describe, expect, it } from '@jest/globals';
import { withRetry } from './kube-retry.js';
import { KubeApiError, type KubeError } from './kube.types.js';

const policy = { attempts: 4, baseDelayMs: 100, maxRetryAfterSeconds: 30 };

function failing(errors: KubeError[]): { call: () => Promise<string>; calls: () => number } {
  let calls = 0;
  return {
    call: () => {
      const error = errors[calls++];
      return error ? Promise.reject(new KubeApiError(error)) : Promise.resolve('ok');
    },
    calls: () => calls,
  };
}

describe('withRetry', () => {
  it('retries conflicts, throttling, outages and timeouts, waiting at least Retry-After', async () => {
    const waits: number[] = [];
    const { call, calls } = failing([
      { kind: 'conflict', message: 'c' },
      { kind: 'throttled', message: 't', retryAfterSeconds: 3 },
      { kind: 'unavailable', message: 'u', status: 503 },
    ]);
    await expect(withRetry(call, policy, (ms) => Promise.resolve(waits.push(ms)))).resolves.toBe('ok');
    expect(calls()).toBe(4);
    expect(waits[1]).toBeGreaterThanOrEqual(3000);
    expect(waits[0]).toBeLessThanOrEqual(100);
    expect(waits[2]).toBeLessThanOrEqual(400);
  });

  it('gives up after the last attempt and never retries permanent errors', async () => {
    const timeouts = failing(Array(5).fill({ kind: 'timeout', message: 'slow' }));
    await expect(withRetry(timeouts.call, policy, () => Promise.resolve())).rejects.toMatchObject({
      error: { kind: 'timeout' },
    });
    expect(timeouts.calls()).toBe(4);
    for (const error of [
      { kind: 'forbidden', message: 'no', status: 403 },
      { kind: 'invalid', message: 'bad' },
      { kind: 'not_found', message: 'gone' },
    ] as KubeError[]) {
      const once = failing([error]);
      await expect(withRetry(once.call, policy, () => Promise.resolve())).rejects.toMatchObject({ error });
      expect(once.calls()).toBe(1);
    }
  });

  it('hands a throttle longer than the cap back to the caller at once', async () => {
    const { call, calls } = failing([{ kind: 'throttled', message: 'later', retryAfterSeconds: 120 }]);
    await expect(withRetry(call, policy, () => Promise.resolve())).rejects.toMatchObject({
      error: { kind: 'throttled', retryAfterSeconds: 120 },
    });
    expect(calls()).toBe(1);
  });
});
