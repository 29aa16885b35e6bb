import type { CurriculumDefinition } from './curriculum.types.js';
import { CURRICULUM_V1_SOURCE } from './curriculum.v1.source.js';
import { gradingContractsOf } from './grading-contracts.js';
import { STEP_5_TASKS } from './v1/advanced.tasks.js';
import { STEP_6_TASKS, STEP_7_TASKS } from './v1/capstone.tasks.js';
import { STEP_3_TASKS } from './v1/concepts.tasks.js';
import { STEP_1_TASKS, STEP_2_TASKS } from './v1/foundation.tasks.js';
import { STEP_4_TASKS } from './v1/labs.tasks.js';
import { LABS, PHASES, STEPS } from './v1/outline.data.js';

/**
 * Curriculum v1, written from curriculum/source.md. Published versions are immutable: change this
 * data (or add a v2 beside it) and the seeder publishes a new version; task slugs stay stable so
 * progress carries over.
 */
export const CURRICULUM_V1: CurriculumDefinition = deepFreeze({
  label: 'v1',
  title: 'Kubernetes networking bootcamp',
  source: CURRICULUM_V1_SOURCE,
  phases: PHASES,
  steps: STEPS,
  labs: LABS,
  tasks: [
    ...STEP_1_TASKS,
    ...STEP_2_TASKS,
    ...STEP_3_TASKS,
    ...STEP_4_TASKS,
    ...STEP_5_TASKS,
    ...STEP_6_TASKS,
    ...STEP_7_TASKS,
  ],
});

/** Frozen so no consumer can change the published data in memory (and with it the checksum). */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** What each v1 grader may rely on, by grader id (see GradingContract). */
export const GRADING_CONTRACTS_V1 = gradingContractsOf(CURRICULUM_V1);
