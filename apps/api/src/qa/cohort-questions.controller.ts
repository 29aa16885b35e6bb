import {
  CurrentPrincipal,
  CurrentUser,
  type Principal,
  RateLimit,
  Scopes,
  type UserPrincipal,
} from '@kubecohort/auth';
import type { Page } from '@kubecohort/contracts';
import {
  type AskedQuestionView,
  Faq,
  type FaqView,
  QA_RATE_LIMITS,
  type QuestionView,
  Questions,
  type SimilarQuestionView,
} from '@kubecohort/qa';
import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ParseId } from '../http/validation.js';
import {
  AskedQuestionDto,
  AskQuestionDto,
  FaqDto,
  ListQuestionsQuery,
  QuestionPageDto,
  SimilarQuestionDto,
  SimilarQuestionsQuery,
} from './qa.dto.js';

@ApiTags('q&a')
@ApiBearerAuth()
@Controller('cohorts/:id')
export class CohortQuestionsController {
  constructor(
    private readonly questions: Questions,
    private readonly faq: Faq,
  ) {}

  @Post('questions')
  @RateLimit({ ...QA_RATE_LIMITS.ask, per: 'principal' })
  @ApiOperation({
    summary: 'Ask a question in your cohort (writes question.created)',
    description:
      "The question records the asker's current step and, on a task, their last grading of it (`context`). " +
      '`similar` lists up to three earlier questions sharing words with the title. Rate limited per caller.',
  })
  @ApiCreatedResponse({ type: AskedQuestionDto })
  ask(
    @CurrentUser() user: UserPrincipal,
    @Param('id', ParseId) cohortId: string,
    @Body() body: AskQuestionDto,
  ): Promise<AskedQuestionView> {
    return this.questions.ask(user, cohortId, body);
  }

  @Scopes('read-cohorts')
  @Get('questions')
  @ApiOperation({
    summary:
      "The cohort's questions: `q` searches (best match first, title words above body words), else newest first",
  })
  @ApiOkResponse({ type: QuestionPageDto })
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseId) cohortId: string,
    @Query() query: ListQuestionsQuery,
  ): Promise<Page<QuestionView>> {
    return this.questions.list(principal, cohortId, query);
  }

  @Scopes('read-cohorts')
  @Get('questions/similar')
  @ApiOperation({ summary: 'Earlier questions sharing words with a title (suggestions while asking)' })
  @ApiOkResponse({ type: [SimilarQuestionDto] })
  similar(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseId) cohortId: string,
    @Query() query: SimilarQuestionsQuery,
  ): Promise<SimilarQuestionView[]> {
    return this.questions.similar(principal, cohortId, query.title, query.limit);
  }

  @Scopes('read-cohorts')
  @Get('faq')
  @ApiOperation({
    summary: "The cohort's FAQ: questions with an accepted answer, grouped by task and step in plan order",
  })
  @ApiOkResponse({ type: FaqDto })
  getFaq(@CurrentPrincipal() principal: Principal, @Param('id', ParseId) cohortId: string): Promise<FaqView> {
    return this.faq.forCohort(principal, cohortId);
  }
}
