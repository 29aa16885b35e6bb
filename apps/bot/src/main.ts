import 'reflect-metadata';
import { loadConfigOrExit } from '@kubecohort/config';
import { HealthServer, HealthService } from '@kubecohort/observability';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { BotConfig } from './bot.config.js';
import { BotModule } from './bot.module.js';
import { DiscordClient } from './discord.client.js';

const config = loadConfigOrExit('bot', () => BotConfig.load());
const app = await NestFactory.createApplicationContext(BotModule.forRoot(config), { bufferLogs: true });
const logger = app.get(Logger);
app.useLogger(logger);
app.enableShutdownHooks();

const health = app.get(HealthService);
const healthServer = new HealthServer(health);
const port = await healthServer.listen(config.HEALTH_PORT);
await app.get(DiscordClient).start();
logger.log(`bot ready (health on :${port})`);

process.once('SIGTERM', () => {
  health.markShuttingDown();
  void healthServer.close();
});
