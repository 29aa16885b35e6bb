import { DomainError } from '@kubecohort/contracts';
import { PrismaService } from '@kubecohort/database';
import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AccessTokens, InvalidTokenError } from './access-tokens.js';
import { AccountStatus } from './account-status.js';
import { AuditTrail } from './audit-trail.js';
import { ROLES, SCOPES, type RequestWithPrincipal } from './decorators.js';
import type { Principal, ServicePrincipal, ServiceScope, UserPrincipal } from './principal.js';
import { IS_PUBLIC } from './public.decorator.js';
import { ServiceTokens } from './service-tokens.js';

export const ACT_AS_HEADER = 'x-act-as-discord';

/**
 * The global guard. Every route needs a token unless it is on the explicit public allow-list
 * (@Public). Access JWTs give a human principal; service tokens give a service principal, which
 * may act for a linked student (X-Act-As-Discord + scope act-as-student) with exactly that
 * student's permissions. Role and scope requirements are checked here too.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly accessTokens: AccessTokens,
    private readonly serviceTokens: ServiceTokens,
    private readonly prisma: PrismaService,
    private readonly audit: AuditTrail,
    private readonly accounts: AccountStatus,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true; // the Socket.IO gateway authenticates its own handshake
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<Request & RequestWithPrincipal>();
    const principal = await this.authenticate(request);
    request.principal = principal;

    if (principal.kind === 'service') {
      const scopes = this.reflector.getAllAndOverride<ServiceScope[] | undefined>(SCOPES, targets);
      if (!scopes || !scopes.some((scope) => principal.scopes.includes(scope))) {
        throw DomainError.forbidden('scope_missing', 'this service token may not call this route');
      }
      return true;
    }
    const roles = this.reflector.getAllAndOverride<UserPrincipal['role'][] | undefined>(ROLES, targets);
    if (roles && !roles.includes(principal.role)) {
      throw DomainError.forbidden('role_forbidden', `this route needs one of the roles: ${roles.join(', ')}`);
    }
    if (principal.via) {
      await this.audit.record(principal, {
        action: 'act-as-student',
        targetType: 'route',
        targetId: `${request.method} ${request.route ? String((request.route as { path: string }).path) : request.path}`,
        requestId: typeof request.id === 'string' ? request.id : null,
      });
    }
    return true;
  }

  private async authenticate(request: Request): Promise<Principal> {
    const header = request.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (!token) throw new DomainError('unauthorized', 'unauthorized', 'a bearer token is required');
    if (ServiceTokens.looksLikeServiceToken(token)) {
      const service = await this.serviceTokens.verify(token);
      if (!service) throw new DomainError('unauthorized', 'unauthorized', 'invalid or revoked service token');
      const actAs = request.headers[ACT_AS_HEADER];
      return typeof actAs === 'string' ? this.actAs(service, actAs) : service;
    }
    try {
      const claims = await this.accessTokens.verify(token);
      if (!(await this.accounts.isActive(claims.userId))) {
        throw new DomainError(
          'unauthorized',
          'account_unavailable',
          'this account is disabled or was erased',
        );
      }
      return { kind: 'user', userId: claims.userId, role: claims.role };
    } catch (error) {
      if (error instanceof InvalidTokenError)
        throw new DomainError('unauthorized', 'unauthorized', error.message);
      throw error;
    }
  }

  private async actAs(service: ServicePrincipal, discordUserId: string): Promise<UserPrincipal> {
    if (!service.scopes.includes('act-as-student')) {
      throw DomainError.forbidden('scope_missing', 'this service token may not act for students');
    }
    if (!/^\d{5,25}$/.test(discordUserId)) {
      throw DomainError.invalid('invalid X-Act-As-Discord header', [
        { field: ACT_AS_HEADER, problem: 'must be a Discord user id' },
      ]);
    }
    const link = await this.prisma.discordLink.findUnique({
      where: { discordUserId },
      select: { user: { select: { id: true, role: true, disabledAt: true, erasedAt: true } } },
    });
    if (!link || link.user.disabledAt || link.user.erasedAt) {
      throw DomainError.forbidden(
        'discord_not_linked',
        'this Discord account is not linked to a kubecohort account; use /join',
      );
    }
    // Acting is for students only: a token that may act for students never gains staff rights.
    if (link.user.role !== 'student') {
      throw DomainError.forbidden('act_as_not_student', 'service tokens may act only for students');
    }
    return {
      kind: 'user',
      userId: link.user.id,
      role: 'student',
      via: { serviceTokenId: service.tokenId, serviceUserId: service.userId, discordUserId },
    };
  }
}
