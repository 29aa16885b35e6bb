import 'reflect-metadata';
import { closeOnSignal, HealthService } from '@kubecohort/observability';
import { Logger } from 'nestjs-pino';
import { loadConfigOrExit } from '@kubecohort/config';
import { ApiConfig } from './api.config.js';
import type { AddressInfo } from 'node:net';

// Validate the configuration before loading the application module, so a bad setting fails fast.
const config = loadConfigOrExit('api', () => ApiConfig.load());
const { createApiApp } = await import('./api.factory.js');

const app = await createApiApp(config);
const logger = app.get(Logger);
await app.listen(config.PORT, config.HOST);
const { port } = app.getHttpServer().address() as AddressInfo;
logger.log(`api listening on http://${config.HOST}:${port}`);

// Report not-ready first so balancers stop routing, then drain requests and close connections.
closeOnSignal(
  async () => {
    app.get(HealthService).markShuttingDown();
    await app.close();
  },
  config.SHUTDOWN_GRACE_MS,
  (message) => logger.log(message),
);
