import { Metrics } from '@kubecohort/observability';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ApiConfig } from './api.config.js';
import { ApiModule } from './api.module.js';

export async function createApiApp(config: ApiConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config), {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  const metrics = app.get(Metrics);
  app.use((request: Request, response: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    response.once('finish', () => {
      const route = (request.route as { path?: string } | undefined)?.path ?? 'unmatched';
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpDuration.observe(
        { method: request.method, route, status: String(response.statusCode) },
        seconds,
      );
    });
    next();
  });
  app.useBodyParser('json', { limit: config.BODY_LIMIT });
  app.useBodyParser('text', { limit: config.BODY_LIMIT, type: ['text/csv', 'text/plain'] });
  app.use(
    helmet({
      contentSecurityPolicy: {
        // Same-origin scripts and the same-origin /live websocket for the dashboard; no https
        // upgrade on plain-http local runs (TLS deployments set COOKIE_SECURE and keep it).
        directives: {
          'connect-src': ["'self'"],
          'upgrade-insecure-requests': config.COOKIE_SECURE ? [] : null,
        },
      },
    }),
  );
  app.enableCors({ origin: config.CORS_ORIGINS.length > 0 ? config.CORS_ORIGINS : false, credentials: true });
  app.setGlobalPrefix('api/v1', { exclude: ['healthz', 'readyz', 'metrics'] });
  app.set('trust proxy', 'loopback');
  serveDashboard(app, resolve('dist/dashboard'));

  const openApi = new DocumentBuilder()
    .setTitle('kubecohort API')
    .setDescription(
      'Cohorts, curriculum, progress, environments, grading and Q&A for Kubernetes-networking bootcamps.',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, openApi), {
    jsonDocumentUrl: 'api/docs-json',
    useGlobalPrefix: false,
  });
  return app;
}

/**
 * The dashboard's built files at `/` (when built), with index.html for every other GET that is not
 * the API, docs, health, metrics or Socket.IO (client-side routes). Plain Express middleware
 * outside Nest's guarded router: static assets carry no data, so they are public by construction;
 * unknown `/api/...` paths still reach Nest and get its JSON 404.
 */
function serveDashboard(app: NestExpressApplication, dir: string): void {
  const index = join(dir, 'index.html');
  if (!existsSync(index)) return;
  app.useStaticAssets(dir, { index: false, maxAge: '1h', setHeaders: noCacheForIndex });
  const reserved = /^\/(api|healthz|readyz|metrics|socket\.io)(\/|$)/;
  app.use((request: Request, response: Response, next: NextFunction) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return next();
    if (reserved.test(request.path) || !request.accepts('html')) return next();
    response.setHeader('cache-control', 'no-cache');
    response.sendFile(index);
  });
}

function noCacheForIndex(response: Response, path: string): void {
  if (path.endsWith('index.html')) response.setHeader('cache-control', 'no-cache');
}
