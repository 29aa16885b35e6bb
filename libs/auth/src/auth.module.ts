import { Clock } from '@kubecohort/config';
import { type DynamicModule, Global, Module } from '@nestjs/common';
import { AccessTokens } from './access-tokens.js';
import { AccountStatus } from './account-status.js';
import { AdminBootstrap } from './admin-bootstrap.js';
import { AuditLogRepository } from './audit-log.repository.js';
import { AuditTrail } from './audit-trail.js';
import { AuthService } from './auth.service.js';
import { AUTH_OPTIONS, type AuthOptions } from './auth.options.js';
import { AuthGuard } from './auth.guard.js';
import { CohortAccess } from './cohort-access.js';
import { CredentialsJanitor } from './credentials-janitor.js';
import { PasswordHasher } from './password-hasher.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import { RateLimiter } from './rate-limiter.js';
import { RefreshTokens } from './refresh-tokens.js';
import { ServiceTokens } from './service-tokens.js';

const providers = [
  AccessTokens,
  AccountStatus,
  AdminBootstrap,
  AuditLogRepository,
  AuditTrail,
  AuthGuard,
  AuthService,
  Clock,
  CohortAccess,
  CredentialsJanitor,
  PasswordHasher,
  RateLimitGuard,
  RateLimiter,
  RefreshTokens,
  ServiceTokens,
];

/** Identity capability: tokens, guards, cohort scoping, audit. Needs DatabaseModule and QueueModule. */
@Global()
@Module({})
export class AuthModule {
  static forRoot(options: AuthOptions): DynamicModule {
    return {
      module: AuthModule,
      providers: [{ provide: AUTH_OPTIONS, useValue: options }, ...providers],
      exports: [AUTH_OPTIONS, ...providers],
    };
  }
}
