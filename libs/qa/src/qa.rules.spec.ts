import { describe, expect, it } from '@jest/globals';
import { encodeCursor } from '@kubecohort/contracts';
import {
  compareAnswers,
  encodeRankCursor,
  encodeRecentCursor,
  type FaqSource,
  groupFaq,
  normalizeTags,
  questionPageSize,
  readRankCursor,
  readRecentCursor,
  type RankedAnswer,
  TAG_PATTERN,
} from './qa.rules.js';

const ID = '0196a7c0-0000-7000-8000-000000000001';

describe('normalizeTags', () => {
  it('trims, lower-cases and drops duplicates keeping the first', () => {
    expect(normalizeTags([' DNS', 'calico', 'dns ', 'Kube-Proxy'])).toEqual(['dns', 'calico', 'kube-proxy']);
  });

  it('TAG_PATTERN accepts short lower-case words and rejects the rest', () => {
    for (const tag of ['dns', 'kube-proxy', 'c++', 'ipv6', 'k8s.io'])
      expect(TAG_PATTERN.test(tag)).toBe(true);
    for (const tag of ['', 'DNS', '-x', 'two words', 'a'.repeat(33)])
      expect(TAG_PATTERN.test(tag)).toBe(false);
  });
});

describe('compareAnswers', () => {
  const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 0, minutes));
  const answer = (id: string, extra: Partial<RankedAnswer> = {}): RankedAnswer => ({
    id,
    accepted: false,
    endorsed: false,
    score: 0,
    createdAt: at(0),
    ...extra,
  });

  it('puts the accepted answer first, then endorsed, then higher score, then older', () => {
    const answers = [
      answer('a-old-low', { createdAt: at(1) }),
      answer('b-high', { score: 5, createdAt: at(5) }),
      answer('c-endorsed', { endorsed: true, score: -1, createdAt: at(9) }),
      answer('d-accepted', { accepted: true, score: -3, createdAt: at(10) }),
      answer('e-new-low', { createdAt: at(7) }),
    ];
    expect([...answers].sort(compareAnswers).map((a) => a.id)).toEqual([
      'd-accepted',
      'c-endorsed',
      'b-high',
      'a-old-low',
      'e-new-low',
    ]);
  });

  it('breaks complete ties by id, so the order is total', () => {
    expect([answer('y'), answer('x')].sort(compareAnswers).map((a) => a.id)).toEqual(['x', 'y']);
  });
});

describe('list cursors', () => {
  it('round-trip newest-first and search cursors, including float ranks', () => {
    const createdAt = new Date('2026-03-01T10:00:00.123Z');
    expect(readRecentCursor(encodeRecentCursor({ createdAt, id: ID }))).toEqual({
      t: createdAt.getTime(),
      id: ID,
    });
    const rank = { titleRank: 0.6079270839691162, rank: 0.30396354, createdAt, id: ID };
    expect(readRankCursor(encodeRankCursor(rank))).toEqual({
      tr: rank.titleRank,
      r: rank.rank,
      t: createdAt.getTime(),
      id: ID,
    });
  });

  it('treat absent cursors as the first page', () => {
    expect(readRecentCursor(undefined)).toBeNull();
    expect(readRankCursor('')).toBeNull();
  });

  it('reject garbage, foreign shapes and a search cursor on the plain list (400 on cursor)', () => {
    const rank = encodeRankCursor({ titleRank: 1, rank: 0.5, createdAt: new Date(), id: ID });
    for (const bad of ['nope', encodeCursor({ id: ID }), encodeCursor({ t: 1, id: 'x' }), rank]) {
      expect(() => readRecentCursor(bad)).toThrow(
        expect.objectContaining({ kind: 'invalid', details: [expect.objectContaining({ field: 'cursor' })] }),
      );
    }
    expect(() => readRankCursor(encodeRecentCursor({ createdAt: new Date(), id: ID }))).toThrow(
      expect.objectContaining({ kind: 'invalid' }),
    );
  });

  it('clamp page sizes to 1..100 with a default of 20', () => {
    expect(questionPageSize(undefined)).toBe(20);
    expect(questionPageSize(0)).toBe(1);
    expect(questionPageSize(1000)).toBe(100);
  });
});

describe('groupFaq', () => {
  const catalog = {
    steps: new Map([
      [1, 'Foundations'],
      [3, 'Policies'],
    ]),
    tasks: new Map([
      ['lab-3-network-policy', { title: 'Lab 3', step: 3, order: 20 }],
      ['lab-2-dns', { title: 'Lab 2', step: 3, order: 10 }],
      ['quiz-1', { title: 'Quiz 1', step: 1, order: 1 }],
    ]),
  };
  let n = 0;
  const source = (taskId: string | null, step: number | null, extra: Partial<FaqSource> = {}): FaqSource => {
    n += 1;
    return {
      taskId,
      step,
      endorsed: false,
      score: 0,
      solvedAt: new Date(Date.UTC(2026, 0, 1, 0, n)),
      entry: {
        questionId: `q${n}`,
        title: `question ${n}`,
        body: 'body',
        tags: [],
        solvedAt: null,
        answer: {
          id: `a${n}`,
          body: 'answer',
          author: { id: 'u', displayName: 'U' },
          score: extra.score ?? 0,
          endorsed: extra.endorsed ?? false,
        },
      },
      ...extra,
    };
  };

  it('groups by task under its step in plan order, step-level before tasks, general last', () => {
    const groups = groupFaq(
      [
        source(null, null),
        source('lab-3-network-policy', 3),
        source(null, 3),
        source('lab-2-dns', 3),
        source('quiz-1', 1),
        // A question whose stored step disagrees with its task: the task's step wins.
        source('lab-2-dns', 1),
      ],
      catalog,
    );
    expect(groups.map((group) => [group.step, group.taskId, group.entries.length])).toEqual([
      [1, 'quiz-1', 1],
      [3, null, 1],
      [3, 'lab-2-dns', 2],
      [3, 'lab-3-network-policy', 1],
      [null, null, 1],
    ]);
    expect(groups[0]).toEqual(expect.objectContaining({ stepTitle: 'Foundations', taskTitle: 'Quiz 1' }));
    expect(groups[4]).toEqual(expect.objectContaining({ stepTitle: null, taskTitle: null }));
  });

  it('orders entries endorsed first, then by score, then oldest solved first', () => {
    const first = source('quiz-1', 1, { score: 1 });
    const second = source('quiz-1', 1, { score: 9 });
    const endorsed = source('quiz-1', 1, { endorsed: true, score: -2 });
    const tied = source('quiz-1', 1, { score: 1 });
    const [group] = groupFaq([tied, first, second, endorsed], catalog);
    expect(group!.entries.map((entry) => entry.questionId)).toEqual([
      endorsed.entry.questionId,
      second.entry.questionId,
      first.entry.questionId,
      tied.entry.questionId,
    ]);
  });
});
