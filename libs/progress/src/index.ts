export {
  CohortScope,
  type ActiveEnrollment,
  type ScopedCohort,
  unlockedSteps,
} from './cohort-scope.repository.js';
export { csvCell, csvLine, filenameSafe } from './csv.writer.js';
export {
  CurriculumCatalog,
  type CatalogStep,
  type CatalogTask,
  type VersionCatalog,
} from './curriculum.catalog.js';
export {
  PlanService,
  type DeadlineExtensionView,
  type StepChange,
  type StudentTaskView,
} from './plan.service.js';
export {
  findStuck,
  formatDuration,
  funnel,
  MIN_FINISHERS_FOR_TIME_RULE,
  percentile,
  stepDurations,
} from './progress.analytics.js';
export {
  ProgressMatrixCache,
  type CachedPage,
  type CacheSource,
  type MatrixCacheStats,
} from './progress-matrix.cache.js';
export {
  MATRIX_DEFAULT_LIMIT,
  MATRIX_MAX_LIMIT,
  ProgressMatrixService,
  staffScope,
  type MatrixRequest,
} from './progress-matrix.service.js';
export { ProgressModule } from './progress.module.js';
export {
  OVERRIDE_STATUSES,
  ProgressRecorder,
  type AttemptInput,
  type AttemptResult,
  type LockedEnrollment,
  type OverrideInput,
  type OverrideStatus,
  type TransactionContext,
} from './progress.recorder.js';
export { ProgressReports } from './progress-reports.service.js';
export {
  advanceStep,
  applyAttempt,
  ATTEMPT_OUTCOMES,
  isGradeable,
  isStepDone,
  isStepUnlocked,
  STUCK_AFTER_FAILURES,
  WHOLE_TASK_CHECK,
  type AttemptOutcome,
} from './progress.rules.js';
