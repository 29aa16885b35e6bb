import { AccessTokens, PasswordHasher, ServiceTokens, type ServiceScope } from '@kubecohort/auth';
import { PrismaService, type UserRole } from '@kubecohort/database';
import type { INestApplication } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ApiConfig } from '../../apps/api/src/api.config.js';
import { createApiApp } from '../../apps/api/src/api.factory.js';

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-0123456789';

/** Environment for an api under test: the run's database and Redis prefix from global setup. */
export function testApiEnv(overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: process.env.DATABASE_URL,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: process.env.REDIS_PREFIX ?? 'kc-test',
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'silent',
    COOKIE_SECURE: 'false',
    PORT: '0',
    ...overrides,
  };
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  role: UserRole;
  token: string;
}

/**
 * A real api (Nest, Express, PostgreSQL, Redis) listening on a random port, plus fixtures that
 * create data through Prisma. Every fixture creates fresh rows, so tests never share state.
 */
export class ApiHarness {
  url = '';
  /**
   * Each harness looks like its own client address (the api trusts X-Forwarded-For from
   * loopback), so per-IP rate limits of one suite never throttle another.
   */
  readonly clientIp = `198.18.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 254)}`;
  private constructor(
    readonly app: INestApplication,
    readonly prisma: PrismaService,
  ) {}

  static async start(overrides: NodeJS.ProcessEnv = {}): Promise<ApiHarness> {
    const config = ApiConfig.load(testApiEnv(overrides));
    const app = await createApiApp(config);
    await app.listen(0, '127.0.0.1');
    const harness = new ApiHarness(app, app.get(PrismaService));
    harness.url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    return harness;
  }

  async stop(): Promise<void> {
    await this.app.close();
  }

  /** fetch against the api, JSON in and out. */
  async request(
    method: string,
    path: string,
    options: {
      token?: string;
      body?: unknown;
      headers?: Record<string, string>;
      raw?: string;
      contentType?: string;
    } = {},
  ): Promise<{ status: number; body: any; headers: Headers; text: string }> {
    const headers: Record<string, string> = { 'x-forwarded-for': this.clientIp, ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.raw !== undefined) {
      body = options.raw;
      headers['content-type'] = options.contentType ?? 'text/plain';
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    const response = await fetch(`${this.url}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: response.status, body: parsed, headers: response.headers, text };
  }

  async createUser(
    role: UserRole = 'student',
    options: { password?: string; displayName?: string } = {},
  ): Promise<TestUser> {
    const password = options.password ?? `pw-${randomUUID()}`;
    const email = `${role}-${randomUUID()}@test.kubecohort.dev`;
    const passwordHash = await this.app.get(PasswordHasher).hash(password);
    const user = await this.prisma.user.create({
      data: {
        email,
        role,
        passwordHash,
        displayName: options.displayName ?? `${role} ${email.slice(0, 12)}`,
      },
    });
    const token = role === 'service' ? '' : await this.app.get(AccessTokens).sign(user.id, role);
    return { id: user.id, email, password, role, token };
  }

  async createServiceToken(scopes: ServiceScope[]): Promise<{ id: string; token: string; userId: string }> {
    return this.app
      .get(ServiceTokens)
      .create({ name: `test-${randomUUID().slice(0, 8)}`, scopes, createdById: null });
  }
}
