import {
  CurrentPrincipal,
  CurrentUser,
  type Principal,
  RateLimit,
  Scopes,
  type UserPrincipal,
} from '@kubecohort/auth';
import type { RequestMeta } from '@kubecohort/cohorts';
import {
  Answers,
  type AnswerView,
  QA_RATE_LIMITS,
  type QuestionDetailView,
  type QuestionView,
  Questions,
} from '@kubecohort/qa';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AuditMeta } from '../cohorts/dto-helpers.js';
import { ParseId } from '../http/validation.js';
import {
  AcceptAnswerDto,
  AnswerDto,
  CreateAnswerDto,
  QuestionDetailDto,
  QuestionDto,
  UpdateQuestionDto,
} from './qa.dto.js';

@ApiTags('q&a')
@ApiBearerAuth()
@Controller('questions/:id')
export class QuestionsController {
  constructor(
    private readonly questions: Questions,
    private readonly answers: Answers,
  ) {}

  @Scopes('read-cohorts')
  @Get()
  @ApiOperation({
    summary:
      "A question with its answers (accepted, endorsed, by score, oldest first) and the asker's context",
  })
  @ApiOkResponse({ type: QuestionDetailDto })
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseId) id: string,
  ): Promise<QuestionDetailView> {
    return this.questions.get(principal, id);
  }

  @Patch()
  @ApiOperation({
    summary: 'Edit a question: its asker while it has no answer and is not locked, or the cohort staff',
  })
  @ApiOkResponse({ type: QuestionDto })
  update(
    @CurrentUser() user: UserPrincipal,
    @Param('id', ParseId) id: string,
    @Body() body: UpdateQuestionDto,
    @AuditMeta() meta: RequestMeta,
  ): Promise<QuestionView> {
    return this.questions.update(user, id, body, meta);
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete a question (soft): its asker while it has no answer, or the cohort staff',
  })
  @ApiNoContentResponse()
  async remove(
    @CurrentUser() user: UserPrincipal,
    @Param('id', ParseId) id: string,
    @AuditMeta() meta: RequestMeta,
  ): Promise<void> {
    await this.questions.remove(user, id, meta);
  }

  @Post('lock')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Lock a question: no new answers, no edits but the staff’s (cohort staff; idempotent)',
  })
  @ApiOkResponse({ type: QuestionDto })
  lock(
    @CurrentUser() user: UserPrincipal,
    @Param('id', ParseId) id: string,
    @AuditMeta() meta: RequestMeta,
  ): Promise<QuestionView> {
    return this.questions.setLocked(user, id, true, meta);
  }

  @Post('unlock')
  @HttpCode(200)
  @ApiOperation({ summary: 'Unlock a question (cohort staff; idempotent)' })
  @ApiOkResponse({ type: QuestionDto })
  unlock(
    @CurrentUser() user: UserPrincipal,
    @Param('id', ParseId) id: string,
    @AuditMeta() meta: RequestMeta,
  ): Promise<QuestionView> {
    return this.questions.setLocked(user, id, false, meta);
  }

  @Post('answers')
  @RateLimit({ ...QA_RATE_LIMITS.answer, per: 'principal' })
  @ApiOperation({
    summary: 'Answer a question (not a locked one; writes question.answered). Rate limited per caller.',
  })
  @ApiCreatedResponse({ type: AnswerDto })
  answer(
    @CurrentUser() user: UserPrincipal,
    @Param('id', ParseId) id: string,
    @Body() body: CreateAnswerDto,
  ): Promise<AnswerView> {
    return this.answers.answer(user, id, body);
  }

  @Post('accept')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Accept an answer (the asker or the cohort staff)',
    description:
      'The first acceptance solves the question (question.solved by "accepted") unless a passing grading solved it first; accepting another answer moves the acceptance.',
  })
  @ApiOkResponse({ type: QuestionDetailDto })
  accept(
    @CurrentUser() user: UserPrincipal,
    @Param('id', ParseId) id: string,
    @Body() body: AcceptAnswerDto,
    @AuditMeta() meta: RequestMeta,
  ): Promise<QuestionDetailView> {
    return this.answers.accept(user, id, body.answerId.toLowerCase(), meta);
  }
}
