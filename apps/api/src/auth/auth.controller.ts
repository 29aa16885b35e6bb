import {
  AuthService,
  CurrentUser,
  Public,
  RateLimit,
  type TokenPair,
  type UserPrincipal,
} from '@kubecohort/auth';
import { DomainError } from '@kubecohort/contracts';
import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiConfig } from '../api.config.js';
import { LoginDto, RefreshDto, TokensDto } from './auth.dto.js';
import { clearRefreshCookie, readRefreshCookie, setRefreshCookie } from './refresh-cookie.js';

const AUTH_LIMIT = { name: 'auth', limit: 20, windowSeconds: 60, per: 'ip' } as const;

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly config: ApiConfig,
  ) {}

  @Public()
  @RateLimit(AUTH_LIMIT)
  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Log in with email and password' })
  async login(@Body() body: LoginDto, @Res({ passthrough: true }) response: Response): Promise<TokensDto> {
    const tokens = await this.auth.login(body.email, body.password);
    return this.deliver(tokens, body.refreshTokenIn === 'cookie', response);
  }

  @Public()
  @RateLimit(AUTH_LIMIT)
  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({ summary: 'Rotate a refresh token (a reused token revokes its whole family)' })
  async refresh(
    @Body() body: RefreshDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<TokensDto> {
    const cookie = readRefreshCookie(request);
    const token = body.refreshToken ?? cookie;
    if (!token) {
      throw DomainError.invalid('a refresh token is required', [
        { field: 'refreshToken', problem: 'is required' },
      ]);
    }
    const tokens = await this.auth.refresh(token);
    return this.deliver(tokens, !body.refreshToken && cookie !== undefined, response);
  }

  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke the refresh token family of this login' })
  async logout(
    @CurrentUser() user: UserPrincipal,
    @Body() body: RefreshDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<void> {
    await this.auth.logout(user.userId, body.refreshToken ?? readRefreshCookie(request));
    clearRefreshCookie(response, this.config.COOKIE_SECURE);
  }

  private deliver(tokens: TokenPair, inCookie: boolean, response: Response): TokensDto {
    if (!inCookie) return tokens;
    setRefreshCookie(
      response,
      tokens.refreshToken,
      this.config.REFRESH_TOKEN_TTL_SECONDS,
      this.config.COOKIE_SECURE,
    );
    return { accessToken: tokens.accessToken, expiresIn: tokens.expiresIn };
  }
}
