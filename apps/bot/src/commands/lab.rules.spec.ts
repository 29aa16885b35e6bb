import { describe, expect, it } from '@jest/globals';
import type { TaskProgressView } from '../api/api.types.js';
import { currentTask, nextTask, parseAnswer } from './lab.rules.js';

const task = (
  taskId: string,
  step: number,
  status: TaskProgressView['status'],
  updatedAt: string | null = null,
) => ({ taskId, step, status, attempts: 0, points: 0, maxPoints: 10, updatedAt }) satisfies TaskProgressView;

describe('currentTask', () => {
  it('is the started task touched last', () => {
    const tasks = [
      task('a', 1, 'failed', '2026-01-01T10:00:00Z'),
      task('b', 1, 'in_progress', '2026-01-01T11:00:00Z'),
      task('c', 1, 'available'),
    ];
    expect(currentTask(tasks, 1)?.taskId).toBe('b');
  });

  it('is the first open task of the current step when nothing is started', () => {
    const tasks = [task('a', 1, 'passed'), task('b', 1, 'available'), task('c', 2, 'available')];
    expect(currentTask(tasks, 2)?.taskId).toBe('c');
    expect(currentTask(tasks, 1)?.taskId).toBe('b');
  });

  it('is null when everything open is done', () => {
    expect(
      currentTask([task('a', 1, 'passed'), task('b', 1, 'pending_review'), task('c', 2, 'locked')], 1),
    ).toBeNull();
  });
});

describe('nextTask', () => {
  const tasks = [
    task('a', 1, 'passed'),
    task('b', 1, 'in_progress'),
    task('c', 1, 'passed'),
    task('d', 2, 'locked'),
  ];

  it('is the first task after the current one that is not done, locked ones included', () => {
    expect(nextTask(tasks, tasks[1]!)?.taskId).toBe('d');
  });

  it('is the first task not done without a current one', () => {
    expect(nextTask(tasks, null)?.taskId).toBe('b');
  });

  it('is null at the end', () => {
    expect(nextTask(tasks, tasks[3]!)).toBeNull();
  });
});

describe('parseAnswer', () => {
  it('reads quiz answers as pairs, numbers being option indexes', () => {
    expect(parseAnswer('quiz', 'cidr-hosts=1; dns-record = A record, port=2')).toEqual({
      answers: { 'cidr-hosts': 1, 'dns-record': 'A record', port: 2 },
    });
  });

  it('reads quiz answers as JSON, with or without the answers wrapper', () => {
    expect(parseAnswer('quiz', '{"answers": {"x": 1}}')).toEqual({ answers: { x: 1 } });
    expect(parseAnswer('quiz', '{"x": 1}')).toEqual({ answers: { x: 1 } });
  });

  it('refuses what it cannot read', () => {
    expect(() => parseAnswer('quiz', 'just words')).toThrow(SyntaxError);
    expect(() => parseAnswer('quiz', '[1,2]')).toThrow(SyntaxError);
  });

  it('reads review answers as a URL or text; other tasks take none', () => {
    expect(parseAnswer('review', 'https://github.com/ada/lab')).toEqual({
      url: 'https://github.com/ada/lab',
    });
    expect(parseAnswer('review', 'I used a bridge')).toEqual({ text: 'I used a bridge' });
    expect(parseAnswer('grader', 'anything')).toBeUndefined();
    expect(parseAnswer('quiz', '  ')).toBeUndefined();
  });
});
