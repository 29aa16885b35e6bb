import { describe, expect, it } from '@jest/globals';
import { CURRICULUM_V1, type GraderTask } from '@kubecohort/curriculum';
import type { GraderSpec } from '../runtime/check-spec.types.js';
import { GRADERS } from '../runtime/grader.registry.js';
import { graderSpecProblems } from '../runtime/grader.validator.js';
import { promisedValues } from '../runtime/promised-values.js';
import { KC_CNI_PLUGIN } from './cni-plugin.grader.js';
import { LINUX_GRADERS } from './linux.graders.js';

const taskOf = (grader: GraderSpec): GraderTask | undefined =>
  CURRICULUM_V1.tasks.find(
    (task): task is GraderTask => task.completion === 'grader' && task.slug === grader.taskId,
  );

describe('every grader', () => {
  it.each(GRADERS.map((grader) => [grader.graderId, grader] as const))('%s is a valid spec', (_, grader) => {
    expect(graderSpecProblems(grader)).toEqual([]);
  });

  it('keeps every failure message within 200 characters, on one line, with a hint', () => {
    const offenders = GRADERS.flatMap((grader) =>
      grader.checks
        .filter(
          (check) =>
            check.failureMessage.length > 200 || check.failureMessage.includes('\n') || !check.hint.trim(),
        )
        .map((check) => `${grader.graderId}/${check.id}`),
    );
    expect(offenders).toEqual([]);
  });

  it('leaves room in failure messages for the specific finding', () => {
    for (const grader of GRADERS) {
      for (const check of grader.checks) expect(check.failureMessage.length).toBeLessThanOrEqual(100);
    }
  });
});

describe('the Linux-lab graders against the curriculum', () => {
  it('cover exactly the workbench tasks', () => {
    const workbench = CURRICULUM_V1.tasks
      .filter(
        (task): task is GraderTask => task.completion === 'grader' && task.grading.target === 'workbench',
      )
      .map((task) => task.slug);
    expect(LINUX_GRADERS.map((grader) => grader.taskId)).toEqual(workbench);
  });

  describe.each(LINUX_GRADERS.map((grader) => [grader.taskId, grader] as const))('%s', (_, grader) => {
    const task = taskOf(grader)!;

    it('uses the task grader id and scores the task points', () => {
      expect(grader.graderId).toBe(task.graderId);
      expect(grader.checks.reduce((sum, check) => sum + check.points, 0)).toBe(task.maxPoints);
    });

    it('reports one check per contract line, in order, titled as the contract words it', () => {
      expect(grader.checks.map((check) => check.title)).toEqual(task.grading.checks);
    });

    it('relies only on names, addresses and ports the instructions state verbatim', () => {
      const unpromised = grader.checks
        .flatMap(promisedValues)
        .filter((value) => !task.instructions.includes(value));
      expect(unpromised).toEqual([]);
    });
  });

  it('gives CNI_NETNS as the path pattern the instructions show', () => {
    const task = CURRICULUM_V1.tasks.find((candidate) => candidate.slug === 'phase-2-cni-plugin')!;
    expect(task.instructions).toContain('`/var/run/netns/kc-grade-a`');
    for (const check of LINUX_GRADERS.flatMap((grader) => grader.checks)) {
      if (check.kind === 'linux.cni.add' || check.kind === 'linux.cni.errors') {
        expect(check.attachment.netnsPath).toBe(`/var/run/netns/${check.attachment.netns}`);
      }
    }
  });

  it('sends the CNI plugin exactly the configuration the instructions show', () => {
    const task = CURRICULUM_V1.tasks.find((candidate) => candidate.slug === 'phase-2-cni-plugin')!;
    const block = /~~~json\n([\s\S]*?)\n~~~/.exec(task.instructions)?.[1];
    expect(block).toBeDefined();
    expect(KC_CNI_PLUGIN.config).toEqual(JSON.parse(block!));
  });
});
