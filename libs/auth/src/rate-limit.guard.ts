import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import type { RequestWithPrincipal } from './decorators.js';
import { RateLimiter, type RateLimitRule } from './rate-limiter.js';

export const RATE_LIMIT = 'kubecohort:rate-limit';

export interface RateLimitSpec extends RateLimitRule {
  /** Who the limit counts: the client address (anonymous routes) or the caller. */
  per: 'ip' | 'principal';
}

export const RateLimit = (spec: RateLimitSpec): MethodDecorator => SetMetadata(RATE_LIMIT, spec);

/** Applies @RateLimit rules after authentication, answering 429 with Retry-After. */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: RateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const spec = this.reflector.get<RateLimitSpec | undefined>(RATE_LIMIT, context.getHandler());
    if (!spec) return true;
    const request = context.switchToHttp().getRequest<Request & RequestWithPrincipal>();
    const subject =
      spec.per === 'principal' && request.principal
        ? request.principal.userId
        : `ip:${request.ip ?? 'unknown'}`;
    const { remaining, resetSeconds } = await this.limiter.consume(spec, subject);
    const response = context.switchToHttp().getResponse<Response>();
    response.setHeader('RateLimit-Limit', String(spec.limit));
    response.setHeader('RateLimit-Remaining', String(remaining));
    response.setHeader('RateLimit-Reset', String(resetSeconds));
    return true;
  }
}
