import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '@kubecohort/auth';
import { HealthService } from '@kubecohort/observability';

@Controller()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Public()
  @Get('healthz')
  @HttpCode(200)
  alive(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Public()
  @Get('readyz')
  async ready(@Res({ passthrough: true }) res: Response): Promise<{ status: string; checks: unknown }> {
    const report = await this.health.readiness();
    res.status(report.ready ? 200 : 503);
    return { status: report.ready ? 'ready' : 'unavailable', checks: report.checks };
  }
}
