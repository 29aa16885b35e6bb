import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { ApiConfig } from './api.config.js';
import { ApiModule } from './api.module.js';

export async function createApiApp(config: ApiConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config), {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.useBodyParser('json', { limit: config.BODY_LIMIT });
  app.useBodyParser('text', { limit: config.BODY_LIMIT, type: ['text/csv', 'text/plain'] });
  app.use(helmet());
  app.enableCors({ origin: config.CORS_ORIGINS.length > 0 ? config.CORS_ORIGINS : false, credentials: true });
  app.setGlobalPrefix('api/v1', { exclude: ['healthz', 'readyz', 'metrics'] });
  app.set('trust proxy', 'loopback');
  app.enableShutdownHooks();
  return app;
}
