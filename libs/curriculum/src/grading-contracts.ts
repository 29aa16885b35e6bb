import type {
  CurriculumDefinition,
  GraderTask,
  GradingContract,
  GradingExpectations,
} from './curriculum.types.js';

/** The grading contract of every grader task of a definition, by grader id. */
export function gradingContractsOf(definition: CurriculumDefinition): ReadonlyMap<string, GradingContract> {
  const contracts = new Map<string, GradingContract>();
  for (const task of definition.tasks) {
    if (task.completion === 'grader') contracts.set(task.graderId, task.grading);
  }
  return contracts;
}

/** Every value a contract promises, as the text that must appear in the instructions. */
export function expectedValues(expects: GradingExpectations): string[] {
  return [
    ...expects.namespaces,
    ...expects.names,
    ...expects.labels,
    ...expects.ports.map(String),
    ...(expects.hosts ?? []),
    ...(expects.paths ?? []),
    ...(expects.addresses ?? []),
  ];
}

/** Values a grader task's contract promises that its instructions do not mention verbatim. */
export function missingFromInstructions(task: GraderTask): string[] {
  return expectedValues(task.grading.expects).filter((value) => !task.instructions.includes(value));
}
