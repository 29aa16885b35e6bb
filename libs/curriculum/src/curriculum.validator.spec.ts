import { describe, expect, it } from '@jest/globals';
import type { CurriculumDefinition, GraderTask, QuizTask, ReviewTask } from './curriculum.types.js';
import { CURRICULUM_V1 } from './curriculum.v1.js';
import { assertValidCurriculum, curriculumProblems, InvalidCurriculumError } from './curriculum.validator.js';

const copy = (): CurriculumDefinition => structuredClone(CURRICULUM_V1);
const find = <T>(definition: CurriculumDefinition, slug: string): T =>
  definition.tasks.find((task) => task.slug === slug) as T;

describe('curriculumProblems', () => {
  it('accepts CURRICULUM_V1', () => {
    expect(() => assertValidCurriculum(CURRICULUM_V1)).not.toThrow();
  });

  it('reports duplicate and malformed slugs', () => {
    const definition = copy();
    definition.tasks[1]!.slug = definition.tasks[0]!.slug;
    definition.steps[0]!.slug = 'Not Kebab';
    expect(curriculumProblems(definition)).toEqual(
      expect.arrayContaining([
        'task slug foundation-kubernetes-basics is used twice',
        'step slug "Not Kebab" is not kebab-case',
      ]),
    );
  });

  it('reports references to unknown steps, phases and labs, and labs in another step', () => {
    const definition = copy();
    definition.tasks[0]!.step = 9;
    definition.tasks[1]!.phase = 8;
    find<GraderTask>(definition, 'lab-1-basic-connectivity').lab = 7;
    find<GraderTask>(definition, 'lab-2-service-discovery').step = 3;
    expect(curriculumProblems(definition)).toEqual(
      expect.arrayContaining([
        'task foundation-kubernetes-basics belongs to unknown step 9',
        'task foundation-networking-fundamentals refers to unknown phase 8',
        'task lab-1-basic-connectivity refers to unknown lab 7',
        'task lab-2-service-discovery is in step 3 but its lab is in step 4',
      ]),
    );
  });

  it('reports a contract value the instructions do not mention', () => {
    const definition = copy();
    find<GraderTask>(definition, 'lab-1-basic-connectivity').grading.expects.ports.push(9999);
    expect(curriculumProblems(definition)).toEqual([
      'task lab-1-basic-connectivity: contract value "9999" does not appear in the instructions',
    ]);
  });

  it('reports points that do not add up and answers outside the options', () => {
    const definition = copy();
    find<ReviewTask>(definition, 'capstone-writeup').maxPoints = 1;
    const quiz = find<QuizTask>(definition, 'foundation-networking-fundamentals');
    const [item] = quiz.quiz;
    if (item?.kind === 'multiple_choice') item.answerIndex = 4;
    expect(curriculumProblems(definition)).toEqual([
      'task foundation-networking-fundamentals: quiz item cidr-hosts has answerIndex 4 outside its options',
      'task capstone-writeup: rubric points add up to 40, maxPoints is 1',
    ]);
  });

  it('reports a key question no quiz asks', () => {
    const definition = copy();
    const quiz = find<QuizTask>(definition, 'phase-1-key-questions');
    quiz.quiz = quiz.quiz.filter((item) => item.keyQuestion !== 'phase-1-veth-role');
    quiz.maxPoints = quiz.quiz.reduce((sum, item) => sum + item.points, 0);
    expect(curriculumProblems(definition)).toEqual([
      'key question phase-1-veth-role is not asked in any quiz',
    ]);
  });

  it('throws all problems at once', () => {
    const definition = copy();
    definition.tasks[0]!.maxPoints = -1;
    definition.tasks[0]!.instructions = ' ';
    expect(() => assertValidCurriculum(definition)).toThrow(InvalidCurriculumError);
    try {
      assertValidCurriculum(definition);
    } catch (error) {
      expect((error as InvalidCurriculumError).problems).toHaveLength(2);
    }
  });
});
