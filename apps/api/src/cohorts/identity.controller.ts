import {
  CurrentPrincipal,
  CurrentUser,
  type Principal,
  Public,
  RateLimit,
  Roles,
  Scopes,
  type ServicePrincipal,
  type UserPrincipal,
} from '@kubecohort/auth';
import {
  DiscordJoin,
  DiscordLinking,
  GetMe,
  JoinWithInvite,
  PasswordResets,
  type RequestMeta,
} from '@kubecohort/cohorts';
import { DomainError } from '@kubecohort/contracts';
import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TokensDto } from '../auth/auth.dto.js';
import { ParseId } from '../http/validation.js';
import { AuditMeta } from './dto-helpers.js';
import {
  DiscordJoinDto,
  DiscordJoinResultDto,
  DiscordLinkDto,
  JoinDto,
  JoinResultDto,
  LinkedUserDto,
  MeDto,
  OneTimeCodeDto,
  ResetPasswordDto,
} from './identity.dto.js';

/** Generous enough for a classroom behind one NAT joining at once; still stops password guessing. */
const JOIN_LIMIT = { name: 'join', limit: 30, windowSeconds: 60, per: 'ip' } as const;
const RESET_LIMIT = { name: 'password-reset', limit: 10, windowSeconds: 60, per: 'ip' } as const;

function serviceOnly(principal: Principal): ServicePrincipal {
  if (principal.kind !== 'service')
    throw DomainError.forbidden('service_only', 'this route is for service tokens (the Discord bot)');
  return principal;
}

@ApiTags('identity')
@Controller()
export class IdentityController {
  constructor(
    private readonly me: GetMe,
    private readonly join: JoinWithInvite,
    private readonly discordJoin: DiscordJoin,
    private readonly linking: DiscordLinking,
    private readonly resets: PasswordResets,
  ) {}

  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The caller: account, Discord link and active enrollment' })
  @ApiOkResponse({ type: MeDto })
  getMe(@CurrentUser() user: UserPrincipal): Promise<MeDto> {
    return this.me.execute(user);
  }

  @Public()
  @RateLimit(JOIN_LIMIT)
  @Post('auth/join')
  @ApiOperation({
    summary: 'Join a cohort with an invite code (creates the account, or reuses it with its password)',
  })
  @ApiCreatedResponse({ type: JoinResultDto })
  joinCohort(@Body() body: JoinDto, @AuditMeta() meta: RequestMeta): Promise<JoinResultDto> {
    return this.join.execute(body, meta);
  }

  @Scopes('join-students')
  @Post('cohorts/join/discord')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Bot: enroll a Discord user with an invite code (service scope join-students)' })
  @ApiCreatedResponse({ type: DiscordJoinResultDto })
  joinFromDiscord(
    @CurrentPrincipal() principal: Principal,
    @Body() body: DiscordJoinDto,
    @AuditMeta() meta: RequestMeta,
  ): Promise<DiscordJoinResultDto> {
    return this.discordJoin.execute(serviceOnly(principal), body, meta);
  }

  @Post('me/discord-link')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'A one-time code (10 min) to type into the bot to link this account to Discord' })
  @ApiCreatedResponse({ type: OneTimeCodeDto })
  createDiscordLinkCode(@CurrentUser() user: UserPrincipal): Promise<OneTimeCodeDto> {
    return this.linking.createCode(user);
  }

  @Scopes('join-students')
  @Post('discord/link')
  @HttpCode(200)
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Bot: redeem a link code for the Discord user who typed it (service scope join-students)',
  })
  @ApiOkResponse({ type: LinkedUserDto })
  redeemDiscordLink(
    @CurrentPrincipal() principal: Principal,
    @Body() body: DiscordLinkDto,
    @AuditMeta() meta: RequestMeta,
  ): Promise<LinkedUserDto> {
    return this.linking.redeem(serviceOnly(principal), body, meta);
  }

  @Roles('admin', 'instructor')
  @Post('cohorts/:id/students/:userId/password-reset')
  @ApiBearerAuth()
  @ApiOperation({ summary: "A one-time password reset code (1 h) for a cohort's student, to hand over" })
  @ApiCreatedResponse({ type: OneTimeCodeDto })
  issuePasswordReset(
    @CurrentUser() user: UserPrincipal,
    @Param('id', ParseId) cohortId: string,
    @Param('userId', ParseId) userId: string,
    @AuditMeta() meta: RequestMeta,
  ): Promise<OneTimeCodeDto> {
    return this.resets.issue(user, cohortId, userId, meta);
  }

  @Public()
  @RateLimit(RESET_LIMIT)
  @Post('auth/reset-password')
  @HttpCode(200)
  @ApiOperation({ summary: 'Set a new password with a reset code; ends every other session' })
  @ApiOkResponse({ type: TokensDto })
  resetPassword(@Body() body: ResetPasswordDto, @AuditMeta() meta: RequestMeta): Promise<TokensDto> {
    return this.resets.redeem(body, meta);
  }
}
