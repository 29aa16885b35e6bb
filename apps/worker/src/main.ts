import 'reflect-metadata';
import { closeOnSignal, HealthServer, HealthService } from '@kubecohort/observability';
import { JobQueue, JobWorkers } from '@kubecohort/queue';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { loadConfigOrExit } from '@kubecohort/config';
import { WorkerConfig } from './worker.config.js';

// Validate the configuration before loading the application module, so a bad setting fails fast.
const config = loadConfigOrExit('worker', () => WorkerConfig.load());
const { WorkerModule } = await import('./worker.module.js');

const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: true });
const logger = app.get(Logger);
app.useLogger(logger);

const health = app.get(HealthService);
const healthServer = new HealthServer(health);
const port = await healthServer.listen(config.HEALTH_PORT);

app.get(JobWorkers).start(config.WORKER_QUEUES, config.WORKER_CONCURRENCY);
if (config.WORKER_QUEUES.includes('maintenance')) {
  await app.get(JobQueue).repeat('maintenance.purge-expired-credentials', { olderThanHours: 24 }, 3600_000);
}
logger.log(`worker ready (health on :${port})`);

// Stop taking jobs, let running ones finish (the workers close in the module destroy hook).
closeOnSignal(
  async () => {
    health.markShuttingDown();
    await healthServer.close();
    await app.close();
  },
  config.SHUTDOWN_GRACE_MS,
  (message) => logger.log(message),
);
