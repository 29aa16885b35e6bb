export * from './curriculum.types.js';
export { CURRICULUM_V1, GRADING_CONTRACTS_V1 } from './curriculum.v1.js';
export { CURRICULUM_V1_SOURCE } from './curriculum.v1.source.js';
export { TROUBLESHOOTING_FAULTS } from './v1/advanced.tasks.js';
export { AGNHOST_IMAGE, BUSYBOX_IMAGE } from './v1/task-builders.js';
export { canonicalJson, curriculumChecksum } from './curriculum.checksum.js';
export { assertValidCurriculum, curriculumProblems, InvalidCurriculumError } from './curriculum.validator.js';
export { expectedValues, gradingContractsOf, missingFromInstructions } from './grading-contracts.js';
export {
  CurriculumSourceError,
  parseCurriculumSource,
  type ParsedCurriculum,
  type ParsedLab,
  type ParsedPhase,
  type ParsedSection,
  type ParsedStep,
  type ParsedTopic,
} from './source-parser.js';
export { CurriculumSeeder, type PublishedVersion, type SeedResult } from './curriculum.seeder.js';
