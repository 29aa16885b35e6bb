import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiHarness, type TestUser } from './support/api-harness.js';

describe('auth: login, refresh rotation, logout', () => {
  let api: ApiHarness;
  let student: TestUser;

  beforeAll(async () => {
    api = await ApiHarness.start();
    student = await api.createUser('student');
  });
  afterAll(() => api.stop());

  it('logs in and returns an access and a refresh token', async () => {
    const res = await api.request('POST', '/api/v1/auth/login', {
      body: { email: student.email, password: student.password },
    });
    expect(res.status).toBe(200);
    expect(typeof res.body.accessToken).toBe('string');
    expect(typeof res.body.refreshToken).toBe('string');
    const me = await api.request('GET', '/api/v1/me', { token: res.body.accessToken });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(student.id);
  });

  it('rejects a wrong password with 401 and no hint which part was wrong', async () => {
    const res = await api.request('POST', '/api/v1/auth/login', {
      body: { email: student.email, password: 'nope' },
    });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      error: 'invalid_credentials',
      message: 'email or password is wrong',
      details: [],
    });
  });

  it('validates the body field by field and rejects unknown fields', async () => {
    const res = await api.request('POST', '/api/v1/auth/login', {
      body: { email: 'not-an-email', extra: 1 },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('validation_failed');
    const fields = res.body.details.map((detail: { field: string }) => detail.field);
    expect(fields).toEqual(expect.arrayContaining(['email', 'password', 'extra']));
  });

  it('rotates refresh tokens and revokes the family when an old one is reused', async () => {
    const login = await api.request('POST', '/api/v1/auth/login', {
      body: { email: student.email, password: student.password },
    });
    const first = login.body.refreshToken as string;
    const rotated = await api.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: first } });
    expect(rotated.status).toBe(200);
    const second = rotated.body.refreshToken as string;
    expect(second).not.toBe(first);

    const reuse = await api.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: first } });
    expect(reuse.status).toBe(401);
    expect(reuse.body.message).toMatch(/reused/);
    // The reuse revoked the whole family: the legitimate successor is dead too.
    const afterTheft = await api.request('POST', '/api/v1/auth/refresh', { body: { refreshToken: second } });
    expect(afterTheft.status).toBe(401);
  });

  it('keeps the refresh token in an httpOnly cookie when asked (dashboard)', async () => {
    const login = await api.request('POST', '/api/v1/auth/login', {
      body: { email: student.email, password: student.password, refreshTokenIn: 'cookie' },
    });
    expect(login.status).toBe(200);
    expect(login.body.refreshToken).toBeUndefined();
    const cookie = login.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(
      /kc_refresh=[^;]+; Max-Age=\d+; Path=\/api\/v1\/auth; Expires=.*HttpOnly; SameSite=Strict/,
    );
    const refreshed = await api.request('POST', '/api/v1/auth/refresh', {
      headers: { cookie: cookie.split(';')[0]! },
      body: {},
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refreshToken).toBeUndefined();
  });

  it('logout revokes the login', async () => {
    const login = await api.request('POST', '/api/v1/auth/login', {
      body: { email: student.email, password: student.password },
    });
    const out = await api.request('POST', '/api/v1/auth/logout', {
      token: login.body.accessToken,
      body: { refreshToken: login.body.refreshToken },
    });
    expect(out.status).toBe(204);
    const refresh = await api.request('POST', '/api/v1/auth/refresh', {
      body: { refreshToken: login.body.refreshToken },
    });
    expect(refresh.status).toBe(401);
  });

  it('refuses requests without a token, with a forged token, and oversized bodies', async () => {
    expect((await api.request('POST', '/api/v1/auth/logout', { body: {} })).status).toBe(401);
    expect(
      (await api.request('POST', '/api/v1/auth/logout', { token: 'eyJhbGciOiJub25lIn0.e30.', body: {} }))
        .status,
    ).toBe(401);
    const huge = await api.request('POST', '/api/v1/auth/login', {
      raw: JSON.stringify({ email: 'a'.repeat(2_000_000) }),
      contentType: 'application/json',
    });
    expect(huge.status).toBe(413);
    expect(huge.body.error).toBe('payload_too_large');
    const malformed = await api.request('POST', '/api/v1/auth/login', {
      raw: '{"email":',
      contentType: 'application/json',
    });
    expect(malformed.status).toBe(400);
  });

  it('refuses a still-valid access token once the account is disabled', async () => {
    const user = await api.createUser('instructor');
    expect((await api.request('GET', '/api/v1/me', { token: user.token })).status).toBe(200);
    await api.prisma.user.update({ where: { id: user.id }, data: { disabledAt: new Date() } });
    // The guard caches account status for at most 5 s per process.
    let status = 200;
    for (let i = 0; i < 40 && status === 200; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      status = (await api.request('GET', '/api/v1/me', { token: user.token })).status;
    }
    expect(status).toBe(401);
  });
});
