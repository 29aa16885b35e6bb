import { describe, expect, it } from '@jest/globals';
import {
  type AnalyticsStep,
  type AnalyticsStudent,
  findStuck,
  formatDuration,
  funnel,
  percentile,
  stepDurations,
} from './progress.analytics.js';

const HOUR = 3600_000;
const t0 = new Date('2026-03-01T00:00:00Z').getTime();
const at = (hours: number) => new Date(t0 + hours * HOUR);

const steps: AnalyticsStep[] = [
  {
    number: 1,
    title: 'One',
    gradeableTaskIds: ['a'],
    taskIds: ['a', 'self'],
    unlocked: true,
    unlocksAt: null,
  },
  {
    number: 2,
    title: 'Two',
    gradeableTaskIds: ['b', 'c'],
    taskIds: ['b', 'c'],
    unlocked: true,
    unlocksAt: null,
  },
  { number: 3, title: 'Three', gradeableTaskIds: [], taskIds: ['d'], unlocked: true, unlocksAt: null },
];

function student(
  id: string,
  currentStep: number,
  passed: Record<string, number>,
  extra: Partial<AnalyticsStudent> = {},
): AnalyticsStudent {
  return {
    userId: id,
    displayName: id,
    active: true,
    enrolledAt: at(0),
    currentStep,
    stepStartedAt: at(0),
    progress: new Map(
      Object.entries(passed).map(([task, hours]) => [
        task,
        { status: 'passed' as const, failStreak: 0, failStreakCheck: null, completedAt: at(hours) },
      ]),
    ),
    ...extra,
  };
}

describe('percentile', () => {
  it('interpolates linearly between closest ranks', () => {
    expect(percentile([1, 2, 3, 4, 5], 0.75)).toBe(4);
    expect(percentile([4, 1, 3, 2], 0.75)).toBe(3.25);
    expect(percentile([7], 0.75)).toBe(7);
    expect(() => percentile([], 0.5)).toThrow(RangeError);
  });
});

describe('stepDurations', () => {
  it('measures each finished step from the end of the previous one (or enrolment)', () => {
    const s = student('s', 3, { a: 2, b: 5, c: 7 });
    // Step 3 is the last and has no gradeable task: done as soon as it is reached.
    expect([...stepDurations(steps, s)]).toEqual([
      [1, 2 * HOUR],
      [2, 5 * HOUR],
      [3, 0],
    ]);
  });

  it('starts a step at its scheduled unlock when that was later, and stops at an unknown finish', () => {
    const scheduled = steps.map((step) => (step.number === 2 ? { ...step, unlocksAt: at(4) } : step));
    expect(stepDurations(scheduled, student('s', 3, { a: 2, b: 5, c: 7 })).get(2)).toBe(3 * HOUR);
    expect([...stepDurations(steps, student('s', 3, { a: 2 }))]).toEqual([[1, 2 * HOUR]]);
  });

  it('counts the last step when it is done', () => {
    expect(stepDurations(steps, student('s', 3, { a: 1, b: 2, c: 3 })).get(3)).toBe(0);
  });
});

describe('findStuck', () => {
  it('uses the 75th percentile of finishers only once five finished the step', () => {
    const finishers = [1, 2, 3, 4, 5].map((hours, index) =>
      student(`f${index}`, 3, { a: 1, b: 1 + hours, c: 1 }),
    );
    const now = at(100);
    const slow = student('slow', 2, { a: 1 }, { stepStartedAt: at(95.5) });
    const quick = student('quick', 2, { a: 1 }, { stepStartedAt: at(96.5) });
    const found = findStuck(steps, [...finishers, slow, quick], now);
    expect(found.map((item) => item.userId)).toEqual(['slow']);
    expect(found[0]!.reasons[0]).toBe(
      'on step 2 (Two) for 4.5 h; 75% of the 5 students who finished it took 4.0 h or less',
    );
    expect(findStuck(steps, [...finishers.slice(0, 4), slow], now)).toEqual([]);
    expect(findStuck(steps, [...finishers, { ...slow, active: false }], now)).toEqual([]);
    const locked = steps.map((step) => ({ ...step, unlocked: step.number !== 2 }));
    expect(findStuck(locked, [...finishers, slow], now)).toEqual([]);
  });

  it('reports every task with a streak of 3 or more, naming the first as the task', () => {
    const s = student('s', 2, {});
    s.progress.set('c', { status: 'failed', failStreak: 4, failStreakCheck: 'dns', completedAt: null });
    s.progress.set('a', { status: 'failed', failStreak: 3, failStreakCheck: '*', completedAt: null });
    s.progress.set('b', { status: 'failed', failStreak: 2, failStreakCheck: 'x', completedAt: null });
    const [item] = findStuck(steps, [s], at(1));
    expect(item).toEqual({
      userId: 's',
      displayName: 's',
      step: 2,
      taskId: 'a',
      reasons: [
        'the task of task a failed 3 times in a row (stuck after 3)',
        'check "dns" of task c failed 4 times in a row (stuck after 3)',
      ],
    });
  });
});

describe('funnel', () => {
  it('counts started and completed students per step', () => {
    const view = funnel(steps, [
      student('new', 1, {}),
      student('one', 2, { a: 1 }),
      student('all', 3, { a: 1, b: 2, c: 3 }),
    ]);
    expect(view.steps.map((step) => [step.step, step.started, step.completed])).toEqual([
      [1, 3, 2],
      [2, 2, 1],
      [3, 1, 1],
    ]);
  });
});

describe('formatDuration', () => {
  it('reads naturally', () => {
    expect(formatDuration(20 * 60_000)).toBe('20 min');
    expect(formatDuration(4.5 * HOUR)).toBe('4.5 h');
    expect(formatDuration(72 * HOUR)).toBe('3.0 days');
  });
});
