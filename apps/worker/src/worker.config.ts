import { env, loadConfig } from '@kubecohort/config';
import { parseEncryptionKeys } from '@kubecohort/environments';
import { QUEUE_NAMES, type QueueName } from '@kubecohort/queue';
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
    /**
     * Image of the probe containers added to students' pods for network checks: needs nc (OpenBSD
     * netcat), dig and curl; pin it by digest in production.
     */
    GRADING_PROBE_IMAGE: z.string().trim().min(1).default('nicolaka/netshoot:v0.13'),
    /** A probe container not running after this long (image pull...) is an infrastructure error (retried). */
    GRADING_PROBE_START_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(60_000),
    /** Test only (needs NODE_ENV=test): trivial graders and fake environment transports, for tests and benchmarks. */
    GRADING_TEST_GRADERS: env.bool(false),
    /**
     * AES-256-GCM keys for kubeconfigs at rest, `id:base64-of-32-bytes`, comma-separated, current
     * first. Required when serving the provisioning queue, except under NODE_ENV=test (throwaway key).
     */
    ENCRYPTION_KEYS: encryptionKeys().optional(),
    /** Requests in any one second to one host cluster's API server, per worker (a ceiling, no burst). */
    KUBE_CLIENT_QPS: z.coerce.number().min(0.1).max(1000).default(20),
    KUBE_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(15_000),
    /** Attempts per Kubernetes call on 409/429/5xx/timeouts before the job's own retry takes over. */
    KUBE_RETRY_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
    /** Namespace ResourceQuota of one environment's vcluster (requests and limits). */
    ENV_QUOTA_CPU_MILLIS: z.coerce.number().int().min(100).default(4000),
    ENV_QUOTA_MEMORY_MIB: z.coerce.number().int().min(128).default(8192),
    ENV_QUOTA_PODS: z.coerce.number().int().min(2).default(30),
    ENV_QUOTA_STORAGE_GIB: z.coerce.number().int().min(1).default(10),
    /** LimitRange defaults for containers that set no resources. */
    ENV_LIMIT_DEFAULT_CPU_MILLIS: z.coerce.number().int().min(10).default(500),
    ENV_LIMIT_DEFAULT_MEMORY_MIB: z.coerce.number().int().min(16).default(512),
    /** How students reach their vcluster API: nodeport (kind), loadbalancer, or passthrough (shared TLS-passthrough host). */
    ENV_ADDRESS_MODE: z.enum(['nodeport', 'loadbalancer', 'passthrough']).default('nodeport'),
    /** nodeport: the node address students reach (default: the host of the host cluster's API server URL). */
    ENV_NODE_ADDRESS: z.string().min(1).optional(),
    /** passthrough: students reach https://<namespace>.<domain>. */
    ENV_PASSTHROUGH_DOMAIN: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a DNS domain')
      .optional(),
    ENV_INGRESS_CLASS: z.string().min(1).default('nginx'),
    /** Egress allowed to student workloads besides their own namespace and DNS. */
    ENV_EGRESS_CIDRS: env.csv().transform((cidrs) => (cidrs.length === 0 ? ['0.0.0.0/0'] : cidrs)),
    ENV_EGRESS_EXCEPT_CIDRS: z
      .string()
      .default('10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10,169.254.0.0/16')
      .transform((value) =>
        value
          .split(',')
          .map((cidr) => cidr.trim())
          .filter(Boolean),
      ),
    /** One provisioning or teardown step gives up after this long (the job then retries). */
    ENV_STEP_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
    /** Waits re-read objects and the environment's state at least this often. */
    ENV_RECHECK_INTERVAL_MS: z.coerce.number().int().min(10).max(600_000).default(5000),
    /** How often environments on their way somewhere are checked for a lost job. */
    ENV_RECONCILE_INTERVAL_SECONDS: z.coerce.number().int().min(5).max(86_400).default(60),
    /** Exports of a student's objects (made before a reset) stay downloadable this long. */
    ENV_EXPORT_RETENTION_HOURS: z.coerce.number().int().min(1).max(8760).default(168),
    /** A ready environment idle this long (no platform activity, no vcluster API requests) is put to sleep; 0 never. */
    ENV_IDLE_AFTER_SECONDS: z.coerce.number().int().min(0).max(2_592_000).default(1800),
    /** How often environments are checked for idleness (each check reads candidates' vcluster metrics). */
    ENV_IDLE_CHECK_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
    /** vcluster API resources whose requests do not count as activity (the vcluster's own chatter). */
    ENV_IDLE_IGNORED_RESOURCES: z
      .string()
      .default('leases,events')
      .transform((value) =>
        value
          .split(',')
          .map((resource) => resource.trim())
          .filter(Boolean),
      ),
    /** Environments of one cohort-wide provisioning on their way up at once. */
    ENV_BULK_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(20),
    /** Hours per day an environment is expected to run (idle ones sleep), for budget projections. */
    ENV_FORECAST_AWAKE_HOURS_PER_DAY: z.coerce.number().min(0.5).max(24).default(8),
    /** What one student's environments may run per cohort (CPU-hours, memory GiB-hours); unset: no cap. */
    ENV_STUDENT_CAP_CPU_HOURS: z.coerce.number().positive().optional(),
    ENV_STUDENT_CAP_MEMORY_GIB_HOURS: z.coerce.number().positive().optional(),
    /** Environments of a cohort are exported and torn down this long after the cohort's end date. */
    ENV_COHORT_END_GRACE_HOURS: z.coerce.number().min(0).max(8760).default(72),
    /** An environment provisioning, waking or deleting longer than this is marked failed by the reconciler. */
    ENV_STUCK_AFTER_SECONDS: z.coerce.number().int().min(60).max(604_800).default(7200),
    /** A namespace labelled as ours that no environment owns is deleted once it is this old. */
    ENV_ORPHAN_GRACE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
    /** Warm pool: ready, unclaimed environments kept at least / at most (0 as maximum: no pool). */
    ENV_POOL_MIN: z.coerce.number().int().min(0).max(10_000).default(0),
    ENV_POOL_MAX: z.coerce.number().int().min(0).max(10_000).default(0),
    /** Students of cohorts starting within this many hours (and of running ones) size the pool. */
    ENV_POOL_LEAD_HOURS: z.coerce.number().min(0).max(8760).default(24),
    /** How often the pool is refilled. */
    ENV_POOL_REFILL_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(30),
    /** Version of the official loft-sh/vcluster chart installed for every student. */
    VCLUSTER_CHART_VERSION: z.string().min(1).default('0.28.0'),
    /** The Flux HelmRepository of the loft-sh charts, `namespace/name`. */
    VCLUSTER_HELM_REPOSITORY: z
      .string()
      .regex(/^[a-z0-9-]+\/[a-z0-9-]+$/, 'must look like flux-system/vcluster')
      .default('flux-system/vcluster'),
    /** The versioned vcluster values template. */
    VCLUSTER_VALUES_FILE: z.string().min(1).default('deploy/vcluster/vcluster.yaml'),
    /** How readiness proves the vcluster API answers: direct (at the students' address) or service-proxy. */
    VCLUSTER_PROBE: z.enum(['direct', 'service-proxy']).default('direct'),
    WORKBENCH_IMAGE: z.string().min(1).default('nicolaka/netshoot:v0.13'),
    /** RuntimeClass of the workbench pod; a VM-isolated runtime such as kata is recommended. */
    WORKBENCH_RUNTIME_CLASS: z.string().min(1).optional(),
    WORKBENCH_CPU_MILLIS: z.coerce.number().int().min(50).default(1000),
    WORKBENCH_MEMORY_MIB: z.coerce.number().int().min(32).default(1024),
  })
  .superRefine((config, context) => {
    if (
      config.WORKER_QUEUES.includes('provisioning') &&
      !config.ENCRYPTION_KEYS &&
      config.NODE_ENV !== 'test'
    ) {
      context.addIssue({
        code: 'custom',
        path: ['ENCRYPTION_KEYS'],
        message: 'is required when the worker serves the provisioning queue',
      });
    }
    if (config.ENV_ADDRESS_MODE === 'passthrough' && !config.ENV_PASSTHROUGH_DOMAIN) {
      context.addIssue({
        code: 'custom',
        path: ['ENV_PASSTHROUGH_DOMAIN'],
        message: 'is required with ENV_ADDRESS_MODE=passthrough',
      });
    }
    if (config.GRADING_TEST_GRADERS && config.NODE_ENV !== 'test') {
      context.addIssue({
        code: 'custom',
        path: ['GRADING_TEST_GRADERS'],
        message: 'may only be enabled with NODE_ENV=test (it registers fake graders)',
      });
    }
    if (config.WORKER_QUEUES.includes('grading') && !config.ENCRYPTION_KEYS && config.NODE_ENV !== 'test') {
      context.addIssue({
        code: 'custom',
        path: ['ENCRYPTION_KEYS'],
        message:
          'is required when the worker serves the grading queue (graders reach environments with host cluster credentials)',
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
