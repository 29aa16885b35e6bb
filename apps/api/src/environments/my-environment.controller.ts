import { CurrentUser, Roles, type UserPrincipal } from '@kubecohort/auth';
import { EnvironmentRequests, type EnvironmentView } from '@kubecohort/environments';
import { Controller, Get, Header, HttpCode, Post } from '@nestjs/common';
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
import { EnvironmentDto } from './environments.dto.js';

/** The caller's own environment; the bot reaches these acting for the student (X-Act-As-Discord). */
@ApiTags('environments')
@ApiBearerAuth()
@Roles('student')
@Controller('me/environment')
export class MyEnvironmentController {
  constructor(private readonly environments: EnvironmentRequests) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Ask for my environment (a vcluster plus a workbench); provisioning continues in the background',
    description: 'Idempotent: with a live environment already, answers with it.',
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
  @Header('Content-Type', 'application/yaml; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @Header('Content-Disposition', 'attachment; filename="kubecohort-kubeconfig.yaml"')
  @ApiOperation({ summary: "My vcluster's kubeconfig (YAML), once the environment is ready" })
  @ApiProduces('application/yaml')
  @ApiOkResponse({ description: 'A kubeconfig', schema: { type: 'string' } })
  @ApiConflictResponse({ description: 'environment_not_ready' })
  async kubeconfig(@CurrentUser() user: UserPrincipal): Promise<string> {
    return (await this.environments.myKubeconfig(user)).kubeconfig;
  }
}
