import 'reflect-metadata';
import { loadConfigOrExit } from '@kubecohort/config';
import { HealthService } from '@kubecohort/observability';
import { Logger } from 'nestjs-pino';
import { ApiConfig } from './api.config.js';
import { createApiApp } from './api.factory.js';

const config = loadConfigOrExit('api', () => ApiConfig.load());
const app = await createApiApp(config);
// SIGTERM: report not-ready first so balancers stop routing, then Nest drains and closes.
process.once('SIGTERM', () => app.get(HealthService).markShuttingDown());
await app.listen(config.PORT, config.HOST);
app.get(Logger).log(`api listening on http://${config.HOST}:${config.PORT}`);
