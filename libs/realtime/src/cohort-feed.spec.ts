import { describe, expect, it } from '@jest/globals';
import { CohortFeed, type FeedSource } from './cohort-feed.js';
import type { StoredEvent } from './event-log.js';

const COHORT = '00000000-0000-7000-8000-000000000001';

function event(id: number): StoredEvent {
  return {
    id: String(id),
    type: 'cohort.updated',
    cohortId: COHORT,
    at: new Date(0).toISOString(),
    payload: { fields: [] },
    subjectUserId: null,
  };
}

/** A database holding events 1..committed. */
function source(committed: () => number, reads: bigint[] = []): FeedSource {
  return {
    head: () => Promise.resolve(BigInt(committed())),
    readAfter: (_cohortId, after, limit) => {
      reads.push(after);
      const rows: StoredEvent[] = [];
      for (let id = Number(after) + 1; id <= committed() && rows.length < limit; id++) rows.push(event(id));
      return Promise.resolve(rows);
    },
  };
}

const quiet = { warn: () => undefined };
const tuning = { gapWaitMs: 20, pageSize: 3, maxPending: 100 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function feedOver(db: FeedSource, delivered: number[]) {
  return new CohortFeed(COHORT, db, (e) => delivered.push(Number(e.id)), tuning, quiet);
}

describe('CohortFeed', () => {
  it('starts at the committed head and delivers later events once, in order', async () => {
    const delivered: number[] = [];
    const feed = feedOver(
      source(() => 4),
      delivered,
    );
    feed.offer(event(4)); // committed before the start: already part of the head
    feed.offer(event(5));
    await feed.ready;
    feed.offer(event(6));
    feed.offer(event(6));
    feed.offer(event(5));
    expect(delivered).toEqual([5, 6]);
    expect(feed.delivered).toBe(6n);
    feed.dispose();
  });

  it('holds an event that overtook its predecessor until the predecessor arrives', async () => {
    const delivered: number[] = [];
    const reads: bigint[] = [];
    const feed = feedOver(
      source(() => 3, reads),
      delivered,
    );
    await feed.ready;
    feed.offer(event(5));
    expect(delivered).toEqual([]);
    feed.offer(event(4));
    expect(delivered).toEqual([4, 5]);
    await sleep(40);
    expect(reads).toEqual([]); // no database read was needed
    feed.dispose();
  });

  it('reads a lost event from the database after the gap wait', async () => {
    let committed = 2;
    const delivered: number[] = [];
    const feed = feedOver(
      source(() => committed),
      delivered,
    );
    await feed.ready;
    committed = 9; // 3..8 were published but lost; 9 arrives
    feed.offer(event(9));
    expect(delivered).toEqual([]);
    await sleep(60);
    expect(delivered).toEqual([3, 4, 5, 6, 7, 8, 9]);
    feed.dispose();
  });

  it('finds a lost publish with no later event through the periodic head check', async () => {
    let committed = 1;
    const delivered: number[] = [];
    const feed = feedOver(
      source(() => committed),
      delivered,
    );
    await feed.ready;
    committed = 2; // the publish of 2 never comes
    feed.checkStall(2n); // could still be in flight
    await sleep(5);
    expect(delivered).toEqual([]);
    feed.checkStall(2n); // still behind, no progress: read it
    await sleep(5);
    expect(delivered).toEqual([2]);
    feed.dispose();
  });

  it('re-reads after a Redis reconnect', async () => {
    let committed = 0;
    const delivered: number[] = [];
    const feed = feedOver(
      source(() => committed),
      delivered,
    );
    await feed.ready;
    committed = 4;
    feed.resync();
    await sleep(5);
    feed.offer(event(3)); // late duplicate of a message that did get through
    expect(delivered).toEqual([1, 2, 3, 4]);
    feed.dispose();
  });

  it('skips ahead when the database does not have the missing events either', async () => {
    const delivered: number[] = [];
    const warnings: string[] = [];
    const feed = new CohortFeed(
      COHORT,
      source(() => 1),
      (e) => delivered.push(Number(e.id)),
      tuning,
      {
        warn: (message) => warnings.push(message),
      },
    );
    await feed.ready;
    feed.offer(event(7)); // e.g. published by another deployment on the same prefix
    await sleep(60);
    expect(delivered).toEqual([7]);
    expect(warnings.join(' ')).toMatch(/skipping ahead/);
    feed.dispose();
  });

  it('retries a failed database read and keeps the order', async () => {
    let failures = 1;
    const db = source(() => 3);
    const flaky: FeedSource = {
      head: () => Promise.resolve(1n),
      readAfter: async (...args) => {
        if (failures-- > 0) throw new Error('database down');
        return db.readAfter(...args);
      },
    };
    const delivered: number[] = [];
    const feed = feedOver(flaky, delivered);
    await feed.ready;
    feed.offer(event(3));
    await sleep(150);
    expect(delivered).toEqual([2, 3]);
    feed.dispose();
  });
});
