export { AccessTokens, InvalidTokenError } from './access-tokens.js';
export { AccountStatus } from './account-status.js';
export { AdminBootstrap } from './admin-bootstrap.js';
export { AuditLogRepository, type AuditLogEntryView, type AuditLogQuery } from './audit-log.repository.js';
export { AuditTrail, type AuditEntry } from './audit-trail.js';
export { ACT_AS_HEADER, AuthGuard } from './auth.guard.js';
export { AuthModule } from './auth.module.js';
export { AuthService, type TokenPair } from './auth.service.js';
export { AUTH_OPTIONS, type AuthOptions } from './auth.options.js';
export { CohortAccess, staffedCohorts, visibleCohorts } from './cohort-access.js';
export { CredentialsJanitor } from './credentials-janitor.js';
export { CurrentPrincipal, CurrentUser, Roles, Scopes, type RequestWithPrincipal } from './decorators.js';
export { PasswordHasher } from './password-hasher.js';
export {
  isAdmin,
  SERVICE_SCOPES,
  type Principal,
  type ServicePrincipal,
  type ServiceScope,
  type UserPrincipal,
} from './principal.js';
export { IS_PUBLIC, Public } from './public.decorator.js';
export { RateLimit, RateLimitGuard, type RateLimitSpec } from './rate-limit.guard.js';
export { RateLimiter, type RateLimitRule } from './rate-limiter.js';
export { RefreshRejectedError, RefreshTokens } from './refresh-tokens.js';
export { ServiceTokens } from './service-tokens.js';
export { humanCode, newOpaqueToken, sha256 } from './token-hash.js';
export { ENCRYPTION_KEYS, SecretBox, SecretBoxError, type EncryptionKey } from './secret-box.js';
