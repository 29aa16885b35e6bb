import { Public } from '@kubecohort/auth';
import { DomainError } from '@kubecohort/contracts';
import { Metrics } from '@kubecohort/observability';
import { Controller, Get, Headers, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { ApiConfig } from './api.config.js';

/** Prometheus scrape endpoint: public unless METRICS_TOKEN is set. */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    private readonly config: ApiConfig,
  ) {}

  @Public()
  @Get()
  async scrape(
    @Headers('authorization') authorization: string | undefined,
    @Res() response: Response,
  ): Promise<void> {
    const expected = this.config.METRICS_TOKEN;
    if (expected) {
      const given = Buffer.from(authorization?.startsWith('Bearer ') ? authorization.slice(7) : '');
      const want = Buffer.from(expected);
      if (given.length !== want.length || !timingSafeEqual(given, want)) {
        throw new DomainError('unauthorized', 'unauthorized', 'metrics need the METRICS_TOKEN bearer token');
      }
    }
    const { contentType, body } = await this.metrics.render();
    response.setHeader('content-type', contentType);
    response.send(body);
  }
}
