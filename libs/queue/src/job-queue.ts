import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { type JobsOptions, Queue } from 'bullmq';
import { type JobName, type JobPayloads, type QueueName, queueOf } from './jobs.js';
import { RedisConnection } from './redis.connection.js';

/** Default retry policy: infrastructure failures back off exponentially. */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600, count: 10000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/** Typed producer for every queue. Job ids should be deterministic so duplicates collapse. */
@Injectable()
export class JobQueue implements OnModuleDestroy {
  private readonly queues = new Map<QueueName, Queue>();

  constructor(private readonly redis: RedisConnection) {}

  queue(name: QueueName): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, {
        connection: this.redis.bullConnection(),
        prefix: this.redis.settings.prefix,
        defaultJobOptions: DEFAULT_JOB_OPTIONS,
      });
      this.queues.set(name, queue);
    }
    return queue;
  }

  async add<J extends JobName>(job: J, payload: JobPayloads[J], options: JobsOptions = {}): Promise<string> {
    const added = await this.queue(queueOf(job)).add(job, payload, options);
    return added.id ?? '';
  }

  async repeat<J extends JobName>(job: J, payload: JobPayloads[J], everyMs: number): Promise<void> {
    await this.queue(queueOf(job)).upsertJobScheduler(job, { every: everyMs }, { name: job, data: payload });
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
  }
}
