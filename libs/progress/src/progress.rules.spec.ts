import { describe, expect, it } from '@jest/globals';
import { advanceStep, applyAttempt, isStepUnlocked, type StoredProgress } from './progress.rules.js';

const now = new Date('2026-03-01T10:00:00Z');
const earlier = new Date('2026-02-01T10:00:00Z');

function stored(overrides: Partial<StoredProgress> = {}): StoredProgress {
  return {
    status: 'failed',
    attempts: 1,
    points: 5,
    failStreak: 1,
    failStreakCheck: 'a',
    startedAt: earlier,
    completedAt: null,
    ...overrides,
  };
}

describe('applyAttempt', () => {
  it('starts a row on the first attempt', () => {
    expect(
      applyAttempt(null, { outcome: 'failed', points: 2, maxPoints: 10, failedCheckIds: ['x', 'y'] }, now),
    ).toEqual({
      status: 'failed',
      attempts: 1,
      points: 2,
      maxPoints: 10,
      failStreak: 1,
      failStreakCheck: 'x',
      startedAt: now,
      completedAt: null,
      becameStuck: false,
    });
  });

  it('keeps the best points and keeps passed tasks passed (and their completion time)', () => {
    const passed = stored({
      status: 'passed',
      points: 8,
      completedAt: earlier,
      failStreak: 0,
      failStreakCheck: null,
    });
    const next = applyAttempt(
      passed,
      { outcome: 'failed', points: 3, maxPoints: 10, failedCheckIds: ['a'] },
      now,
    );
    expect(next).toEqual(
      expect.objectContaining({
        status: 'passed',
        points: 8,
        attempts: 2,
        completedAt: earlier,
        becameStuck: false,
      }),
    );
    expect(
      applyAttempt(stored(), { outcome: 'passed', points: 9, maxPoints: 10, failedCheckIds: [] }, now),
    ).toEqual(
      expect.objectContaining({
        status: 'passed',
        points: 9,
        completedAt: now,
        failStreak: 0,
        failStreakCheck: null,
      }),
    );
  });

  it('counts consecutive failures of the tracked check and becomes stuck exactly at the third', () => {
    const second = applyAttempt(
      stored(),
      { outcome: 'failed', points: 0, maxPoints: 10, failedCheckIds: ['b', 'a'] },
      now,
    );
    expect(second).toEqual(
      expect.objectContaining({ failStreak: 2, failStreakCheck: 'a', becameStuck: false }),
    );
    const third = applyAttempt(
      stored({ failStreak: 2 }),
      { outcome: 'failed', points: 0, maxPoints: 10, failedCheckIds: ['a'] },
      now,
    );
    expect(third).toEqual(expect.objectContaining({ failStreak: 3, becameStuck: true }));
    const fourth = applyAttempt(
      stored({ failStreak: 3 }),
      { outcome: 'failed', points: 0, maxPoints: 10, failedCheckIds: ['a'] },
      now,
    );
    expect(fourth).toEqual(expect.objectContaining({ failStreak: 4, becameStuck: false }));
  });

  it('restarts the streak on another check, ends it on review, uses * without check ids', () => {
    expect(
      applyAttempt(
        stored({ failStreak: 2 }),
        { outcome: 'failed', points: 0, maxPoints: 1, failedCheckIds: ['c'] },
        now,
      ),
    ).toEqual(expect.objectContaining({ failStreak: 1, failStreakCheck: 'c' }));
    expect(
      applyAttempt(
        stored({ failStreak: 2 }),
        { outcome: 'pending_review', points: 0, maxPoints: 1, failedCheckIds: [] },
        now,
      ),
    ).toEqual(expect.objectContaining({ status: 'pending_review', failStreak: 0, failStreakCheck: null }));
    expect(
      applyAttempt(null, { outcome: 'failed', points: 0, maxPoints: 1, failedCheckIds: [] }, now),
    ).toEqual(expect.objectContaining({ failStreak: 1, failStreakCheck: '*' }));
  });

  it('never makes a passed task stuck', () => {
    const passed = stored({ status: 'passed', failStreak: 2, failStreakCheck: 'a' });
    expect(
      applyAttempt(passed, { outcome: 'failed', points: 0, maxPoints: 1, failedCheckIds: ['a'] }, now)
        .becameStuck,
    ).toBe(false);
  });
});

describe('advanceStep', () => {
  const steps = [
    { number: 1, gradeableTaskIds: ['q1'] },
    { number: 2, gradeableTaskIds: ['g2a', 'g2b'] },
    { number: 3, gradeableTaskIds: [] },
    { number: 4, gradeableTaskIds: ['g4'] },
  ];
  const statuses =
    (passed: string[], others: Record<string, 'failed' | 'pending_review'> = {}) =>
    (id: string) =>
      passed.includes(id) ? ('passed' as const) : others[id];

  it('moves over every done step, including steps without gradeable tasks, and stops at the last', () => {
    expect(advanceStep(1, steps, statuses([]))).toBe(1);
    expect(advanceStep(1, steps, statuses(['q1']))).toBe(2);
    expect(advanceStep(1, steps, statuses(['q1', 'g2a', 'g2b']))).toBe(4);
    expect(advanceStep(1, steps, statuses(['q1', 'g2a', 'g2b', 'g4']))).toBe(4);
    expect(advanceStep(2, steps, statuses(['g2a'], { g2b: 'pending_review' }))).toBe(2);
    expect(advanceStep(3, steps, statuses([]))).toBe(4);
  });
});

describe('isStepUnlocked', () => {
  it('is unlocked by hand or once its unlock time has passed; a missing schedule is locked', () => {
    expect(isStepUnlocked(undefined, now)).toBe(false);
    expect(isStepUnlocked({ locked: false, unlocksAt: null }, now)).toBe(true);
    expect(isStepUnlocked({ locked: true, unlocksAt: null }, now)).toBe(false);
    expect(isStepUnlocked({ locked: true, unlocksAt: earlier }, now)).toBe(true);
    expect(isStepUnlocked({ locked: true, unlocksAt: now }, now)).toBe(true);
    expect(isStepUnlocked({ locked: true, unlocksAt: new Date(now.getTime() + 1) }, now)).toBe(false);
  });
});
