import { setTimeout as sleep } from 'node:timers/promises';
import { KubeApiError } from './kube.types.js';

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
  /** A throttle asking for longer than this is handed to the caller instead of slept through. */
  maxRetryAfterSeconds: number;
}

/**
 * Retries a call on retryable KubeApiErrors (409, 429, 5xx, timeouts, dropped connections) with
 * exponential backoff and full jitter; a 429 waits at least its Retry-After. Anything else, and
 * the last failure, goes to the caller.
 */
export async function withRetry<T>(
  call: () => Promise<T>,
  policy: RetryPolicy,
  wait: (ms: number, signal?: AbortSignal) => Promise<unknown> = (ms, signal) =>
    sleep(ms, undefined, { signal }),
  signal?: AbortSignal,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof KubeApiError) || !error.retryable || attempt >= policy.attempts) throw error;
      await wait(retryDelayMs(error, attempt, policy), signal);
    }
  }
}

export function retryDelayMs(error: KubeApiError, attempt: number, policy: RetryPolicy): number {
  const backoff = Math.random() * policy.baseDelayMs * 2 ** (attempt - 1);
  if (error.error.kind === 'throttled') {
    const retryAfter = error.error.retryAfterSeconds;
    if (retryAfter > policy.maxRetryAfterSeconds) throw error;
    return Math.max(retryAfter * 1000, backoff);
  }
  return backoff;
}
