import { env, loadConfig } from '@kubecohort/config';
import { QUEUE_NAMES, type QueueName } from '@kubecohort/queue';
import { z } from 'zod';

const schema = z
  .object({
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
    /** Gradings running at once against one host cluster, across every worker. */
    GRADING_CONCURRENCY_PER_HOST_CLUSTER: z.coerce.number().int().min(1).max(1000).default(4),
    /** A host-cluster slot is leased this long (renewed while grading): a crashed worker's slot frees after it. */
    GRADING_SLOT_LEASE_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
    /** A grading that finds its host cluster full waits this long (plus jitter) before trying again. */
    GRADING_SLOT_RETRY_MS: z.coerce.number().int().min(10).max(60_000).default(500),
    /** Attempts per grading; only infrastructure errors are retried. */
    GRADING_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
    /** First retry delay of a grading; doubles each attempt. */
    GRADING_RETRY_BASE_MS: z.coerce.number().int().min(10).max(600_000).default(2000),
    /** Fallback poll of the submission outbox (NOTIFY normally wakes the relay at once). */
    GRADING_RELAY_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
    /** How often active submissions are checked for a grading job the queue lost. */
    GRADING_RECONCILE_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(15_000),
    /** Only submissions handed to the queue longer ago than this are checked. */
    GRADING_RECONCILE_AFTER_MS: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
    /** Test only (needs NODE_ENV=test): trivial graders and fake environment transports, for tests and benchmarks. */
    GRADING_TEST_GRADERS: env.bool(false),
  })
  .superRefine((config, context) => {
    if (config.GRADING_TEST_GRADERS && config.NODE_ENV !== 'test') {
      context.addIssue({
        code: 'custom',
        path: ['GRADING_TEST_GRADERS'],
        message: 'may only be enabled with NODE_ENV=test (it registers fake graders)',
      });
    }
  });

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- the interface below types the validated values
export class WorkerConfig {
  static load(source: NodeJS.ProcessEnv = process.env): WorkerConfig {
    return Object.assign(new WorkerConfig(), loadConfig(schema, source));
  }
}
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface WorkerConfig extends z.output<typeof schema> {}
