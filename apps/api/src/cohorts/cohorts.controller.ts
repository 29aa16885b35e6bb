import {
  CurrentPrincipal,
  CurrentUser,
  type Principal,
  Roles,
  Scopes,
  type UserPrincipal,
} from '@kubecohort/auth';
import { CohortAdmin, InstructorAssignment, type RequestMeta } from '@kubecohort/cohorts';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ParseId } from '../http/validation.js';
import {
  CohortDto,
  CohortPageDto,
  CreateCohortDto,
  ListCohortsQuery,
  UpdateCohortDto,
} from './cohorts.dto.js';
import { AuditMeta, toDate } from './dto-helpers.js';

@ApiTags('cohorts')
@ApiBearerAuth()
@Controller('cohorts')
export class CohortsController {
  constructor(
    private readonly cohorts: CohortAdmin,
    private readonly instructors: InstructorAssignment,
  ) {}

  @Roles('admin', 'instructor')
  @Post()
  @ApiOperation({
    summary: 'Create a draft cohort on the latest curriculum (the creating instructor teaches it)',
  })
  @ApiCreatedResponse({ type: CohortDto })
  async create(
    @CurrentUser() user: UserPrincipal,
    @Body() body: CreateCohortDto,
    @AuditMeta() meta: RequestMeta,
  ): Promise<CohortDto> {
    const cohort = await this.cohorts.create(
      user,
      { ...body, startsAt: toDate(body.startsAt), endsAt: toDate(body.endsAt) },
      meta,
    );
    return { view: 'staff', ...cohort };
  }

  @Scopes('read-cohorts')
  @Get()
  @ApiOperation({ summary: 'Cohorts the caller may see (admin: all, instructor: taught, student: own)' })
  @ApiOkResponse({ type: CohortPageDto })
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListCohortsQuery): Promise<CohortPageDto> {
    return this.cohorts.list(principal, query);
  }

  @Scopes('read-cohorts')
  @Get(':id')
  @ApiOperation({ summary: 'One cohort: staff see everything, its students a public subset' })
  @ApiOkResponse({ type: CohortDto })
  get(@CurrentPrincipal() principal: Principal, @Param('id', ParseId) id: string): Promise<CohortDto> {
    return this.cohorts.get(principal, id);
  }

  @Roles('admin', 'instructor')
  @Patch(':id')
  @ApiOperation({ summary: 'Edit a cohort: schedule, status, plan steps, Discord mapping, budgets' })
  @ApiOkResponse({ type: CohortDto })
  async update(
    @CurrentUser() user: UserPrincipal,
    @Param('id', ParseId) id: string,
    @Body() body: UpdateCohortDto,
    @AuditMeta() meta: RequestMeta,
  ): Promise<CohortDto> {
    const cohort = await this.cohorts.update(
      user,
      id,
      {
        ...body,
        startsAt: toDate(body.startsAt),
        endsAt: toDate(body.endsAt),
        steps: body.steps?.map((step) => ({
          ...step,
          deadline: toDate(step.deadline),
          unlocksAt: toDate(step.unlocksAt),
        })),
      },
      meta,
    );
    return { view: 'staff', ...cohort };
  }

  @Roles('admin', 'instructor')
  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Soft-delete a cohort (admins and its instructors); its students are unenrolled' })
  @ApiNoContentResponse()
  async remove(
    @CurrentUser() user: UserPrincipal,
    @Param('id', ParseId) id: string,
    @AuditMeta() meta: RequestMeta,
  ): Promise<void> {
    await this.cohorts.remove(user, id, meta);
  }

  @Roles('admin')
  @Put(':id/instructors/:userId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Assign an instructor or admin to teach the cohort (admins)' })
  @ApiNoContentResponse()
  async assignInstructor(
    @CurrentUser() user: UserPrincipal,
    @Param('id', ParseId) id: string,
    @Param('userId', ParseId) userId: string,
    @AuditMeta() meta: RequestMeta,
  ): Promise<void> {
    await this.instructors.assign(user, id, userId, meta);
  }

  @Roles('admin')
  @Delete(':id/instructors/:userId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Stop an instructor teaching the cohort (admins)' })
  @ApiNoContentResponse()
  async unassignInstructor(
    @CurrentUser() user: UserPrincipal,
    @Param('id', ParseId) id: string,
    @Param('userId', ParseId) userId: string,
    @AuditMeta() meta: RequestMeta,
  ): Promise<void> {
    await this.instructors.unassign(user, id, userId, meta);
  }
}
