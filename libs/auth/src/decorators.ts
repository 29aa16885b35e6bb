import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Principal, ServiceScope, UserPrincipal } from './principal.js';

export const ROLES = 'kubecohort:roles';
export const SCOPES = 'kubecohort:scopes';

/** Human roles allowed on a route (any authenticated human when absent). */
export const Roles = (...roles: UserPrincipal['role'][]): MethodDecorator & ClassDecorator =>
  SetMetadata(ROLES, roles);

/** Service-token scopes that may call a route directly. Without it, service tokens are refused. */
export const Scopes = (...scopes: ServiceScope[]): MethodDecorator & ClassDecorator =>
  SetMetadata(SCOPES, scopes);

export interface RequestWithPrincipal {
  principal?: Principal;
}

export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const principal = ctx.switchToHttp().getRequest<RequestWithPrincipal>().principal;
  if (!principal) throw new Error('CurrentPrincipal used on a public route');
  return principal;
});

/** The calling human (a service acting for a student resolves to that student). */
export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext): UserPrincipal => {
  const principal = ctx.switchToHttp().getRequest<RequestWithPrincipal>().principal;
  if (!principal || principal.kind !== 'user')
    throw new Error('CurrentUser used on a route open to service tokens');
  return principal;
});
