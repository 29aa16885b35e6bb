import type { CurriculumDefinition, QuizTask, ReviewTask } from './curriculum.types.js';
import { missingFromInstructions } from './grading-contracts.js';

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export class InvalidCurriculumError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid curriculum definition:\n- ${problems.join('\n- ')}`);
    this.name = 'InvalidCurriculumError';
  }
}

/**
 * Everything wrong with a definition, as readable sentences (empty when valid): broken references,
 * duplicate slugs, points that do not add up, grading contracts the instructions do not honour.
 */
export function curriculumProblems(definition: CurriculumDefinition): string[] {
  const problems: string[] = [];
  const phaseNumbers = new Set(definition.phases.map((phase) => phase.number));
  const stepNumbers = new Set(definition.steps.map((step) => step.number));
  const labSteps = new Map(definition.labs.map((lab) => [lab.number, lab.step]));

  duplicates(definition.phases.map((phase) => phase.number)).forEach((n) =>
    problems.push(`phase number ${n} is used twice`),
  );
  duplicates(definition.steps.map((step) => step.number)).forEach((n) =>
    problems.push(`step number ${n} is used twice`),
  );
  duplicates(definition.labs.map((lab) => lab.number)).forEach((n) =>
    problems.push(`lab number ${n} is used twice`),
  );

  const keyQuestionSlugs = definition.phases.flatMap((phase) =>
    phase.keyQuestions.map((question) => question.slug),
  );
  for (const [kind, slugs] of [
    ['phase', definition.phases.map((phase) => phase.slug)],
    ['step', definition.steps.map((step) => step.slug)],
    ['lab', definition.labs.map((lab) => lab.slug)],
    ['key question', keyQuestionSlugs],
    ['task', definition.tasks.map((task) => task.slug)],
  ] as const) {
    duplicates(slugs).forEach((slug) => problems.push(`${kind} slug ${slug} is used twice`));
    slugs
      .filter((slug) => !SLUG.test(slug))
      .forEach((slug) => problems.push(`${kind} slug "${slug}" is not kebab-case`));
  }

  for (const lab of definition.labs) {
    if (!stepNumbers.has(lab.step)) problems.push(`lab ${lab.number} belongs to unknown step ${lab.step}`);
  }

  const graderIds: string[] = [];
  const quizzedQuestions = new Set<string>();
  for (const task of definition.tasks) {
    const where = `task ${task.slug}`;
    if (!stepNumbers.has(task.step)) problems.push(`${where} belongs to unknown step ${task.step}`);
    if (task.phase !== undefined && !phaseNumbers.has(task.phase))
      problems.push(`${where} refers to unknown phase ${task.phase}`);
    if (task.lab !== undefined) {
      const labStep = labSteps.get(task.lab);
      if (labStep === undefined) problems.push(`${where} refers to unknown lab ${task.lab}`);
      else if (labStep !== task.step)
        problems.push(`${where} is in step ${task.step} but its lab is in step ${labStep}`);
    }
    if (!Number.isInteger(task.maxPoints) || task.maxPoints < 0)
      problems.push(`${where} has invalid maxPoints ${task.maxPoints}`);
    if (task.instructions.trim() === '') problems.push(`${where} has no instructions`);

    switch (task.completion) {
      case 'grader':
        graderIds.push(task.graderId);
        if (task.graderId.trim() === '') problems.push(`${where} has an empty graderId`);
        if (task.grading.graderId !== task.graderId)
          problems.push(`${where}: contract graderId differs from the task's`);
        if (task.grading.checks.length === 0) problems.push(`${where}: contract lists no checks`);
        for (const value of missingFromInstructions(task)) {
          problems.push(`${where}: contract value "${value}" does not appear in the instructions`);
        }
        break;
      case 'quiz':
        quizProblems(task, keyQuestionSlugs, quizzedQuestions).forEach((problem) =>
          problems.push(`${where}: ${problem}`),
        );
        break;
      case 'review':
        rubricProblems(task).forEach((problem) => problems.push(`${where}: ${problem}`));
        break;
      case 'self_check':
        break;
    }
  }
  duplicates(graderIds).forEach((id) => problems.push(`graderId ${id} is used by two tasks`));
  keyQuestionSlugs
    .filter((slug) => !quizzedQuestions.has(slug))
    .forEach((slug) => problems.push(`key question ${slug} is not asked in any quiz`));
  return problems;
}

export function assertValidCurriculum(definition: CurriculumDefinition): void {
  const problems = curriculumProblems(definition);
  if (problems.length > 0) throw new InvalidCurriculumError(problems);
}

function quizProblems(task: QuizTask, keyQuestionSlugs: string[], quizzed: Set<string>): string[] {
  const problems: string[] = [];
  if (task.quiz.length === 0) problems.push('quiz has no items');
  duplicates(task.quiz.map((item) => item.id)).forEach((id) =>
    problems.push(`quiz item id ${id} is used twice`),
  );
  for (const item of task.quiz) {
    if (item.keyQuestion !== undefined) {
      if (keyQuestionSlugs.includes(item.keyQuestion)) quizzed.add(item.keyQuestion);
      else problems.push(`quiz item ${item.id} refers to unknown key question ${item.keyQuestion}`);
    }
    if (item.kind === 'multiple_choice') {
      if (item.options.length < 2) problems.push(`quiz item ${item.id} has fewer than two options`);
      if (
        !Number.isInteger(item.answerIndex) ||
        item.answerIndex < 0 ||
        item.answerIndex >= item.options.length
      ) {
        problems.push(`quiz item ${item.id} has answerIndex ${item.answerIndex} outside its options`);
      }
      duplicates(item.options).forEach((option) =>
        problems.push(`quiz item ${item.id} repeats option "${option}"`),
      );
    }
  }
  const total = task.quiz.reduce((sum, item) => sum + item.points, 0);
  if (total !== task.maxPoints)
    problems.push(`quiz points add up to ${total}, maxPoints is ${task.maxPoints}`);
  return problems;
}

function rubricProblems(task: ReviewTask): string[] {
  const problems: string[] = [];
  if (task.rubric.length === 0) problems.push('rubric is empty');
  duplicates(task.rubric.map((item) => item.id)).forEach((id) =>
    problems.push(`rubric id ${id} is used twice`),
  );
  const total = task.rubric.reduce((sum, item) => sum + item.points, 0);
  if (total !== task.maxPoints)
    problems.push(`rubric points add up to ${total}, maxPoints is ${task.maxPoints}`);
  return problems;
}

function duplicates<T>(values: readonly T[]): T[] {
  const seen = new Set<T>();
  const repeated = new Set<T>();
  for (const value of values) (seen.has(value) ? repeated : seen).add(value);
  return [...repeated];
}
