/** Latency histograms with 0.1 ms buckets up to 30 s (sparse when sent between processes). */
const BUCKET_MS = 0.1;
const BUCKETS = 300_000;

export class Histogram {
  private readonly counts = new Uint32Array(BUCKETS + 1);
  total = 0;

  add(ms: number): void {
    const index = Math.min(BUCKETS, Math.max(0, Math.floor(ms / BUCKET_MS)));
    this.counts[index]! += 1;
    this.total += 1;
  }

  merge(sparse: Record<number, number>): void {
    for (const [index, count] of Object.entries(sparse)) {
      this.counts[Number(index)]! += count;
      this.total += count;
    }
  }

  sparse(): Record<number, number> {
    const out: Record<number, number> = {};
    this.counts.forEach((count, index) => {
      if (count > 0) out[index] = count;
    });
    return out;
  }

  /** The q-quantile in ms (upper edge of its bucket). */
  quantile(q: number): number {
    if (this.total === 0) return NaN;
    const rank = Math.ceil(q * this.total);
    let seen = 0;
    for (let index = 0; index <= BUCKETS; index++) {
      seen += this.counts[index]!;
      if (seen >= rank) return (index + 1) * BUCKET_MS;
    }
    return BUCKETS * BUCKET_MS;
  }
}

export function now(): number {
  return performance.timeOrigin + performance.now();
}
