import { CurrentUser, RateLimit, type UserPrincipal } from '@kubecohort/auth';
import type { RequestMeta } from '@kubecohort/cohorts';
import { Answers, type AnswerView, QA_RATE_LIMITS, type VoteView } from '@kubecohort/qa';
import { Body, Controller, Delete, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditMeta } from '../cohorts/dto-helpers.js';
import { ParseId } from '../http/validation.js';
import { AnswerDto, UpdateAnswerDto, VoteDto, VoteResultDto } from './qa.dto.js';

@ApiTags('q&a')
@ApiBearerAuth()
@Controller('answers/:id')
export class AnswersController {
  constructor(private readonly answers: Answers) {}

  @Patch()
  @ApiOperation({ summary: 'Edit an answer: its author (question not locked) or the cohort staff' })
  @ApiOkResponse({ type: AnswerDto })
  update(
    @CurrentUser() user: UserPrincipal,
    @Param('id', ParseId) id: string,
    @Body() body: UpdateAnswerDto,
    @AuditMeta() meta: RequestMeta,
  ): Promise<AnswerView> {
    return this.answers.update(user, id, body.body, meta);
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({
    summary:
      'Delete an answer (soft): its author or the cohort staff; an accepted answer loses its acceptance',
  })
  @ApiNoContentResponse()
  async remove(
    @CurrentUser() user: UserPrincipal,
    @Param('id', ParseId) id: string,
    @AuditMeta() meta: RequestMeta,
  ): Promise<void> {
    await this.answers.remove(user, id, meta);
  }

  @Post('vote')
  @HttpCode(200)
  @RateLimit({ ...QA_RATE_LIMITS.vote, per: 'principal' })
  @ApiOperation({
    summary: 'Vote on an answer: 1 up, -1 down, 0 withdraws',
    description:
      'One vote per person, changeable: the new value replaces the old one and the score moves by the difference; repeating the same value changes nothing. Not on your own answer. Rate limited per caller.',
  })
  @ApiOkResponse({ type: VoteResultDto })
  vote(
    @CurrentUser() user: UserPrincipal,
    @Param('id', ParseId) id: string,
    @Body() body: VoteDto,
  ): Promise<VoteView> {
    return this.answers.vote(user, id, body.value);
  }

  @Post('endorse')
  @HttpCode(200)
  @ApiOperation({ summary: 'Endorse an answer (cohort staff; idempotent)' })
  @ApiOkResponse({ type: AnswerDto })
  endorse(@CurrentUser() user: UserPrincipal, @Param('id', ParseId) id: string): Promise<AnswerView> {
    return this.answers.setEndorsed(user, id, true);
  }

  @Delete('endorse')
  @HttpCode(200)
  @ApiOperation({ summary: 'Withdraw the endorsement of an answer (cohort staff; idempotent)' })
  @ApiOkResponse({ type: AnswerDto })
  unendorse(@CurrentUser() user: UserPrincipal, @Param('id', ParseId) id: string): Promise<AnswerView> {
    return this.answers.setEndorsed(user, id, false);
  }
}
