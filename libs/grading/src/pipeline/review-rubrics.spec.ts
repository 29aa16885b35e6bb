import { describe, expect, it } from '@jest/globals';
import { DomainError } from '@kubecohort/contracts';
import { CURRICULUM_V1, type ReviewTask } from '@kubecohort/curriculum';
import { decideReview, reviewItems, type TaskDefinition } from './submission.rules.js';

// The review-graded tasks of issue #7 carry the rubric the instructor fills in through
// POST /api/v1/submissions/:id/review {score, comment, rubric}: one criterion per deliverable.

const reviewTasks = CURRICULUM_V1.tasks.filter((task): task is ReviewTask => task.completion === 'review');

function definition(task: ReviewTask): TaskDefinition {
  return {
    slug: task.slug,
    title: task.title,
    step: task.step,
    completion: 'review',
    graderId: null,
    maxPoints: task.maxPoints,
    quiz: null,
    rubric: task.rubric,
  };
}

function problems(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError)
      return error.details.map((detail) => `${detail.field} ${detail.problem}`);
    throw error;
  }
  throw new Error('expected a DomainError');
}

/** Each rubric item of a reviewed lab, and the deliverable of its instructions it scores. */
const DELIVERABLES: Record<string, Record<string, string>> = {
  'lab-5-cni-comparison': {
    setup: 'create a 3-node kind cluster',
    behaviour: '**Behaviour**',
    performance: '**Performance**',
    policy: '**Network policy**',
    recommendation: 'short recommendation',
  },
  'capstone-writeup': {
    architecture: '**Architecture**',
    policies: '**Network policy design**',
    ingress: '**External access**',
    'cni-evaluation': '**Alternative CNI plugins**',
    challenges: '**Challenges**',
    reproducibility: '**Reproducibility**',
  },
};

describe('review-graded tasks', () => {
  it.each(reviewTasks.map((task) => [task.slug, task] as const))(
    '%s has a rubric: unique ids, criteria, points summing to the task points',
    (_, task) => {
      expect(task.rubric.length).toBeGreaterThan(0);
      expect(new Set(task.rubric.map((item) => item.id)).size).toBe(task.rubric.length);
      for (const item of task.rubric) {
        expect(item.criterion.trim()).not.toBe('');
        expect(Number.isInteger(item.points) && item.points > 0).toBe(true);
      }
      expect(task.rubric.reduce((sum, item) => sum + item.points, 0)).toBe(task.maxPoints);
      expect(reviewItems(definition(task))).toEqual(task.rubric);
    },
  );

  describe.each(Object.entries(DELIVERABLES))('%s', (slug, deliverables) => {
    const task = reviewTasks.find((candidate) => candidate.slug === slug)!;

    it('scores each deliverable of the instructions with one rubric item', () => {
      expect(task.rubric.map((item) => item.id).sort()).toEqual(Object.keys(deliverables).sort());
      for (const text of Object.values(deliverables)) expect(task.instructions).toContain(text);
    });

    it('takes an instructor review that scores every item, and refuses one that leaves an item out', () => {
      const full = task.rubric.map((item) => ({ id: item.id, points: item.points, comment: 'ok' }));
      expect(decideReview(definition(task), { score: task.maxPoints, rubric: full }, 0)).toMatchObject({
        status: 'passed',
        score: task.maxPoints,
        maxScore: task.maxPoints,
      });
      const half = task.rubric.map((item) => ({ id: item.id, points: Math.floor(item.points / 2) }));
      const halfScore = half.reduce((sum, line) => sum + line.points, 0);
      expect(decideReview(definition(task), { score: halfScore, rubric: half }, 0).status).toBe('failed');
      const [left, ...rest] = task.rubric;
      expect(
        problems(() =>
          decideReview(
            definition(task),
            {
              score: rest.reduce((sum, item) => sum + item.points, 0),
              rubric: rest.map((item) => ({ id: item.id, points: item.points })),
            },
            0,
          ),
        ),
      ).toEqual([`rubric must score every item; missing: ${left!.id}`]);
    });
  });
});
