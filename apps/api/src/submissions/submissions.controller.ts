import {
  CurrentPrincipal,
  CurrentUser,
  type Principal,
  Roles,
  Scopes,
  type UserPrincipal,
} from '@kubecohort/auth';
import type { Page } from '@kubecohort/contracts';
import {
  REVIEW_PASS_RATIO,
  type SubmissionAccepted,
  Submissions,
  type SubmissionSummaryView,
  type SubmissionView,
} from '@kubecohort/grading';
import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { ParseId } from '../http/validation.js';
import { SubmissionRateLimit } from './submission-rate-limit.js';
import {
  CreateSubmissionDto,
  ListCohortSubmissionsQuery,
  ListSubmissionsQuery,
  ReviewSubmissionDto,
  SubmissionAcceptedDto,
  SubmissionDto,
  SubmissionPageDto,
} from './submissions.dto.js';

@ApiTags('submissions')
@ApiBearerAuth()
@Controller('submissions')
export class SubmissionsController {
  constructor(
    private readonly submissions: Submissions,
    private readonly rateLimit: SubmissionRateLimit,
  ) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Submit a task for grading (queued; the result arrives as submission.graded)',
    description:
      'One submission per task may be queued or running at a time: 409 `submission_in_progress` names it in `details`. ' +
      "409 `step_locked` while the task's step is locked for your cohort; 404 for a task outside your cohort's curriculum. " +
      'Grader tasks are checked against your environment; quizzes are scored from `answer` (written items are reviewed ' +
      'by an instructor); review tasks wait for an instructor; self-check tasks pass. Rate limited per student (429).',
  })
  @ApiAcceptedResponse({ type: SubmissionAcceptedDto })
  @ApiTooManyRequestsResponse({ description: 'Too many submissions; see Retry-After.' })
  async submit(
    @CurrentUser() user: UserPrincipal,
    @Body() body: CreateSubmissionDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<SubmissionAccepted> {
    await this.rateLimit.consume(user.userId, response);
    return this.submissions.submit(user, body);
  }

  @Scopes('read-cohorts')
  @Get(':id')
  @ApiOperation({
    summary: 'A submission with its result and checks (its student, or the staff of its cohort; else 404)',
  })
  @ApiOkResponse({ type: SubmissionDto })
  get(@CurrentPrincipal() principal: Principal, @Param('id', ParseId) id: string): Promise<SubmissionView> {
    return this.submissions.get(principal, id);
  }

  @Post(':id/review')
  @HttpCode(200)
  @Roles('admin', 'instructor')
  @ApiOperation({
    summary: 'Review a submission waiting for an instructor (review tasks; quizzes with written items)',
    description:
      'Every rubric item is scored once, within its points, and `score` equals their sum. The submission passes when its final score reaches ' +
      `${REVIEW_PASS_RATIO * 100} % of the task's points. Writes submission.graded and the progress change; audited. ` +
      '409 `not_pending_review` when it is not waiting for a review.',
  })
  @ApiOkResponse({ type: SubmissionDto })
  review(
    @CurrentUser() user: UserPrincipal,
    @Param('id', ParseId) id: string,
    @Body() body: ReviewSubmissionDto,
  ): Promise<SubmissionView> {
    return this.submissions.review(user, id, body);
  }
}

@ApiTags('submissions')
@ApiBearerAuth()
@Controller('me')
export class MySubmissionsController {
  constructor(private readonly submissions: Submissions) {}

  @Get('submissions')
  @ApiOperation({ summary: 'My submissions, newest first (paginated; filters taskId, status)' })
  @ApiOkResponse({ type: SubmissionPageDto })
  list(
    @CurrentUser() user: UserPrincipal,
    @Query() query: ListSubmissionsQuery,
  ): Promise<Page<SubmissionSummaryView>> {
    return this.submissions.listMine(user, query);
  }
}

@ApiTags('submissions')
@ApiBearerAuth()
@Controller('cohorts/:id')
export class CohortSubmissionsController {
  constructor(private readonly submissions: Submissions) {}

  @Scopes('read-cohorts')
  @Get('submissions')
  @ApiOperation({
    summary: "A cohort's submissions for its staff, newest first (paginated; filters userId, taskId, status)",
  })
  @ApiOkResponse({ type: SubmissionPageDto })
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseId) cohortId: string,
    @Query() query: ListCohortSubmissionsQuery,
  ): Promise<Page<SubmissionSummaryView>> {
    return this.submissions.listCohort(principal, cohortId, query);
  }
}
