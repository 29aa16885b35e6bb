import {
  CurrentPrincipal,
  CurrentUser,
  Roles,
  Scopes,
  type Principal,
  type UserPrincipal,
} from '@kubecohort/auth';
import type { Page } from '@kubecohort/contracts';
import {
  CohortEnvironments,
  EnvironmentAdmin,
  EnvironmentLifecycle,
  type CostForecastView,
  type EnvironmentOperationView,
  type EnvironmentView,
  type StaffEnvironmentView,
} from '@kubecohort/environments';
import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import type { Response } from 'express';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import { ParseId } from '../http/validation.js';
import {
  CohortEnvironmentsQuery,
  CostForecastDto,
  EnvironmentDto,
  EnvironmentOperationDto,
  SetEnvironmentExpiryDto,
  StaffEnvironmentDto,
  StaffEnvironmentPageDto,
} from './environments.dto.js';

/** Environments seen by a cohort's staff; another cohort's environment is a 404. */
@ApiTags('environments')
@ApiBearerAuth()
@Controller('environments/:id')
export class EnvironmentsController {
  constructor(
    private readonly environments: EnvironmentAdmin,
    private readonly lifecycle: EnvironmentLifecycle,
  ) {}

  @Get()
  @Roles('admin', 'instructor')
  @ApiOperation({ summary: 'One environment (staff of its cohort)' })
  @ApiOkResponse({ type: StaffEnvironmentDto })
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseId) id: string,
  ): Promise<StaffEnvironmentView> {
    return this.environments.get(principal, id);
  }

  @Patch()
  @Roles('admin', 'instructor')
  @ApiOperation({
    summary:
      'Set or clear when an environment expires (staff of its cohort); past it, it is exported and torn down',
  })
  @ApiOkResponse({ type: StaffEnvironmentDto })
  @ApiConflictResponse({ description: 'The environment is being deleted or is gone.' })
  setExpiry(
    @CurrentUser() user: UserPrincipal,
    @Param('id', ParseId) id: string,
    @Body() body: SetEnvironmentExpiryDto,
  ): Promise<StaffEnvironmentView> {
    return this.environments.setExpiry(user, id, body.expiresAt === null ? null : new Date(body.expiresAt));
  }

  @Delete()
  @HttpCode(202)
  @Roles('admin', 'instructor')
  @ApiOperation({
    summary: 'Tear an environment down (staff of its cohort); teardown continues in the background',
    description:
      'Students cannot delete their own environment (ask the instructor): it is their graded work. Idempotent.',
  })
  @ApiAcceptedResponse({ type: StaffEnvironmentDto })
  delete(
    @CurrentUser() user: UserPrincipal,
    @Param('id', ParseId) id: string,
  ): Promise<StaffEnvironmentView> {
    return this.environments.delete(user, id);
  }

  @Post('sleep')
  @HttpCode(202)
  @Roles('admin', 'instructor')
  @ApiOperation({
    summary: 'Put an environment to sleep (staff of its cohort): its vcluster and workbench scale to zero',
    description:
      'Its state is kept (namespaces, volumes, the vcluster data, the kubeconfig); the pods it synced to the host are deleted and recreated on wake. Idempotent.',
  })
  @ApiAcceptedResponse({ type: EnvironmentDto })
  @ApiConflictResponse({ description: 'environment_not_ready: only a ready environment can go to sleep' })
  sleep(@CurrentUser() user: UserPrincipal, @Param('id', ParseId) id: string): Promise<EnvironmentView> {
    return this.lifecycle.forStaff(user, id, 'sleep');
  }

  @Post('wake')
  @HttpCode(202)
  @Roles('admin', 'instructor')
  @ApiOperation({ summary: 'Wake a sleeping environment (staff of its cohort). Idempotent.' })
  @ApiAcceptedResponse({ type: EnvironmentDto })
  @ApiConflictResponse({ description: 'environment_not_ready: not sleeping, waking or ready' })
  wake(@CurrentUser() user: UserPrincipal, @Param('id', ParseId) id: string): Promise<EnvironmentView> {
    return this.lifecycle.forStaff(user, id, 'wake');
  }

  @Post('reset')
  @HttpCode(202)
  @Roles('admin', 'instructor')
  @ApiOperation({
    summary:
      "Reset a student's environment (staff of its cohort): export their objects, then a fresh vcluster",
    description:
      'The export is downloadable by the student (GET /me/environment/exports). The environment is replaced by a new one (a new id); the old one is torn down. Asking again while a reset is pending does nothing more.',
  })
  @ApiAcceptedResponse({ type: EnvironmentDto })
  @ApiConflictResponse({
    description: 'environment_not_ready: only ready or sleeping environments are reset',
  })
  reset(@CurrentUser() user: UserPrincipal, @Param('id', ParseId) id: string): Promise<EnvironmentView> {
    return this.lifecycle.forStaff(user, id, 'reset');
  }

  @Get('kubeconfig')
  @Roles('instructor')
  @Header('Content-Type', 'application/yaml; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @Header('Content-Disposition', 'attachment; filename="kubecohort-kubeconfig.yaml"')
  @ApiOperation({
    summary: "A student's kubeconfig (YAML), for the instructors teaching their cohort (audited)",
  })
  @ApiProduces('application/yaml')
  @ApiOkResponse({ description: 'A kubeconfig', schema: { type: 'string' } })
  @ApiConflictResponse({ description: 'environment_not_ready' })
  async kubeconfig(@CurrentUser() user: UserPrincipal, @Param('id', ParseId) id: string): Promise<string> {
    return (await this.environments.kubeconfig(user, id)).kubeconfig;
  }
}

@ApiTags('environments')
@ApiBearerAuth()
@Controller('cohorts/:id/environments')
export class CohortEnvironmentsController {
  constructor(
    private readonly environments: EnvironmentAdmin,
    private readonly cohorts: CohortEnvironments,
  ) {}

  @Get()
  @Roles('admin', 'instructor')
  @Scopes('read-cohorts')
  @ApiOperation({ summary: "A cohort's environments (staff): state, step and where each runs" })
  @ApiOkResponse({ type: StaffEnvironmentPageDto })
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseId) cohortId: string,
    @Query() query: CohortEnvironmentsQuery,
  ): Promise<Page<StaffEnvironmentView>> {
    return this.environments.listForCohort(principal, cohortId, query);
  }

  @Post()
  @HttpCode(202)
  @Roles('admin', 'instructor')
  @ApiOperation({
    summary: 'Provision an environment for every enrolled student (staff); runs in the background',
    description:
      "Students who already have a live environment are skipped. A bounded number are provisioned at a time, each placed on the host cluster with the most free capacity and counted against the cohort's budget; a full budget or no capacity stops the operation with its reason. Follow it at GET .../environments/operations/:operationId (done/total) and through environment.changed events. Asking again while one runs answers with it.",
  })
  @ApiAcceptedResponse({ type: EnvironmentOperationDto })
  async provisionAll(
    @CurrentUser() user: UserPrincipal,
    @Param('id', ParseId) cohortId: string,
    @Res({ passthrough: true }) response: Response,
  ): Promise<EnvironmentOperationView> {
    const { operation } = await this.cohorts.provisionAll(user, cohortId);
    response.setHeader('Location', `/api/v1/cohorts/${cohortId}/environments/operations/${operation.id}`);
    return operation;
  }

  @Get('operations/:operationId')
  @Roles('admin', 'instructor')
  @ApiOperation({ summary: 'Progress of a cohort-wide environment operation (staff)' })
  @ApiOkResponse({ type: EnvironmentOperationDto })
  operation(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseId) cohortId: string,
    @Param('operationId', ParseId) operationId: string,
  ): Promise<EnvironmentOperationView> {
    return this.cohorts.operation(principal, cohortId, operationId);
  }
}

@ApiTags('environments')
@ApiBearerAuth()
@Controller('cohorts/:id/cost-forecast')
export class CohortCostForecastController {
  constructor(private readonly cohorts: CohortEnvironments) {}

  @Get()
  @Roles('admin', 'instructor')
  @ApiOperation({
    summary: "A cohort's environment cost: forecast (students x footprint x schedule), spent so far, budget",
  })
  @ApiOkResponse({ type: CostForecastDto })
  forecast(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseId) cohortId: string,
  ): Promise<CostForecastView> {
    return this.cohorts.costForecast(principal, cohortId);
  }
}
