import { describe, expect, it } from '@jest/globals';
import { GroupCommit } from './group-commit.js';

/** A write that resolves when told to, recording the batches it was given. */
function controlledWrite() {
  const batches: number[][] = [];
  const release: (() => void)[] = [];
  const write = (items: number[]) => {
    batches.push(items);
    return new Promise<number[]>((resolve, reject) => {
      release.push(() =>
        items.includes(13) ? reject(new Error('thirteen')) : resolve(items.map((n) => n * 2)),
      );
    });
  };
  return { batches, release, write };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommit', () => {
  it('writes a lone item at once and groups the items that arrive while a write is in flight', async () => {
    const { batches, release, write } = controlledWrite();
    const group = new GroupCommit(write, { maxBatch: 3, maxWriters: 1 });
    const first = group.add(1);
    const rest = [2, 3, 4, 5].map((n) => group.add(n));
    expect(batches).toEqual([[1]]);
    release.shift()!();
    await expect(first).resolves.toBe(2);
    await tick();
    expect(batches).toEqual([[1], [2, 3, 4]]);
    release.shift()!();
    await tick();
    expect(batches).toEqual([[1], [2, 3, 4], [5]]);
    release.shift()!();
    await expect(Promise.all(rest)).resolves.toEqual([4, 6, 8, 10]);
  });

  it('runs up to maxWriters writes side by side', () => {
    const { batches, write } = controlledWrite();
    const group = new GroupCommit(write, { maxBatch: 10, maxWriters: 2 });
    for (const n of [1, 2, 3, 4]) void group.add(n);
    expect(batches).toEqual([[1], [2]]);
  });

  it('writes a failed batch again item by item: only the bad item fails', async () => {
    const { release, write } = controlledWrite();
    const failures: number[] = [];
    const group = new GroupCommit(write, {
      maxBatch: 10,
      maxWriters: 1,
      onBatchFailure: (size) => failures.push(size),
    });
    const first = group.add(1);
    const others = [12, 13, 14].map((n) => group.add(n).catch((error: Error) => error.message));
    release.shift()!();
    await first;
    await tick();
    release.shift()!(); // [12, 13, 14] fails as a batch
    for (let step = 0; step < 3; step += 1) {
      await tick();
      release.shift()!();
    }
    await expect(Promise.all(others)).resolves.toEqual([24, 'thirteen', 28]);
    expect(failures).toEqual([3]);
  });

  it('fails every item of a write that returns the wrong number of results', async () => {
    const group = new GroupCommit((items: number[]) => Promise.resolve(items.slice(1)), {
      maxBatch: 5,
      maxWriters: 1,
    });
    await expect(group.add(1)).rejects.toThrow('0 results for 1 items');
  });
});
