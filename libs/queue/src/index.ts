export { HandlesJob, JOB_HANDLER, type JobHandler } from './job-handler.js';
export { DEFAULT_JOB_OPTIONS, JobQueue } from './job-queue.js';
export { JobWiringError, JobWorkers } from './job-workers.js';
export { JOB_QUEUES, QUEUE_NAMES, queueOf, type JobName, type JobPayloads, type QueueName } from './jobs.js';
export { QueueModule } from './queue.module.js';
export { RedisConnection, type RedisSettings } from './redis.connection.js';
export { RedisSubscription, type RedisSubscriptionOptions } from './redis-subscription.js';
