import 'reflect-metadata';
import { closeOnSignal, HealthServer, HealthService } from '@kubecohort/observability';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { loadConfigOrExit } from '@kubecohort/config';
import { BotConfig } from './bot.config.js';

// Validate the configuration before loading the application module, so a bad setting fails fast.
const config = loadConfigOrExit('bot', () => BotConfig.load());
const { BotModule } = await import('./bot.module.js');
const { DiscordListener } = await import('./discord/discord.listener.js');

const app = await NestFactory.createApplicationContext(BotModule.forRoot(config), { bufferLogs: true });
const logger = app.get(Logger);
app.useLogger(logger);

const health = app.get(HealthService);
const healthServer = new HealthServer(health);
const port = await healthServer.listen(config.HEALTH_PORT);
await app.get(DiscordListener).start();
logger.log(`bot ready (health on :${port})`);

closeOnSignal(
  async () => {
    health.markShuttingDown();
    await healthServer.close();
    await app.close();
  },
  config.SHUTDOWN_GRACE_MS,
  (message) => logger.log(message),
);
