import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { type Job, Worker } from 'bullmq';
import { JOB_HANDLER, type JobHandler } from './job-handler.js';
import { JOB_QUEUES, type JobName, type QueueName } from './jobs.js';
import { RedisConnection } from './redis.connection.js';

export class JobWiringError extends Error {}

/**
 * Runs BullMQ workers for the queues this process serves (chosen at start, so one image can scale
 * grading and provisioning apart). Refuses to start when a served job has no handler or two.
 */
@Injectable()
export class JobWorkers implements OnModuleDestroy {
  private readonly logger = new Logger(JobWorkers.name);
  private readonly workers: Worker[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly redis: RedisConnection,
  ) {}

  handlers(): Map<JobName, JobHandler<JobName>> {
    const found = new Map<JobName, JobHandler<JobName>[]>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object') continue;
      const job = Reflect.getMetadata(JOB_HANDLER, instance.constructor) as JobName | undefined;
      if (!job) continue;
      found.set(job, [...(found.get(job) ?? []), instance as JobHandler<JobName>]);
    }
    const result = new Map<JobName, JobHandler<JobName>>();
    for (const [job, list] of found) {
      if (list.length > 1)
        throw new JobWiringError(`job ${job} has ${list.length} handlers; exactly one is allowed`);
      result.set(job, list[0]!);
    }
    return result;
  }

  start(queues: readonly QueueName[], concurrency: number): void {
    const handlers = this.handlers();
    const missing = (Object.keys(JOB_QUEUES) as JobName[]).filter(
      (job) => queues.includes(JOB_QUEUES[job]) && !handlers.has(job),
    );
    if (missing.length > 0) throw new JobWiringError(`no handler for job(s): ${missing.join(', ')}`);
    for (const queue of queues) {
      const worker = new Worker(
        queue,
        async (job: Job) => {
          const handler = handlers.get(job.name as JobName);
          if (!handler) throw new Error(`no handler for job ${job.name} on queue ${queue}`);
          return handler.handle(job.data as never, job as never);
        },
        {
          connection: this.redis.bullConnection(),
          prefix: this.redis.settings.prefix,
          concurrency,
          autorun: true,
        },
      );
      worker.on('failed', (job, error) =>
        this.logger.warn(
          { queue, job: job?.name, jobId: job?.id, attempt: job?.attemptsMade, err: error.message },
          'job failed',
        ),
      );
      worker.on('error', (error) => this.logger.error({ queue, err: error.message }, 'worker error'));
      this.workers.push(worker);
    }
    this.logger.log(`serving queues: ${queues.join(', ')}`);
  }

  /** Lets in-flight jobs finish (BullMQ waits for them) before the process exits. */
  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close()));
  }
}
