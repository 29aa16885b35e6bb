import { env, loadConfig } from '@kubecohort/config';
import { parseEncryptionKeys } from '@kubecohort/environments';
import { z } from 'zod';

/** `id:base64,...` parsed into SecretBox keys, or one clear problem. */
const encryptionKeys = () =>
  z.string().transform((value, context) => {
    try {
      return parseEncryptionKeys(value);
    } catch (error) {
      context.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });

const schema = z
  .object({
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
    BODY_LIMIT: z
      .string()
      .regex(/^\d+(b|kb|mb)$/i, 'must look like 1mb or 512kb')
      .default('1mb'),
    /** HS256 key for access tokens; at least 32 characters of randomness. */
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters'),
    ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86400).default(900),
    REFRESH_TOKEN_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(3600)
      .default(30 * 86400),
    /** Secure cookies need HTTPS; turn off only for plain-HTTP local runs. */
    COOKIE_SECURE: env.bool(true),
    /** When set, GET /metrics requires `Authorization: Bearer <METRICS_TOKEN>`. */
    METRICS_TOKEN: z.string().min(16).optional(),
    /** Drain time for in-flight requests after SIGTERM. */
    SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10000),
    /** Live event log retention: older events are pruned (hourly worker job); replays beyond it get `reload`. */
    EVENT_RETENTION_HOURS: z.coerce.number().int().min(1).max(8760).default(168),
    /** A live reconnect further behind than this many events gets `reload` instead of a replay. */
    LIVE_REPLAY_MAX_EVENTS: z.coerce.number().int().min(1).max(1_000_000).default(10000),
    /** A live socket with more unsent packets than this is disconnected (it reconnects and replays). */
    LIVE_MAX_BACKLOG_PACKETS: z.coerce.number().int().min(10).max(1_000_000).default(1000),
    /** Submissions one student may make per window (429 beyond; fails open while Redis is down). */
    SUBMISSION_RATE_LIMIT: z.coerce.number().int().min(1).max(100_000).default(20),
    SUBMISSION_RATE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
    /**
     * AES-256-GCM keys for kubeconfigs at rest, `id:base64-of-32-bytes`, comma-separated, current
     * first. Required, except under NODE_ENV=test (a throwaway key then; see EnvironmentsHttpModule).
     */
    ENCRYPTION_KEYS: encryptionKeys().optional(),
    /** The size of one environment, for host cluster capacity (set the same values as the worker). */
    ENV_QUOTA_CPU_MILLIS: z.coerce.number().int().min(100).default(4000),
    ENV_QUOTA_MEMORY_MIB: z.coerce.number().int().min(128).default(8192),
    WORKBENCH_CPU_MILLIS: z.coerce.number().int().min(50).default(1000),
    WORKBENCH_MEMORY_MIB: z.coerce.number().int().min(32).default(1024),
    /** A student's last platform activity (for idle detection) is written at most once per this many seconds. */
    ENV_ACTIVITY_THROTTLE_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
    /** Hours per day an environment is expected to run (idle ones sleep): cost forecasts and budget projections. */
    ENV_FORECAST_AWAKE_HOURS_PER_DAY: z.coerce.number().min(0.5).max(24).default(8),
    /** What one student's environments may run per cohort (CPU-hours, memory GiB-hours); unset: no cap. */
    ENV_STUDENT_CAP_CPU_HOURS: z.coerce.number().positive().optional(),
    ENV_STUDENT_CAP_MEMORY_GIB_HOURS: z.coerce.number().positive().optional(),
  })
  .superRefine((config, context) => {
    if (!config.ENCRYPTION_KEYS && config.NODE_ENV !== 'test') {
      context.addIssue({ code: 'custom', path: ['ENCRYPTION_KEYS'], message: 'is required' });
    }
  });

/** The api's one validated configuration, injectable under its own class. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- the interface below types the validated values
export class ApiConfig {
  static load(source: NodeJS.ProcessEnv = process.env): ApiConfig {
    return Object.assign(new ApiConfig(), loadConfig(schema, source));
  }
}
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface ApiConfig extends z.output<typeof schema> {}
