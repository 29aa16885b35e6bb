import { describe, expect, it } from '@jest/globals';
import { CURRICULUM_V1, type GraderTask } from '@kubecohort/curriculum';
import { GRADERS } from './grader.registry.js';
import { promisedValues } from './promised-values.js';

const gradeable = CURRICULUM_V1.tasks.filter((task): task is GraderTask => task.completion === 'grader');

/** Gradeable tasks still without a grader; the list may only shrink. */
const NOT_YET_GRADED: string[] = [];

describe('every gradeable task of the curriculum against its grader', () => {
  it('has a grader (except the tasks listed as not graded yet), and every grader has a task', () => {
    const graded = new Set(GRADERS.map((grader) => grader.taskId));
    expect(gradeable.filter((task) => !graded.has(task.slug)).map((task) => task.slug)).toEqual(
      NOT_YET_GRADED,
    );
    const slugs = new Set(gradeable.map((task) => task.slug));
    expect(GRADERS.filter((grader) => !slugs.has(grader.taskId)).map((grader) => grader.taskId)).toEqual([]);
  });

  describe.each(
    gradeable
      .filter((task) => !NOT_YET_GRADED.includes(task.slug))
      .map((task) => [task.slug, task, GRADERS.find((grader) => grader.taskId === task.slug)!] as const),
  )('%s', (_, task, grader) => {
    it('is graded by the grader the task names, for the task points', () => {
      expect(grader.graderId).toBe(task.graderId);
      expect(grader.checks.reduce((sum, check) => sum + check.points, 0)).toBe(task.maxPoints);
    });

    it('states every name, namespace, label, port, host and path its grader checks in the instructions', () => {
      const missing = grader.checks.flatMap((check) =>
        [...new Set(promisedValues(check))]
          .filter((value) => !task.instructions.includes(value))
          .map((value) => `${check.id}: ${value}`),
      );
      expect(missing).toEqual([]);
    });
  });
});
