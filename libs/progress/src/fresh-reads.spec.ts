import { describe, expect, it } from '@jest/globals';
import { FreshReads } from './fresh-reads.js';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}

describe('FreshReads', () => {
  it('answers callers who arrive during a read with the next read, never the running one', async () => {
    const reads = new FreshReads<number>();
    const loads: ReturnType<typeof deferred<number>>[] = [];
    const load = () => {
      const next = deferred<number>();
      loads.push(next);
      return next.promise;
    };
    const first = reads.read('k', load);
    const second = reads.read('k', load);
    const third = reads.read('k', load);
    expect(loads).toHaveLength(1); // one read at a time
    loads[0]!.resolve(1);
    expect(await first).toBe(1);
    await Promise.resolve();
    expect(loads).toHaveLength(2); // the joiners' read started after the first ended
    loads[1]!.resolve(2);
    expect(await second).toBe(2);
    expect(await third).toBe(2);
  });

  it('keeps keys apart and passes errors to the callers of that read only', async () => {
    const reads = new FreshReads<string>();
    const failing = deferred<string>();
    const a = reads.read('a', () => failing.promise);
    const b = reads.read('b', () => Promise.resolve('b'));
    const again = reads.read('a', () => Promise.resolve('a2'));
    failing.reject(new Error('down'));
    await expect(a).rejects.toThrow('down');
    expect(await b).toBe('b');
    expect(await again).toBe('a2');
  });
});
