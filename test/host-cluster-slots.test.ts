import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HostClusterSlots } from '@kubecohort/grading';
import { randomUUID } from 'node:crypto';
import { scratchRedis, type ScratchRedis } from './support/redis-private.js';

// HostClusterSlots on the machine's Redis, under a prefix of this suite's own.

const options = {
  databaseUrl: 'unused',
  concurrencyPerHostCluster: 2,
  slotLeaseMs: 30_000,
  slotRetryMs: 500,
  maxAttempts: 3,
  retryBaseMs: 100,
  relayPollMs: 1000,
  reconcileIntervalMs: 60_000,
  reconcileAfterMs: 60_000,
};

describe('HostClusterSlots', () => {
  let redis: ScratchRedis;
  let slots: HostClusterSlots;
  let otherProcess: HostClusterSlots;

  beforeAll(async () => {
    redis = await scratchRedis('slots');
    slots = new HostClusterSlots(redis, options);
    otherProcess = new HostClusterSlots(redis, options);
  });
  afterAll(() => redis.close());

  it('grants up to the limit per cluster, and other clusters independently', async () => {
    const cluster = randomUUID();
    const held = [await slots.acquire(cluster), await slots.acquire(cluster)];
    expect(held.every(Boolean)).toBe(true);
    expect(await slots.held(cluster)).toBe(2);
    const other = await slots.acquire(randomUUID());
    expect(other).not.toBeNull();
    for (const lease of [...held, other]) await lease!.release();
    // Released slots stay with this process for a moment, then go back to Redis.
    const deadline = Date.now() + 2000;
    while ((await slots.held(cluster)) > 0) {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  });

  it("reuses a slot it released a moment ago without asking Redis; another process waits for Redis's", async () => {
    const cluster = randomUUID();
    const first = (await slots.acquire(cluster))!;
    await first.release();
    expect(await slots.held(cluster)).toBe(1); // parked, still counted against the limit
    const again = (await slots.acquire(cluster))!;
    const second = (await slots.acquire(cluster))!;
    expect(await slots.held(cluster)).toBe(2); // the parked one was reused: one new grant only
    expect(await otherProcess.acquire(cluster)).toBeNull();
    await Promise.all([again.release(), second.release()]);
    // Once the parked slots go back, the other process gets one.
    const deadline = Date.now() + 2000;
    let theirs = await otherProcess.acquire(cluster);
    while (!theirs) {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((resolve) => setTimeout(resolve, 10));
      theirs = await otherProcess.acquire(cluster);
    }
    await theirs.release();
    await slots.onModuleDestroy();
    await otherProcess.onModuleDestroy();
    expect(await slots.held(cluster)).toBe(0); // stopping gives parked slots back at once
  });

  it('a full cluster whose slots this process holds: waits for one of them to be released', async () => {
    const cluster = randomUUID();
    const held = [await slots.acquire(cluster), await slots.acquire(cluster)];
    setTimeout(() => void held[0]!.release(), 60);
    const waited = await slots.acquire(cluster);
    expect(waited).not.toBeNull();
    expect(await slots.held(cluster)).toBe(2);
    await Promise.all([held[1]!.release(), waited!.release()]);
  });

  it('gives up after the wait when nothing is released, and at once when another process holds the slots', async () => {
    const cluster = randomUUID();
    const held = [await otherProcess.acquire(cluster), await otherProcess.acquire(cluster)];
    expect(await slots.acquire(cluster)).toBeNull(); // no slot of this process to wait for
    const mine = randomUUID();
    const local = [await slots.acquire(mine), await slots.acquire(mine)];
    expect(await slots.acquire(mine)).toBeNull(); // waited; none was released
    for (const lease of [...held, ...local]) await lease!.release();
  });
});
