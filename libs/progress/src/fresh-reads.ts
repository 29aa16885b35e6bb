interface Lane<T> {
  running: boolean;
  /** The latest caller's loader (same key: same read; the latest captures the latest inputs). */
  load: () => Promise<T>;
  /** Callers waiting for the next read, which starts when the running one ends. */
  waiting: { resolve: (value: T) => void; reject: (error: unknown) => void }[];
}

/**
 * Coalesces identical reads without ever answering a caller with a read that started before the
 * caller asked: a caller arriving while a read of the same key is running joins the NEXT read,
 * which starts as soon as the running one ends and serves everyone who joined meanwhile. So at
 * most one read per key runs at a time (and one more is queued), however many callers there are,
 * and every answer reflects all writes committed before its caller arrived (each SQL statement
 * sees everything committed before it starts).
 */
export class FreshReads<T> {
  private readonly lanes = new Map<string, Lane<T>>();

  read(key: string, load: () => Promise<T>): Promise<T> {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { running: false, load, waiting: [] };
      this.lanes.set(key, lane);
    }
    lane.load = load;
    const promise = new Promise<T>((resolve, reject) => lane.waiting.push({ resolve, reject }));
    if (!lane.running) this.run(key, lane);
    return promise;
  }

  private run(key: string, lane: Lane<T>): void {
    const callers = lane.waiting;
    lane.waiting = [];
    lane.running = true;
    // (async wrapper: a loader that throws synchronously rejects like one that fails later)
    (async () => lane.load())().then(
      (value) => {
        for (const caller of callers) caller.resolve(value);
        this.next(key, lane);
      },
      (error: unknown) => {
        for (const caller of callers) caller.reject(error);
        this.next(key, lane);
      },
    );
  }

  private next(key: string, lane: Lane<T>): void {
    lane.running = false;
    if (lane.waiting.length > 0) this.run(key, lane);
    else this.lanes.delete(key);
  }
}
