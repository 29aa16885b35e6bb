import { CurrentPrincipal, CurrentUser, type Principal, Scopes, type UserPrincipal } from '@kubecohort/auth';
import type { FunnelView, Page, StuckStudentView, TaskProgressView } from '@kubecohort/contracts';
import { ProgressMatrixService, ProgressRecorder, ProgressReports } from '@kubecohort/progress';
import { Body, Controller, Get, Param, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ParseId } from '../http/validation.js';
import { MatrixQueryDto, OverrideProgressDto, ProgressMatrixDto, TaskProgressDto } from './progress.dto.js';
import { ParseTaskId } from './progress.pipes.js';

/** The staff view of a cohort's progress. Students get 404: these read through staffedCohorts. */
@ApiTags('progress')
@ApiBearerAuth()
@Controller('cohorts/:id')
export class CohortProgressController {
  constructor(
    private readonly matrix: ProgressMatrixService,
    private readonly reports: ProgressReports,
    private readonly recorder: ProgressRecorder,
  ) {}

  @Scopes('read-cohorts')
  @Get('progress')
  @ApiOperation({
    summary:
      'The progress matrix, students × tasks, paginated by student (compact format: see ProgressMatrixPage)',
    description:
      "Served from a cache keyed by the cohort's progress version, so it is never stale after a change. " +
      'Supports If-None-Match (304). X-Cache tells where it came from: memory, redis, shared (waited for the version being produced), patched (previous version + changed rows) or built.',
  })
  @ApiOkResponse({ type: ProgressMatrixDto })
  async progress(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseId) cohortId: string,
    @Query() query: MatrixQueryDto,
    @Res() response: Response,
  ): Promise<void> {
    const page = await this.matrix.page(principal, cohortId, query);
    response.setHeader('Content-Type', 'application/json; charset=utf-8');
    response.setHeader('Cache-Control', 'private, no-cache');
    response.setHeader('ETag', page.etag);
    response.setHeader('X-Cache', page.source);
    // The serialised page goes out as it is; Express answers 304 when If-None-Match matches.
    response.send(page.body);
  }

  @Scopes('read-cohorts')
  @Get('funnel')
  @ApiOperation({
    summary: 'Per step: students who started it and who completed it',
    description:
      "started = students with any progress on the step's tasks or whose current step is at or past it; " +
      'completed = students with every gradeable (grader, quiz, review) task of the step passed. Active and completed enrolments count.',
  })
  funnel(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseId) cohortId: string,
  ): Promise<FunnelView> {
    return this.reports.funnel(principal, cohortId);
  }

  @Scopes('read-cohorts')
  @Get('stuck')
  @ApiOperation({
    summary: 'Students flagged stuck, each with the reasons',
    description:
      'Stuck: the same check of a task failed 3 times in a row, or time on the current step beyond the 75th percentile ' +
      "of the time this cohort's students who finished that step took (once at least 5 have).",
  })
  stuck(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseId) cohortId: string,
  ): Promise<Page<StuckStudentView>> {
    return this.reports.stuck(principal, cohortId);
  }

  @Get('export.csv')
  @ApiProduces('text/csv')
  @ApiOperation({ summary: 'Points per student and task with totals, as spreadsheet-safe CSV (audited)' })
  async exportCsv(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseId) cohortId: string,
    @Res() response: Response,
  ): Promise<void> {
    const { filename, csv } = await this.reports.exportCsv(principal, cohortId);
    response.setHeader('Content-Type', 'text/csv; charset=utf-8');
    response.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
    response.setHeader('Cache-Control', 'no-store');
    response.send(csv);
  }

  @Put('students/:userId/tasks/:taskId')
  @ApiOperation({
    summary: "Override a student's status and/or points on a task, with a reason (staff; audited)",
  })
  @ApiOkResponse({ type: TaskProgressDto })
  override(
    @CurrentUser() user: UserPrincipal,
    @Param('id', ParseId) cohortId: string,
    @Param('userId', ParseId) userId: string,
    @Param('taskId', ParseTaskId) taskId: string,
    @Body() body: OverrideProgressDto,
  ): Promise<TaskProgressView> {
    return this.recorder.override(user, cohortId, userId, taskId, {
      status: body.status,
      points: body.points,
      reason: body.reason,
    });
  }
}
