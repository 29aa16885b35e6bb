import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The window is a little longer than a second: requests leave spaced by the limiter but reach the
 * server with some jitter, which must not put qps + 1 of them into one of the server's seconds.
 */
const WINDOW_MS = 1100;

/**
 * At most `qps` requests in any one-second window (a sliding window over the last `qps` send
 * times): a configured client QPS is a ceiling a host cluster's API server never sees exceeded,
 * not an average with bursts above it. Keeps one worker from flooding a host cluster's API server
 * when a whole cohort provisions at once. Callers are served in order.
 */
export class RequestRateLimiter {
  private readonly limit: number;
  /** Send times of the last `limit` requests; once full, `oldest` indexes the earliest. */
  private readonly sent: number[] = [];
  private oldest = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    qps: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.limit = Math.max(1, Math.floor(qps));
  }

  /** Resolves when a request may go out. */
  take(): Promise<void> {
    const turn = this.queue.then(() => this.acquire());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async acquire(): Promise<void> {
    for (;;) {
      const now = this.now();
      if (this.sent.length < this.limit) {
        this.sent.push(now);
        return;
      }
      const wait = this.sent[this.oldest]! + WINDOW_MS - now;
      if (wait <= 0) {
        this.sent[this.oldest] = now;
        this.oldest = (this.oldest + 1) % this.limit;
        return;
      }
      await sleep(Math.ceil(wait));
    }
  }
}
