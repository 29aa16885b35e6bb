import { env, loadConfig } from '@kubecohort/config';
import { QUEUE_NAMES, type QueueName } from '@kubecohort/queue';
import { z } from 'zod';

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HEALTH_PORT: env.port(3001),
  DATABASE_URL: env.postgresUrl(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  REDIS_URL: env.redisUrl(),
  REDIS_PREFIX: z.string().min(1).default('kubecohort'),
  LOG_LEVEL: env.logLevel(),
  /** Drain time for in-flight work after SIGTERM. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(30000),
  /** Which queues this process serves (comma-separated); all by default. */
  WORKER_QUEUES: env
    .csv()
    .transform((names) => (names.length === 0 ? [...QUEUE_NAMES] : names))
    .pipe(z.array(z.enum(QUEUE_NAMES)))
    .transform((names): QueueName[] => names),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
});

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- the interface below types the validated values
export class WorkerConfig {
  static load(source: NodeJS.ProcessEnv = process.env): WorkerConfig {
    return Object.assign(new WorkerConfig(), loadConfig(schema, source));
  }
}
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface WorkerConfig extends z.output<typeof schema> {}
