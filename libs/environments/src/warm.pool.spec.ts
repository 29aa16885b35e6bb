import { describe, expect, it } from '@jest/globals';
import { poolShares } from './warm.pool.js';

const shares = (target: number, free: number[]) => [
  ...poolShares(
    target,
    free.map((f, i) => ({ id: `h${i}`, free: f })),
  ).values(),
];

describe('poolShares (the warm pool per host cluster)', () => {
  it('splits the target by free capacity', () => {
    expect(shares(8, [10, 30])).toEqual([2, 6]);
    expect(shares(4, [20, 20])).toEqual([2, 2]);
  });

  it('hands the remainder to the largest fractions, ties to the earlier host cluster', () => {
    expect(shares(5, [10, 10])).toEqual([3, 2]);
    expect(shares(3, [10, 10, 10])).toEqual([1, 1, 1]);
    expect(shares(4, [1, 2, 9])).toEqual([0, 1, 3]);
    expect(shares(1, [1, 1])).toEqual([1, 0]);
  });

  it('never gives a host cluster more than its room, and the sum is the target when it fits', () => {
    for (const [target, free] of [
      [7, [1, 0, 50]],
      [10, [3, 3, 3, 100]],
      [13, [2, 5, 7]],
    ] as [number, number[]][]) {
      const got = shares(target, free);
      got.forEach((n, i) => expect(n).toBeLessThanOrEqual(free[i]!));
      expect(got.reduce((a, b) => a + b, 0)).toBe(
        Math.min(
          target,
          free.reduce((a, b) => a + b, 0),
        ),
      );
    }
  });

  it('gives nothing when there is no room or no target; full host clusters get none', () => {
    expect(shares(5, [0, 0])).toEqual([0, 0]);
    expect(shares(0, [5, 5])).toEqual([0, 0]);
    expect(shares(20, [4, 0, 6])).toEqual([4, 0, 6]);
    expect(shares(3, [-2, 6])).toEqual([0, 3]);
  });
});
