export interface AuthOptions {
  /** HS256 key for access tokens (at least 32 characters). */
  jwtSecret: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** Issuer/audience claims, so tokens of another deployment are refused. */
  issuer: string;
}

export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');
