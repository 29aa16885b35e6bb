import { describe, expect, it } from '@jest/globals';
import { matchesLabelSelector } from './label-selector.matcher.js';
import type { LabelSelector } from './network-policy.types.js';

const labels = { app: 'api', tier: 'backend' };

describe('matchesLabelSelector', () => {
  it.each<[string, LabelSelector, boolean]>([
    ['empty selector matches everything', {}, true],
    [
      'empty matchLabels and matchExpressions match everything',
      { matchLabels: {}, matchExpressions: [] },
      true,
    ],
    ['matchLabels hit', { matchLabels: { app: 'api' } }, true],
    ['matchLabels needs every pair', { matchLabels: { app: 'api', tier: 'frontend' } }, false],
    ['matchLabels on a missing key', { matchLabels: { zone: 'a' } }, false],
    ['In hit', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['backend', 'db'] }] }, true],
    ['In miss', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['frontend'] }] }, false],
    ['In on a missing key', { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }, false],
    ['NotIn hit', { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['frontend'] }] }, true],
    ['NotIn miss', { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['backend'] }] }, false],
    [
      'NotIn on a missing key matches',
      { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] },
      true,
    ],
    ['Exists hit', { matchExpressions: [{ key: 'app', operator: 'Exists' }] }, true],
    ['Exists miss', { matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, false],
    ['DoesNotExist hit', { matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, true],
    ['DoesNotExist miss', { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, false],
    [
      'matchLabels AND matchExpressions',
      {
        matchLabels: { app: 'api' },
        matchExpressions: [{ key: 'tier', operator: 'In', values: ['frontend'] }],
      },
      false,
    ],
    [
      'all expressions must hold',
      {
        matchExpressions: [
          { key: 'app', operator: 'Exists' },
          { key: 'tier', operator: 'NotIn', values: ['backend'] },
        ],
      },
      false,
    ],
  ])('%s', (_name, selector, expected) => {
    expect(matchesLabelSelector(selector, labels)).toBe(expected);
  });

  it('does not treat inherited object properties as labels', () => {
    expect(matchesLabelSelector({ matchExpressions: [{ key: 'toString', operator: 'Exists' }] }, {})).toBe(
      false,
    );
  });
});
