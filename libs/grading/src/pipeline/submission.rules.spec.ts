import { describe, expect, it } from '@jest/globals';
import { DomainError } from '@kubecohort/contracts';
import {
  decideReview,
  gradeQuiz,
  gradeSelfCheck,
  reviewItems,
  type TaskDefinition,
  validateAnswer,
} from './submission.rules.js';

const quiz: TaskDefinition = {
  slug: 'quiz',
  title: 'Quiz',
  step: 1,
  completion: 'quiz',
  graderId: null,
  maxPoints: 10,
  rubric: null,
  quiz: [
    {
      id: 'a',
      kind: 'multiple_choice',
      prompt: 'A?',
      options: ['x', 'y', 'z'],
      answerIndex: 1,
      explanation: 'Because y.',
      points: 2,
    },
    {
      id: 'b',
      kind: 'multiple_choice',
      prompt: 'B?',
      options: ['x', 'y'],
      answerIndex: 0,
      explanation: 'Because x.',
      points: 4,
    },
    { id: 'w', kind: 'written', prompt: 'Why?', guidance: 'mentions z', points: 4 },
  ],
};
const choicesOnly: TaskDefinition = { ...quiz, slug: 'choices', maxPoints: 6, quiz: quiz.quiz!.slice(0, 2) };
const review: TaskDefinition = {
  slug: 'review',
  title: 'Review',
  step: 4,
  completion: 'review',
  graderId: null,
  maxPoints: 10,
  quiz: null,
  rubric: [
    { id: 'r1', criterion: 'one', points: 6 },
    { id: 'r2', criterion: 'two', points: 4 },
  ],
};
const grader: TaskDefinition = {
  ...review,
  slug: 'lab',
  completion: 'grader',
  graderId: 'lab',
  rubric: null,
};
const selfCheck: TaskDefinition = {
  ...review,
  slug: 'self',
  completion: 'self_check',
  rubric: null,
  maxPoints: 5,
};

function problems(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error.details.map((detail) => detail.field);
    throw error;
  }
  throw new Error('expected a DomainError');
}

describe('validateAnswer', () => {
  it('grader and self-check tasks take no answer', () => {
    expect(validateAnswer(grader, undefined)).toBeNull();
    expect(validateAnswer(selfCheck, null)).toBeNull();
    expect(problems(() => validateAnswer(grader, { anything: 1 }))).toEqual(['answer']);
  });

  it('quiz answers: option indexes and written text, by known item ids', () => {
    expect(validateAnswer(quiz, { answers: { a: 1, w: 'because' } })).toEqual({
      answers: { a: 1, w: 'because' },
    });
    expect(
      problems(() => validateAnswer(quiz, { answers: { a: 3, b: 'x', w: 2, q: 1 }, extra: true })),
    ).toEqual([
      'answer.extra',
      'answer.answers.a',
      'answer.answers.b',
      'answer.answers.w',
      'answer.answers.q',
    ]);
    expect(problems(() => validateAnswer(quiz, { answers: {} }))).toEqual(['answer.answers']);
    expect(problems(() => validateAnswer(quiz, undefined))).toEqual(['answer']);
    expect(problems(() => validateAnswer(quiz, { answers: { w: '   ' } }))).toEqual(['answer.answers.w']);
  });

  it('review answers: a text and/or an http(s) url', () => {
    expect(validateAnswer(review, { url: 'https://example.com/r' })).toEqual({
      url: 'https://example.com/r',
    });
    expect(validateAnswer(review, { text: 'report' })).toEqual({ text: 'report' });
    expect(problems(() => validateAnswer(review, {}))).toEqual(['answer']);
    expect(problems(() => validateAnswer(review, { url: 'ftp://x', other: 1 }))).toEqual([
      'answer.other',
      'answer.url',
    ]);
  });
});

describe('gradeQuiz', () => {
  it('scores multiple choice; explanation as the hint of a wrong answer; never the right option', () => {
    const result = gradeQuiz(choicesOnly, { answers: { a: 1, b: 1 } });
    expect(result).toMatchObject({ status: 'failed', score: 2, maxScore: 6 });
    expect(result.checks).toEqual([
      expect.objectContaining({ id: 'a', passed: true, points: 2, message: null, hint: null }),
      expect.objectContaining({
        id: 'b',
        passed: false,
        points: 0,
        message: 'Not the right answer',
        hint: 'Because x.',
        evidence: { answer: 1 },
      }),
    ]);
    expect(gradeQuiz(choicesOnly, { answers: { a: 1, b: 0 } })).toMatchObject({ status: 'passed', score: 6 });
    expect(gradeQuiz(choicesOnly, { answers: { a: 1 } }).checks[1]).toMatchObject({
      message: 'Not answered',
    });
  });

  it('written items wait for review: pending_review with the automatic points so far', () => {
    const result = gradeQuiz(quiz, { answers: { a: 1, b: 0, w: 'text' } });
    expect(result).toMatchObject({ status: 'pending_review', score: 6 });
    expect(result.checks[2]).toMatchObject({
      id: 'w',
      skipped: true,
      passed: false,
      message: 'Awaiting review by an instructor',
    });
  });
});

describe('gradeSelfCheck', () => {
  it('passes with full points', () => {
    expect(gradeSelfCheck(selfCheck)).toMatchObject({
      status: 'passed',
      score: 5,
      checks: [expect.objectContaining({ passed: true })],
    });
  });
});

describe('decideReview', () => {
  it('scores every rubric item once within its points; score equals their sum; 60 % passes', () => {
    expect(
      decideReview(
        review,
        {
          score: 6,
          rubric: [
            { id: 'r1', points: 6 },
            { id: 'r2', points: 0 },
          ],
        },
        0,
      ),
    ).toMatchObject({
      status: 'passed',
      score: 6,
      maxScore: 10,
    });
    expect(
      decideReview(
        review,
        {
          score: 5,
          rubric: [
            { id: 'r1', points: 5 },
            { id: 'r2', points: 0 },
          ],
        },
        0,
      ).status,
    ).toBe('failed');
    expect(
      problems(() =>
        decideReview(
          review,
          {
            score: 3,
            rubric: [
              { id: 'r1', points: 7 },
              { id: 'r1', points: 1 },
              { id: 'x', points: 0 },
            ],
          },
          0,
        ),
      ),
    ).toEqual(['rubric[0].points', 'rubric[1].id', 'rubric[2].id', 'rubric']);
    expect(
      problems(() =>
        decideReview(
          review,
          {
            score: 9,
            rubric: [
              { id: 'r1', points: 6 },
              { id: 'r2', points: 4 },
            ],
          },
          0,
        ),
      ),
    ).toEqual(['score']);
    expect(problems(() => decideReview(review, { score: 11, rubric: [] }, 0))).toContain('score');
  });

  it("a quiz's review scores the written items on top of the automatic points", () => {
    expect(reviewItems(quiz)).toEqual([{ id: 'w', criterion: 'Why?', points: 4 }]);
    expect(decideReview(quiz, { score: 3, rubric: [{ id: 'w', points: 3 }] }, 6)).toMatchObject({
      status: 'passed',
      score: 9,
      maxScore: 10,
    });
    expect(reviewItems(choicesOnly)).toBeNull();
    expect(() => decideReview(grader, { score: 0, rubric: [] }, 0)).toThrow(/not reviewed/);
  });
});
