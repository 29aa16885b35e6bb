/**
 * The real api (Nest, Express, guards, validation, PostgreSQL, Redis), booted the way ApiHarness
 * boots it, in its own process. Answers `stats` / `reset` messages with the matrix cache counters.
 */
import 'reflect-metadata';
import { ProgressMatrixCache } from '@kubecohort/progress';
import type { AddressInfo } from 'node:net';
import { ApiConfig } from '../../apps/api/src/api.config.js';
import { createApiApp } from '../../apps/api/src/api.factory.js';

const app = await createApiApp(ApiConfig.load());
await app.listen(0, '127.0.0.1');
const cache = app.get(ProgressMatrixCache);
let cpu = process.cpuUsage();

process.on('message', (message: { type: string }) => {
  if (message.type === 'stats') {
    const used = process.cpuUsage(cpu);
    process.send!({ type: 'stats', stats: cache.stats(), cpuMs: (used.user + used.system) / 1000 });
  }
  if (message.type === 'reset') {
    cache.resetStats();
    cpu = process.cpuUsage();
    process.send!({ type: 'reset' });
  }
  if (message.type === 'stop') void app.close().then(() => process.exit(0));
});
process.send!({ type: 'ready', port: (app.getHttpServer().address() as AddressInfo).port });
