import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { SignJWT, type JWTPayload } from 'jose';
import { createHmac } from 'node:crypto';
import { AccessTokens, InvalidTokenError } from './access-tokens.js';

const secret = 'a-test-secret-that-is-long-enough-for-hs512-0123456789abcdef-0123456789';
const issuer = 'kubecohort-test';
const tokens = new AccessTokens({
  jwtSecret: secret,
  accessTokenTtlSeconds: 900,
  refreshTokenTtlSeconds: 3600,
  issuer,
});
const key = new TextEncoder().encode(secret);
const userId = '8d6f2b5e-3f0c-4a55-9a57-1b1f6c0a7e21';
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A token as jose signs it, with our claims unless overridden. */
async function joseToken(
  options: {
    alg?: string;
    key?: Uint8Array;
    issuer?: string;
    audience?: string | string[];
    exp?: number;
    nbf?: number;
    claims?: JWTPayload;
  } = {},
): Promise<string> {
  const jwt = new SignJWT({ role: 'student', ...options.claims })
    .setProtectedHeader({ alg: options.alg ?? 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuer(options.issuer ?? issuer)
    .setAudience(options.audience ?? issuer)
    .setIssuedAt()
    .setExpirationTime(options.exp ?? nowSeconds() + 600);
  if (options.nbf !== undefined) jwt.setNotBefore(options.nbf);
  return jwt.sign(options.key ?? key);
}

const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** A token built by hand, HS256-signed with the right key over whatever header and payload. */
function handToken(header: unknown, payload: unknown): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}

const validClaims = () => ({
  sub: userId,
  role: 'student',
  iss: issuer,
  aud: issuer,
  iat: nowSeconds(),
  exp: nowSeconds() + 600,
});

const rejection = async (token: string): Promise<string> => {
  const error = await tokens.verify(token).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidTokenError);
  return (error as InvalidTokenError).message;
};

describe('AccessTokens', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('verifies a token it signed', async () => {
    const token = await tokens.sign(userId, 'instructor');
    await expect(tokens.verify(token)).resolves.toEqual({ userId, role: 'instructor' });
  });

  it('verifies tokens jose signs with our claims, and a hand-built one', async () => {
    await expect(tokens.verify(await joseToken())).resolves.toEqual({ userId, role: 'student' });
    await expect(tokens.verify(handToken({ alg: 'HS256' }, validClaims()))).resolves.toEqual({
      userId,
      role: 'student',
    });
  });

  it('accepts an audience array that contains the issuer', async () => {
    const token = await joseToken({ audience: ['someone-else', issuer] });
    await expect(tokens.verify(token)).resolves.toEqual({ userId, role: 'student' });
  });

  it('refuses a wrong key, other algorithms and alg none', async () => {
    expect(await rejection(await joseToken({ key: new TextEncoder().encode(`${secret}-other`) }))).toBe(
      'invalid token',
    );
    expect(await rejection(await joseToken({ alg: 'HS512' }))).toBe('invalid token');
    expect(await rejection(await joseToken({ alg: 'HS384' }))).toBe('invalid token');
    const claims = b64(validClaims());
    expect(await rejection(`${b64({ alg: 'none', typ: 'JWT' })}.${claims}.`)).toBe('invalid token');
    expect(await rejection(`${b64({ alg: 'none', typ: 'JWT' })}.${claims}.AAAA`)).toBe('invalid token');
    // Correctly HMAC-SHA256-signed, but the header does not say HS256 (exactly).
    expect(await rejection(handToken({ alg: 'none' }, validClaims()))).toBe('invalid token');
    expect(await rejection(handToken({ alg: 'hs256' }, validClaims()))).toBe('invalid token');
    expect(await rejection(handToken({ typ: 'JWT' }, validClaims()))).toBe('invalid token');
  });

  it('refuses crit and b64 headers', async () => {
    expect(await rejection(handToken({ alg: 'HS256', crit: ['exp'], exp: 1 }, validClaims()))).toBe(
      'invalid token',
    );
    expect(await rejection(handToken({ alg: 'HS256', crit: [] }, validClaims()))).toBe('invalid token');
    expect(await rejection(handToken({ alg: 'HS256', b64: true }, validClaims()))).toBe('invalid token');
    expect(await rejection(handToken({ alg: 'HS256', b64: false, crit: ['b64'] }, validClaims()))).toBe(
      'invalid token',
    );
  });

  it('refuses a wrong issuer or audience', async () => {
    expect(await rejection(await joseToken({ issuer: 'another-deployment' }))).toBe('invalid token');
    expect(await rejection(await joseToken({ audience: 'another-deployment' }))).toBe('invalid token');
    expect(await rejection(await joseToken({ audience: ['a', 'b'] }))).toBe('invalid token');
    const { aud: _aud, ...noAudience } = validClaims();
    expect(await rejection(handToken({ alg: 'HS256' }, noAudience))).toBe('invalid token');
    const { iss: _iss, ...noIssuer } = validClaims();
    expect(await rejection(handToken({ alg: 'HS256' }, noIssuer))).toBe('invalid token');
  });

  it('reports an expired token, with the boundary at exp == now', async () => {
    expect(await rejection(await joseToken({ exp: nowSeconds() - 60 }))).toBe('token expired');
    const now = 1_900_000_000;
    jest.spyOn(Date, 'now').mockReturnValue(now * 1000 + 999);
    expect(await rejection(handToken({ alg: 'HS256' }, { ...validClaims(), exp: now }))).toBe(
      'token expired',
    );
    await expect(
      tokens.verify(handToken({ alg: 'HS256' }, { ...validClaims(), exp: now + 1 })),
    ).resolves.toEqual({ userId, role: 'student' });
  });

  it('refuses a token that is not yet valid, and nbf == now is valid', async () => {
    expect(await rejection(await joseToken({ nbf: nowSeconds() + 60 }))).toBe('invalid token');
    const now = 1_900_000_000;
    jest.spyOn(Date, 'now').mockReturnValue(now * 1000);
    const claims = { ...validClaims(), exp: now + 600 };
    expect(await rejection(handToken({ alg: 'HS256' }, { ...claims, nbf: now + 1 }))).toBe('invalid token');
    await expect(tokens.verify(handToken({ alg: 'HS256' }, { ...claims, nbf: now }))).resolves.toEqual({
      userId,
      role: 'student',
    });
  });

  it('refuses a missing or non-numeric exp, and a non-numeric iat or nbf', async () => {
    const { exp: _exp, ...noExp } = validClaims();
    expect(await rejection(handToken({ alg: 'HS256' }, noExp))).toBe('invalid token');
    expect(
      await rejection(handToken({ alg: 'HS256' }, { ...validClaims(), exp: String(nowSeconds() + 600) })),
    ).toBe('invalid token');
    expect(await rejection(handToken({ alg: 'HS256' }, { ...validClaims(), iat: 'yesterday' }))).toBe(
      'invalid token',
    );
    expect(await rejection(handToken({ alg: 'HS256' }, { ...validClaims(), nbf: '0' }))).toBe(
      'invalid token',
    );
  });

  it('checks the signature before the claims (a forged expired token is just invalid)', async () => {
    const expired = await joseToken({ exp: nowSeconds() - 60 });
    const [header, payload] = expired.split('.');
    const forged = `${header}.${payload}.${createHmac('sha256', 'wrong').update(`${header}.${payload}`).digest('base64url')}`;
    expect(await rejection(forged)).toBe('invalid token');
  });

  it('refuses a tampered payload under the original signature', async () => {
    const [header, , signature] = (await tokens.sign(userId, 'student')).split('.');
    const admin = b64({ ...validClaims(), role: 'admin' });
    expect(await rejection(`${header}.${admin}.${signature}`)).toBe('invalid token');
  });

  it('refuses a non-canonical encoding of the right signature (jose accepted one)', async () => {
    const [header, payload, signature] = (await tokens.sign(userId, 'student')).split('.') as [
      string,
      string,
      string,
    ];
    // 43 characters carry 258 bits: the last character's low 2 bits are padding, ignored by decoders.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet[alphabet.indexOf(signature.at(-1)!) ^ 1]!;
    const variant = `${signature.slice(0, -1)}${last}`;
    expect(Buffer.from(variant, 'base64url')).toEqual(Buffer.from(signature, 'base64url'));
    expect(await rejection(`${header}.${payload}.${variant}`)).toBe('invalid token');
  });

  it('refuses anything that is not three non-empty base64url parts', async () => {
    const token = await tokens.sign(userId, 'student');
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const cases = [
      '',
      '.',
      '..',
      token.slice(0, token.lastIndexOf('.')), // two parts
      `${header}.${payload}`,
      `${token}.${signature}`, // four parts
      `${token}.`,
      `.${payload}.${signature}`,
      `${header}..${signature}`,
      `${header}.${payload}.`,
      `${header}.${payload}.${signature}=`, // padding is not base64url
      `${header}.${payload}.${signature.slice(0, -1)}`,
      `${header}.${payload}.${signature}A`,
      `${header}.${payload}+.${signature}`,
      `${header}.${payload}.${signature.replace(/[-_]/g, '+')}${/[-_]/.test(signature) ? '' : '+'}`,
      `${header} .${payload}.${signature}`,
      'not a token at all',
      '!!!.###.$$$',
      `Bearer ${token}`,
    ];
    for (const bad of cases)
      expect({ bad, message: await rejection(bad) }).toEqual({ bad, message: 'invalid token' });
  });

  it('refuses a header or payload that is not a JSON object', async () => {
    expect(await rejection(handToken('not json', validClaims()))).toBe('invalid token');
    expect(await rejection(handToken(['HS256'], validClaims()))).toBe('invalid token');
    expect(await rejection(handToken('null', validClaims()))).toBe('invalid token');
    expect(await rejection(handToken({ alg: 'HS256' }, 'not json'))).toBe('invalid token');
    expect(await rejection(handToken({ alg: 'HS256' }, [validClaims()]))).toBe('invalid token');
    expect(await rejection(handToken({ alg: 'HS256' }, '42'))).toBe('invalid token');
  });

  it('reports a bad role or a missing subject as a malformed token', async () => {
    expect(await rejection(await joseToken({ claims: { role: 'root' } }))).toBe('malformed token');
    expect(await rejection(await joseToken({ claims: { role: undefined } }))).toBe('malformed token');
    const { sub: _sub, ...noSubject } = validClaims();
    expect(await rejection(handToken({ alg: 'HS256' }, noSubject))).toBe('malformed token');
    expect(await rejection(handToken({ alg: 'HS256' }, { ...validClaims(), sub: 42 }))).toBe(
      'malformed token',
    );
  });
});
