/**
 * The bare loop's consumer: a BullMQ Worker with a trivial processor, in a process of its own (as
 * the pipeline's worker is). Reports each job's add-to-processed latency to the parent in batches.
 * Env: REDIS_URL, BARE_PREFIX, BARE_CONCURRENCY.
 */
import { Worker } from 'bullmq';

const url = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const latencies: number[] = [];
let processed = 0;

const worker = new Worker(
  'bare',
  (job) => {
    const data = job.data as { t: number; ramp?: boolean };
    if (!data.ramp) latencies.push(Date.now() - data.t);
    processed += 1;
    return Promise.resolve(null);
  },
  {
    connection: { host: url.hostname, port: Number(url.port || 6379), maxRetriesPerRequest: null },
    prefix: process.env.BARE_PREFIX ?? 'bare',
    concurrency: Number(process.env.BARE_CONCURRENCY ?? 8),
    removeOnComplete: { count: 1000 },
  },
);

const flush = setInterval(() => {
  if (latencies.length > 0) process.send?.({ type: 'done', processed, latencies: latencies.splice(0) });
}, 50);

process.on('message', (message: { type: string }) => {
  if (message.type === 'stop') {
    clearInterval(flush);
    void worker.close().then(() => process.exit(0));
  }
});
await worker.waitUntilReady();
process.send?.({ type: 'ready' });
