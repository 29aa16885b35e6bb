import { env, loadConfig } from '@kubecohort/config';
import { z } from 'zod';

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: env.port(3000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: env.postgresUrl(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  REDIS_URL: env.redisUrl(),
  REDIS_PREFIX: z.string().min(1).default('kubecohort'),
  LOG_LEVEL: env.logLevel(),
  /** Origins allowed to call the API from a browser (the dashboard is same-origin). */
  CORS_ORIGINS: env.csv(),
  BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'must look like 1mb or 512kb').default('1mb'),
  /** Drain time for in-flight requests after SIGTERM. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10000),
});

/** The api's one validated configuration, injectable under its own class. */
export class ApiConfig {
  static load(source: NodeJS.ProcessEnv = process.env): ApiConfig {
    return Object.assign(new ApiConfig(), loadConfig(schema, source));
  }
}
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface ApiConfig extends z.output<typeof schema> {}
