import { describe, expect, it } from '@jest/globals';
import type { SubmissionView } from '../api/api.types.js';
import { formatEnvironment } from './environment.format.js';
import { formatGrading } from './grading.format.js';
import { MAX_CONTENT, message, noMentions, progressBar, truncate } from './text.format.js';

const check = (id: string, passed: boolean, extra: Partial<SubmissionView['checks'][number]> = {}) => ({
  id,
  title: `Check ${id}`,
  passed,
  skipped: false,
  points: passed ? 5 : 0,
  maxPoints: 5,
  message: passed ? null : `${id} is wrong`,
  hint: passed ? null : `look at ${id}`,
  evidence: {},
  ...extra,
});

const submission = (overrides: Partial<SubmissionView>): SubmissionView => ({
  id: 'sub-1',
  cohortId: 'c',
  userId: 'u',
  taskId: 'lab-1-veth',
  status: 'failed',
  score: 5,
  maxScore: 15,
  answer: null,
  error: null,
  checks: [
    check('ns', true),
    check('veth', false),
    check('route', false, { skipped: true, message: null, hint: null }),
  ],
  review: null,
  createdAt: '2026-01-01T10:00:00Z',
  startedAt: null,
  finishedAt: null,
  ...overrides,
});

describe('formatGrading', () => {
  it('shows the score and each failed check with its message and hint, not the passed ones', () => {
    const text = formatGrading(submission({}));
    expect(text).toContain('score **5/15**');
    expect(text).toContain('**Check veth**: veth is wrong');
    expect(text).toContain('💡 look at veth');
    expect(text).not.toContain('Check ns');
    expect(text).toContain('1 check(s) not run');
  });

  it('says why a grading could not be carried out', () => {
    expect(
      formatGrading(submission({ status: 'error', error: 'environment unreachable', checks: [] })),
    ).toContain('Reason: environment unreachable');
  });

  it('congratulates a pass', () => {
    expect(formatGrading(submission({ status: 'passed', score: 15, checks: [check('ns', true)] }))).toMatch(
      /passed.*15\/15[\s\S]*\/lab next/,
    );
  });
});

describe('text helpers', () => {
  it('draws a progress bar, clamped', () => {
    expect(progressBar(60)).toBe('[██████░░░░] 60 %');
    expect(progressBar(0)).toBe('[░░░░░░░░░░] 0 %');
    expect(progressBar(140)).toBe('[██████████] 100 %');
  });

  it('keeps messages within Discord’s limit', () => {
    expect(message(['x'.repeat(3000)])).toHaveLength(MAX_CONTENT);
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(message(['a', null, 'b'])).toBe('a\nb');
  });

  it('defuses mass mentions', () => {
    expect(noMentions('hi @everyone and @here')).not.toMatch(/@everyone|@here/);
  });

  it('shows a moving bar while an environment is set up', () => {
    const env = {
      id: 'e',
      state: 'provisioning' as const,
      stateReason: null,
      progressStep: 'vcluster',
      progressPercent: 45,
      serverUrl: null,
      kubeconfigAvailable: false,
      requestedAt: '2026-01-01T10:00:00Z',
      readyAt: null,
    };
    expect(formatEnvironment(env)).toContain('(vcluster)');
    expect(formatEnvironment(env)).toContain(progressBar(45));
    expect(formatEnvironment({ ...env, state: 'failed', stateReason: 'no capacity' })).toContain(
      'no capacity',
    );
  });
});
