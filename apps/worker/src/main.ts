import 'reflect-metadata';
import { loadConfigOrExit } from '@kubecohort/config';
import { HealthServer, HealthService } from '@kubecohort/observability';
import { JobQueue, JobWorkers } from '@kubecohort/queue';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { WorkerConfig } from './worker.config.js';
import { WorkerModule } from './worker.module.js';

const config = loadConfigOrExit('worker', () => WorkerConfig.load());
const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: true });
const logger = app.get(Logger);
app.useLogger(logger);
app.enableShutdownHooks();

const health = app.get(HealthService);
const healthServer = new HealthServer(health);
const port = await healthServer.listen(config.HEALTH_PORT);

app.get(JobWorkers).start(config.WORKER_QUEUES, config.WORKER_CONCURRENCY);
if (config.WORKER_QUEUES.includes('maintenance')) {
  await app.get(JobQueue).repeat('maintenance.purge-expired-credentials', { olderThanHours: 24 }, 3600_000);
}
logger.log(`worker ready (health on :${port})`);

// SIGTERM: stop taking jobs, let running ones finish (Nest shutdown hooks close the workers).
process.once('SIGTERM', () => {
  health.markShuttingDown();
  void healthServer.close();
});
