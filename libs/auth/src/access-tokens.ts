import { Inject, Injectable } from '@nestjs/common';
import { errors, jwtVerify, SignJWT } from 'jose';
import { AUTH_OPTIONS, type AuthOptions } from './auth.options.js';
import type { UserPrincipal } from './principal.js';

export class InvalidTokenError extends Error {}

/** Short-lived HS256 access JWTs: `sub` = user id, `role`. */
@Injectable()
export class AccessTokens {
  private readonly key: Uint8Array;

  constructor(@Inject(AUTH_OPTIONS) private readonly options: AuthOptions) {
    this.key = new TextEncoder().encode(options.jwtSecret);
  }

  get ttlSeconds(): number {
    return this.options.accessTokenTtlSeconds;
  }

  async sign(userId: string, role: UserPrincipal['role']): Promise<string> {
    return new SignJWT({ role })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(this.options.issuer)
      .setAudience(this.options.issuer)
      .setIssuedAt()
      .setExpirationTime(`${this.options.accessTokenTtlSeconds}s`)
      .sign(this.key);
  }

  async verify(token: string): Promise<{ userId: string; role: UserPrincipal['role'] }> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        issuer: this.options.issuer,
        audience: this.options.issuer,
      });
      const role = payload.role;
      if (
        typeof payload.sub !== 'string' ||
        (role !== 'admin' && role !== 'instructor' && role !== 'student')
      ) {
        throw new InvalidTokenError('malformed token');
      }
      return { userId: payload.sub, role };
    } catch (error) {
      if (error instanceof InvalidTokenError) throw error;
      if (error instanceof errors.JWTExpired) throw new InvalidTokenError('token expired');
      throw new InvalidTokenError('invalid token');
    }
  }
}
