import { CohortsModule } from '@kubecohort/cohorts';
import { Module } from '@nestjs/common';
import { AdminController } from './admin.controller.js';
import { CohortMembersController } from './cohort-members.controller.js';
import { CohortsController } from './cohorts.controller.js';
import { IdentityController } from './identity.controller.js';

/** HTTP edge of identity and cohorts: me, join, cohorts, invites, roster, instructors, tokens. */
@Module({
  imports: [CohortsModule],
  controllers: [IdentityController, AdminController, CohortsController, CohortMembersController],
})
export class CohortsHttpModule {}
