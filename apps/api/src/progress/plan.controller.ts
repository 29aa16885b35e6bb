import { CurrentPrincipal, CurrentUser, type Principal, Scopes, type UserPrincipal } from '@kubecohort/auth';
import type { PlanStepView, PlanView } from '@kubecohort/contracts';
import { type DeadlineExtensionView, PlanService } from '@kubecohort/progress';
import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ParseId } from '../http/validation.js';
import { ExtendDeadlineDto, UpdateStepDto } from './progress.dto.js';
import { ParseStep, toDate } from './progress.pipes.js';

@ApiTags('plan')
@ApiBearerAuth()
@Controller('cohorts/:id')
export class PlanController {
  constructor(private readonly plans: PlanService) {}

  @Scopes('read-cohorts')
  @Get('plan')
  @ApiOperation({
    summary: "The cohort's plan: its curriculum version's steps with lock, unlock time and deadline",
    description: 'For a student also their own deadline extensions, current step and status per task.',
  })
  plan(@CurrentPrincipal() principal: Principal, @Param('id', ParseId) cohortId: string): Promise<PlanView> {
    return this.plans.plan(principal, cohortId);
  }

  @Put('plan/steps/:step')
  @ApiOperation({
    summary: 'Lock or unlock a step, schedule its unlock, set its deadline (staff; writes plan.updated)',
  })
  updateStep(
    @CurrentUser() user: UserPrincipal,
    @Param('id', ParseId) cohortId: string,
    @Param('step', ParseStep) step: number,
    @Body() body: UpdateStepDto,
  ): Promise<PlanStepView> {
    return this.plans.updateStep(user, cohortId, step, {
      locked: body.locked,
      unlocksAt: toDate(body.unlocksAt),
      deadline: toDate(body.deadline),
    });
  }

  @Put('students/:userId/steps/:step/deadline')
  @ApiOperation({
    summary: "Extend one student's deadline for a step (staff; audited; plan.updated about the student)",
  })
  @ApiOkResponse({ description: '{userId, step, deadline, reason, grantedById, grantedAt}' })
  extendDeadline(
    @CurrentUser() user: UserPrincipal,
    @Param('id', ParseId) cohortId: string,
    @Param('userId', ParseId) userId: string,
    @Param('step', ParseStep) step: number,
    @Body() body: ExtendDeadlineDto,
  ): Promise<DeadlineExtensionView> {
    return this.plans.extendDeadline(user, cohortId, userId, step, new Date(body.deadline), body.reason);
  }
}
