import { Module } from '@nestjs/common';
import { CohortScope } from './cohort-scope.repository.js';
import { CurriculumCatalog } from './curriculum.catalog.js';
import { PlanService } from './plan.service.js';
import { ProgressMatrixCache } from './progress-matrix.cache.js';
import { ProgressMatrixService } from './progress-matrix.service.js';
import { ProgressRecorder } from './progress.recorder.js';
import { ProgressReports } from './progress-reports.service.js';

const providers = [
  CohortScope,
  CurriculumCatalog,
  PlanService,
  ProgressMatrixCache,
  ProgressMatrixService,
  ProgressRecorder,
  ProgressReports,
];

/**
 * Curriculum plans and student progress. Needs the global DatabaseModule, QueueModule (Redis),
 * RealtimeModule (Transactions) and AuthModule (AuditTrail, Clock).
 */
@Module({ providers, exports: providers })
export class ProgressModule {}
