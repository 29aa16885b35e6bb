import type { StoredEvent } from './event-log.js';

/** Where a feed reads committed events from when Redis alone cannot be trusted (start, gaps, resync). */
export interface FeedSource {
  /** The last committed id of the cohort (0 before its first event). */
  head(cohortId: string): Promise<bigint>;
  /** Committed events after `afterId`, in id order. */
  readAfter(cohortId: string, afterId: bigint, limit: number): Promise<StoredEvent[]>;
}

export interface FeedTuning {
  /** How long an out-of-order event waits for the ones before it before the feed reads them from the database. */
  gapWaitMs: number;
  /** Rows per database read while filling a gap. */
  pageSize: number;
  /** Held-back events beyond which the feed stops waiting (database unreachable) and skips ahead. */
  maxPending: number;
}

export interface FeedLogger {
  warn(message: string, context?: Record<string, unknown>): void;
}

interface Held {
  event: StoredEvent;
  /** Arrival order, to tell a gap the database could not fill from one that opened during the read. */
  seq: number;
}

/**
 * One cohort's event stream on one api instance, in id order with no gap and no duplicate.
 *
 * Redis pub/sub delivers each committed event once, but two writers publish after their own commits,
 * so event 6 can arrive before event 5. Ids are contiguous per cohort (the counter row is bumped in
 * the writing transaction, so a rolled-back writer leaves no hole), which makes a gap visible: an
 * event that is not `delivered + 1` is held back until the missing ones arrive or, after
 * `gapWaitMs`, are read from the database (they are committed: the later id could only be taken
 * after their transaction ended). A lost publish is found the same way, by the next event, by a
 * Redis reconnect (`resync`), or by the periodic head check (`checkStall`).
 */
export class CohortFeed {
  /** Last id handed to `deliver`; null until the starting head is known. */
  delivered: bigint | null = null;
  readonly ready: Promise<void>;

  private readonly pending = new Map<bigint, Held>();
  private seq = 0;
  private filling = false;
  private fillFailures = 0;
  private gapTimer: NodeJS.Timeout | null = null;
  private stallMark: bigint | null = null;
  private disposed = false;

  constructor(
    readonly cohortId: string,
    private readonly source: FeedSource,
    private readonly deliver: (event: StoredEvent) => void,
    private readonly tuning: FeedTuning,
    private readonly logger: FeedLogger,
  ) {
    this.ready = this.start();
    // Callers await `ready`; this keeps an unobserved failure from crashing the process.
    this.ready.catch(() => undefined);
  }

  /** An event from Redis (any order, possibly repeated). */
  offer(event: StoredEvent): void {
    if (this.disposed) return;
    const id = BigInt(event.id);
    if (this.delivered !== null && id <= this.delivered) return;
    if (!this.pending.has(id)) this.pending.set(id, { event, seq: ++this.seq });
    this.drain();
  }

  /** Re-reads from the database: after a Redis reconnect, messages may have been lost. */
  resync(): void {
    if (this.delivered !== null) this.fill();
  }

  /**
   * Called periodically with the committed head. Behind twice in a row without progress means a
   * publish was lost (not merely in flight): read the rest from the database.
   */
  checkStall(committedHead: bigint): void {
    if (this.delivered === null || this.filling) return;
    if (committedHead <= this.delivered) {
      this.stallMark = null;
    } else if (this.stallMark === this.delivered) {
      this.stallMark = null;
      this.fill();
    } else {
      this.stallMark = this.delivered;
    }
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  dispose(): void {
    this.disposed = true;
    this.clearGapTimer();
    this.pending.clear();
  }

  private async start(): Promise<void> {
    const head = await this.source.head(this.cohortId);
    if (this.disposed) return;
    this.delivered = head;
    this.drain();
  }

  private drain(): void {
    if (this.delivered === null || this.filling || this.disposed) return;
    for (const id of this.pending.keys()) if (id <= this.delivered) this.pending.delete(id);
    let next = this.delivered + 1n;
    for (let held = this.pending.get(next); held; held = this.pending.get(next)) {
      this.pending.delete(next);
      this.delivered = next;
      this.deliver(held.event);
      next += 1n;
    }
    if (this.pending.size === 0) {
      this.clearGapTimer();
      this.fillFailures = 0;
    } else if (this.pending.size > this.tuning.maxPending) {
      this.skipAhead('too many events held back');
    } else {
      this.armGapTimer();
    }
  }

  private fill(): void {
    if (this.filling || this.disposed || this.delivered === null) return;
    this.clearGapTimer();
    this.filling = true;
    const startSeq = this.seq;
    void (async () => {
      let failed = false;
      try {
        for (;;) {
          const rows = await this.source.readAfter(this.cohortId, this.delivered!, this.tuning.pageSize);
          if (this.disposed) return;
          for (const row of rows) {
            const id = BigInt(row.id);
            if (id <= this.delivered!) continue;
            if (id !== this.delivered! + 1n) {
              this.logger.warn('event log has a hole (pruned?); skipping ahead', {
                cohortId: this.cohortId,
                after: this.delivered!.toString(),
                next: row.id,
              });
            }
            this.pending.delete(id);
            this.delivered = id;
            this.deliver(row);
          }
          if (rows.length < this.tuning.pageSize) break;
        }
        this.fillFailures = 0;
      } catch (error) {
        failed = true;
        this.fillFailures += 1;
        this.logger.warn('reading missed events failed; retrying', {
          cohortId: this.cohortId,
          err: (error as Error).message,
        });
      } finally {
        this.filling = false;
      }
      if (this.disposed) return;
      const lowest = this.lowestPending();
      // The read began after this event arrived, so everything before it was committed and should
      // have been read: the database does not have it (pruned, or a foreign publisher). Go on.
      if (
        !failed &&
        lowest !== null &&
        lowest.seq <= startSeq &&
        BigInt(lowest.event.id) > this.delivered! + 1n
      ) {
        this.skipAhead('held-back event has no predecessor in the database');
        return;
      }
      this.drain();
    })();
  }

  private lowestPending(): Held | null {
    let lowest: Held | null = null;
    for (const [id, held] of this.pending) if (!lowest || id < BigInt(lowest.event.id)) lowest = held;
    return lowest;
  }

  /** Last resort: deliver what is held, in order, accepting the hole (logged). */
  private skipAhead(reason: string): void {
    const ids = [...this.pending.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    this.logger.warn(`live feed skipping ahead: ${reason}`, {
      cohortId: this.cohortId,
      after: this.delivered?.toString(),
      next: ids[0]?.toString(),
    });
    this.clearGapTimer();
    for (const id of ids) {
      const held = this.pending.get(id)!;
      this.pending.delete(id);
      if (this.delivered !== null && id <= this.delivered) continue;
      this.delivered = id;
      this.deliver(held.event);
    }
  }

  private armGapTimer(): void {
    if (this.gapTimer) return;
    const wait = Math.min(this.tuning.gapWaitMs * 2 ** this.fillFailures, 5000);
    this.gapTimer = setTimeout(() => {
      this.gapTimer = null;
      this.fill();
    }, wait);
    this.gapTimer.unref();
  }

  private clearGapTimer(): void {
    if (this.gapTimer) clearTimeout(this.gapTimer);
    this.gapTimer = null;
  }
}
