import { CurrentUser, Roles, type UserPrincipal } from '@kubecohort/auth';
import type { Page } from '@kubecohort/contracts';
import { HostClusterAdmin, type HostClusterView } from '@kubecohort/environments';
import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  EnvironmentPageQuery,
  HostClusterDto,
  HostClusterPageDto,
  RegisterHostClusterDto,
} from './environments.dto.js';

@ApiTags('environments')
@ApiBearerAuth()
@Roles('admin')
@Controller('host-clusters')
export class HostClustersController {
  constructor(private readonly hosts: HostClusterAdmin) {}

  @Post()
  @ApiOperation({
    summary: 'Register a host cluster (admin)',
    description:
      'Checks the kubeconfig first: inline credentials only, the API server answers them, and Flux serves HelmRelease. The kubeconfig is stored encrypted and never returned.',
  })
  @ApiCreatedResponse({ type: HostClusterDto })
  @ApiBadRequestResponse({
    description: 'Invalid kubeconfig, cluster_unreachable, cluster_credentials_rejected or flux_missing',
  })
  register(
    @CurrentUser() user: UserPrincipal,
    @Body() body: RegisterHostClusterDto,
  ): Promise<HostClusterView> {
    return this.hosts.register(user, body);
  }

  @Get()
  @ApiOperation({ summary: 'Host clusters with their capacity and what is allocated on them (admin)' })
  @ApiOkResponse({ type: HostClusterPageDto })
  list(@Query() query: EnvironmentPageQuery): Promise<Page<HostClusterView>> {
    return this.hosts.list(query);
  }
}
