import { Inject, Injectable } from '@nestjs/common';
import { SignJWT } from 'jose';
import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';
import { AUTH_OPTIONS, type AuthOptions } from './auth.options.js';
import type { UserPrincipal } from './principal.js';

export class InvalidTokenError extends Error {}

/** One base64url segment of a compact JWS: the unpadded alphabet only, at least one character. */
const SEGMENT = /^[A-Za-z0-9_-]+$/;

/** Thrown inside `verify` for a token that has expired; reported as 'token expired'. */
class ExpiredToken extends Error {}

/**
 * Short-lived HS256 access JWTs: `sub` = user id, `role`.
 *
 * Signing stays on jose. Verification runs on every authenticated request, so it is a synchronous
 * HMAC on node:crypto with a key object made once: jose's `jwtVerify` goes through WebCrypto,
 * whose per-call cost (async, about 0.15 ms of CPU per request in a profile) showed on the hot
 * path. It enforces what `jwtVerify` did with our options (HS256 only, issuer, audience, exp, nbf,
 * iat), slightly stricter where our own tokens never differ: `exp` is required, the signature must
 * be canonical base64url, and a `b64` header is refused.
 */
@Injectable()
export class AccessTokens {
  private readonly key: Uint8Array;
  private readonly hmacKey: KeyObject;

  constructor(@Inject(AUTH_OPTIONS) private readonly options: AuthOptions) {
    this.key = new TextEncoder().encode(options.jwtSecret);
    this.hmacKey = createSecretKey(this.key);
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

  // Stays async (callers await it) although the check itself is synchronous.
  // eslint-disable-next-line @typescript-eslint/require-await
  async verify(token: string): Promise<{ userId: string; role: UserPrincipal['role'] }> {
    let payload: Record<string, unknown>;
    try {
      payload = this.verifiedPayload(token);
    } catch (error) {
      if (error instanceof ExpiredToken) throw new InvalidTokenError('token expired');
      throw new InvalidTokenError('invalid token');
    }
    const { sub, role } = payload;
    if (typeof sub !== 'string' || (role !== 'admin' && role !== 'instructor' && role !== 'student')) {
      throw new InvalidTokenError('malformed token');
    }
    return { userId: sub, role };
  }

  /** The claims of a token whose signature and registered claims hold; throws otherwise. */
  private verifiedPayload(token: string): Record<string, unknown> {
    if (typeof token !== 'string') throw new Error('not a string');
    const parts = token.split('.');
    if (parts.length !== 3) throw new Error('not three parts');
    const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
    if (!SEGMENT.test(headerPart) || !SEGMENT.test(payloadPart) || !SEGMENT.test(signaturePart)) {
      throw new Error('not base64url');
    }

    const header = decodeObject(headerPart);
    // Exactly our algorithm (never `none`), no critical extensions, no unencoded-payload option.
    if (header.alg !== 'HS256' || 'crit' in header || 'b64' in header) throw new Error('bad header');

    // Compared in encoded form: the expected signature's canonical base64url (43 characters).
    const expected = Buffer.from(
      createHmac('sha256', this.hmacKey)
        .update(token.slice(0, headerPart.length + 1 + payloadPart.length), 'latin1')
        .digest('base64url'),
      'latin1',
    );
    const actual = Buffer.from(signaturePart, 'latin1');
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
      throw new Error('bad signature');
    }

    const payload = decodeObject(payloadPart);
    const issuer = this.options.issuer;
    if (payload.iss !== issuer) throw new Error('wrong issuer');
    const aud = payload.aud;
    if (aud !== issuer && !(Array.isArray(aud) && aud.includes(issuer))) throw new Error('wrong audience');
    const now = Math.floor(Date.now() / 1000);
    if (payload.iat !== undefined && typeof payload.iat !== 'number') throw new Error('bad iat');
    if (payload.nbf !== undefined && (typeof payload.nbf !== 'number' || payload.nbf > now)) {
      throw new Error('not yet valid');
    }
    if (typeof payload.exp !== 'number') throw new Error('no exp');
    if (payload.exp <= now) throw new ExpiredToken();
    return payload;
  }
}

/** A base64url segment holding a JSON object (not an array or a scalar). */
function decodeObject(segment: string): Record<string, unknown> {
  const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
  return value as Record<string, unknown>;
}
