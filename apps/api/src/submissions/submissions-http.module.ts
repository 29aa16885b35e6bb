import type { RateLimitRule } from '@kubecohort/auth';
import { SubmissionsModule } from '@kubecohort/grading';
import { type DynamicModule, Module } from '@nestjs/common';
import { SUBMISSION_RATE_RULE, SubmissionRateLimit } from './submission-rate-limit.js';
import {
  CohortSubmissionsController,
  MySubmissionsController,
  SubmissionsController,
} from './submissions.controller.js';

export interface SubmissionsHttpSettings {
  SUBMISSION_RATE_LIMIT: number;
  SUBMISSION_RATE_WINDOW_SECONDS: number;
}

/** HTTP edge of the grading pipeline: submit, read results, list, review. */
@Module({})
export class SubmissionsHttpModule {
  static forRoot(config: SubmissionsHttpSettings): DynamicModule {
    const rule: RateLimitRule = {
      name: 'submissions',
      limit: config.SUBMISSION_RATE_LIMIT,
      windowSeconds: config.SUBMISSION_RATE_WINDOW_SECONDS,
    };
    return {
      module: SubmissionsHttpModule,
      imports: [SubmissionsModule],
      controllers: [SubmissionsController, MySubmissionsController, CohortSubmissionsController],
      providers: [{ provide: SUBMISSION_RATE_RULE, useValue: rule }, SubmissionRateLimit],
    };
  }
}
