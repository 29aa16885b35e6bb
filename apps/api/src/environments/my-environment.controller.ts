import { CurrentUser, Roles, type UserPrincipal } from '@kubecohort/auth';
import {
  EnvironmentLifecycle,
  EnvironmentRequests,
  type EnvironmentExportView,
  type EnvironmentView,
} from '@kubecohort/environments';
import { Controller, Get, Header, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { ParseId } from '../http/validation.js';
import { WakesEnvironment } from './environment-activity.interceptor.js';
import { EnvironmentDto, EnvironmentExportDto } from './environments.dto.js';

/** The caller's own environment; the bot reaches these acting for the student (X-Act-As-Discord). */
@ApiTags('environments')
@ApiBearerAuth()
@Roles('student')
@Controller('me/environment')
export class MyEnvironmentController {
  constructor(
    private readonly environments: EnvironmentRequests,
    private readonly lifecycle: EnvironmentLifecycle,
  ) {}

  @Post()
  @HttpCode(202)
  @WakesEnvironment()
  @ApiOperation({
    summary: 'Ask for my environment (a vcluster plus a workbench); provisioning continues in the background',
    description: 'Idempotent: with a live environment already, answers with it (and wakes it if it sleeps).',
  })
  @ApiAcceptedResponse({ type: EnvironmentDto })
  @ApiForbiddenResponse({ description: 'not_enrolled: no active enrollment' })
  @ApiServiceUnavailableResponse({ description: 'no_capacity: no host cluster has room (Retry-After)' })
  async request(@CurrentUser() user: UserPrincipal): Promise<EnvironmentView> {
    return (await this.environments.request(user)).environment;
  }

  @Get()
  @ApiOperation({
    summary: 'My environment: state, current step and percentage (the latest one if none is live)',
  })
  @ApiOkResponse({ type: EnvironmentDto })
  @ApiNotFoundResponse({ description: 'never asked for one' })
  get(@CurrentUser() user: UserPrincipal): Promise<EnvironmentView> {
    return this.environments.mine(user);
  }

  @Get('kubeconfig')
  @WakesEnvironment()
  @Header('Content-Type', 'application/yaml; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @Header('Content-Disposition', 'attachment; filename="kubecohort-kubeconfig.yaml"')
  @ApiOperation({
    summary: "My vcluster's kubeconfig (YAML), once the environment is ready",
    description: 'Asking for it while the environment sleeps wakes it (409 until it is ready again).',
  })
  @ApiProduces('application/yaml')
  @ApiOkResponse({ description: 'A kubeconfig', schema: { type: 'string' } })
  @ApiConflictResponse({ description: 'environment_not_ready' })
  async kubeconfig(@CurrentUser() user: UserPrincipal): Promise<string> {
    return (await this.environments.myKubeconfig(user)).kubeconfig;
  }

  @Post('sleep')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Put my environment to sleep (it costs nothing while asleep; everything in it is kept)',
    description: 'Idempotent. It also goes to sleep by itself after a while without activity.',
  })
  @ApiAcceptedResponse({ type: EnvironmentDto })
  @ApiConflictResponse({ description: 'environment_not_ready: only a ready environment can go to sleep' })
  sleep(@CurrentUser() user: UserPrincipal): Promise<EnvironmentView> {
    return this.lifecycle.forMe(user, 'sleep');
  }

  @Post('wake')
  @HttpCode(202)
  @ApiOperation({ summary: 'Wake my sleeping environment (ready again within seconds). Idempotent.' })
  @ApiAcceptedResponse({ type: EnvironmentDto })
  @ApiConflictResponse({ description: 'environment_not_ready: not sleeping, waking or ready' })
  wake(@CurrentUser() user: UserPrincipal): Promise<EnvironmentView> {
    return this.lifecycle.forMe(user, 'wake');
  }

  @Post('reset')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Reset my environment: what I created is exported first, then I get a fresh vcluster',
    description:
      'The export (a YAML bundle to `kubectl apply -f`) is listed at GET /me/environment/exports. The fresh environment has a new id and a new kubeconfig.',
  })
  @ApiAcceptedResponse({ type: EnvironmentDto })
  @ApiConflictResponse({
    description: 'environment_not_ready: only ready or sleeping environments are reset',
  })
  reset(@CurrentUser() user: UserPrincipal): Promise<EnvironmentView> {
    return this.lifecycle.forMe(user, 'reset');
  }

  @Get('exports')
  @ApiOperation({ summary: 'Exports of my objects (made before a reset) that can still be downloaded' })
  @ApiOkResponse({ type: [EnvironmentExportDto] })
  exports(@CurrentUser() user: UserPrincipal): Promise<EnvironmentExportView[]> {
    return this.lifecycle.myExports(user);
  }

  @Get('exports/:exportId')
  @Header('Content-Type', 'application/yaml; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @Header('Content-Disposition', 'attachment; filename="kubecohort-export.yaml"')
  @ApiOperation({ summary: 'Download one export: a multi-document YAML bundle (may contain my Secrets)' })
  @ApiProduces('application/yaml')
  @ApiOkResponse({ description: 'YAML', schema: { type: 'string' } })
  @ApiNotFoundResponse({ description: 'not mine, or expired' })
  exportBundle(
    @CurrentUser() user: UserPrincipal,
    @Param('exportId', ParseId) exportId: string,
  ): Promise<string> {
    return this.lifecycle.myExport(user, exportId);
  }
}
