import { ProgressModule } from '@kubecohort/progress';
import { Module } from '@nestjs/common';
import { CohortProgressController } from './cohort-progress.controller.js';
import { CurriculumController } from './curriculum.controller.js';
import { MyProgressController } from './my-progress.controller.js';
import { PlanController } from './plan.controller.js';

/** HTTP edge of curriculum plans and progress: plan, matrix, funnel, stuck, export, overrides. */
@Module({
  imports: [ProgressModule],
  controllers: [CurriculumController, PlanController, CohortProgressController, MyProgressController],
})
export class ProgressHttpModule {}
