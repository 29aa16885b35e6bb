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
    expect(await slots.acquire(randomUUID())).not.toBeNull();
    for (const lease of held) await lease!.release();
    expect(await slots.held(cluster)).toBe(0);
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
