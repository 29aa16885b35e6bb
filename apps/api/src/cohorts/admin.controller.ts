import { CurrentUser, Roles, type UserPrincipal } from '@kubecohort/auth';
import { pageSize, type RequestMeta, ServiceTokenAdmin, UserAdmin } from '@kubecohort/cohorts';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ParseId } from '../http/validation.js';
import { AuditMeta } from './dto-helpers.js';
import {
  CreatedServiceTokenDto,
  CreateServiceTokenDto,
  CreateUserDto,
  ListUsersQuery,
  ServiceTokenPageDto,
  UserDto,
  UserPageDto,
} from './identity.dto.js';

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller()
export class AdminController {
  constructor(
    private readonly serviceTokens: ServiceTokenAdmin,
    private readonly users: UserAdmin,
  ) {}

  @Post('service-tokens')
  @ApiOperation({ summary: 'Create a service token (the secret is shown once)' })
  @ApiCreatedResponse({ type: CreatedServiceTokenDto })
  createServiceToken(
    @CurrentUser() admin: UserPrincipal,
    @Body() body: CreateServiceTokenDto,
    @AuditMeta() meta: RequestMeta,
  ): Promise<CreatedServiceTokenDto> {
    return this.serviceTokens.create(admin, body, meta);
  }

  @Get('service-tokens')
  @ApiOperation({ summary: 'List service tokens (never their secrets)' })
  @ApiOkResponse({ type: ServiceTokenPageDto })
  listServiceTokens(): Promise<ServiceTokenPageDto> {
    return this.serviceTokens.list();
  }

  @Delete('service-tokens/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a service token' })
  @ApiNoContentResponse()
  async revokeServiceToken(
    @CurrentUser() admin: UserPrincipal,
    @Param('id', ParseId) id: string,
    @AuditMeta() meta: RequestMeta,
  ): Promise<void> {
    await this.serviceTokens.revoke(admin, id, meta);
  }

  @Post('users')
  @ApiOperation({ summary: 'Create an instructor or admin account' })
  @ApiCreatedResponse({ type: UserDto })
  createUser(
    @CurrentUser() admin: UserPrincipal,
    @Body() body: CreateUserDto,
    @AuditMeta() meta: RequestMeta,
  ): Promise<UserDto> {
    return this.users.createStaff(admin, body, meta);
  }

  @Get('users')
  @ApiOperation({ summary: 'List users, newest first' })
  @ApiOkResponse({ type: UserPageDto })
  listUsers(@Query() query: ListUsersQuery): Promise<UserPageDto> {
    return this.users.list(query, pageSize(query.limit));
  }
}
