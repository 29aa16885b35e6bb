import { CurrentUser, Roles, type UserPrincipal } from '@kubecohort/auth';
import { CohortStudents, InviteAdmin, type RequestMeta, RosterImport } from '@kubecohort/cohorts';
import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ParseId } from '../http/validation.js';
import {
  CreateInviteDto,
  ErasedDto,
  InviteDto,
  InvitePageDto,
  ListStudentsQuery,
  PageQuery,
  RosterImportResultDto,
  StudentPageDto,
} from './cohorts.dto.js';
import { AuditMeta, toDate } from './dto-helpers.js';

const CSV_TYPES = ['text/csv', 'text/plain'];

/** A cohort's people, as its staff manage them: invites, roster, unenrollment, erasure. */
@ApiTags('cohorts')
@ApiBearerAuth()
@Roles('admin', 'instructor')
@Controller('cohorts/:id')
export class CohortMembersController {
  constructor(
    private readonly invites: InviteAdmin,
    private readonly students: CohortStudents,
    private readonly roster: RosterImport,
  ) {}

  @Post('invites')
  @ApiOperation({ summary: 'Create an invite code' })
  @ApiCreatedResponse({ type: InviteDto })
  createInvite(
    @CurrentUser() user: UserPrincipal,
    @Param('id', ParseId) id: string,
    @Body() body: CreateInviteDto,
    @AuditMeta() meta: RequestMeta,
  ): Promise<InviteDto> {
    return this.invites.create(user, id, { expiresAt: toDate(body.expiresAt), maxUses: body.maxUses }, meta);
  }

  @Get('invites')
  @ApiOperation({ summary: "The cohort's invite codes, newest first (revoked ones included)" })
  @ApiOkResponse({ type: InvitePageDto })
  listInvites(
    @CurrentUser() user: UserPrincipal,
    @Param('id', ParseId) id: string,
    @Query() query: PageQuery,
  ): Promise<InvitePageDto> {
    return this.invites.list(user, id, query);
  }

  @Delete('invites/:inviteId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an invite code' })
  @ApiNoContentResponse()
  async revokeInvite(
    @CurrentUser() user: UserPrincipal,
    @Param('id', ParseId) id: string,
    @Param('inviteId', ParseId) inviteId: string,
    @AuditMeta() meta: RequestMeta,
  ): Promise<void> {
    await this.invites.revoke(user, id, inviteId, meta);
  }

  @Get('students')
  @ApiOperation({ summary: "The cohort's students, in enrollment order" })
  @ApiOkResponse({ type: StudentPageDto })
  listStudents(
    @CurrentUser() user: UserPrincipal,
    @Param('id', ParseId) id: string,
    @Query() query: ListStudentsQuery,
  ): Promise<StudentPageDto> {
    return this.students.list(user, id, query);
  }

  @Delete('students/:userId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Unenroll a student' })
  @ApiNoContentResponse()
  async unenroll(
    @CurrentUser() user: UserPrincipal,
    @Param('id', ParseId) id: string,
    @Param('userId', ParseId) userId: string,
    @AuditMeta() meta: RequestMeta,
  ): Promise<void> {
    await this.students.unenroll(user, id, userId, meta);
  }

  @Post('students/:userId/erase')
  @HttpCode(200)
  @ApiOperation({
    summary: "Erase a student's personal data on request (idempotent); progress stays, anonymised",
  })
  @ApiOkResponse({ type: ErasedDto })
  erase(
    @CurrentUser() user: UserPrincipal,
    @Param('id', ParseId) id: string,
    @Param('userId', ParseId) userId: string,
    @AuditMeta() meta: RequestMeta,
  ): Promise<ErasedDto> {
    return this.students.erase(user, id, userId, meta);
  }

  @Post('roster')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Import a roster CSV (header name,email[,discord]); bad lines are reported, the rest applied; idempotent',
  })
  @ApiConsumes('text/csv')
  @ApiBody({
    schema: { type: 'string', example: 'name,email,discord\n"Lovelace, Ada",ada@example.org,ada_l\n' },
  })
  @ApiOkResponse({ type: RosterImportResultDto })
  importRoster(
    @CurrentUser() user: UserPrincipal,
    @Param('id', ParseId) id: string,
    @Body() body: unknown,
    @Headers('content-type') contentType: string | undefined,
    @AuditMeta() meta: RequestMeta,
  ): Promise<RosterImportResultDto> {
    const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
    if (!mediaType || !CSV_TYPES.includes(mediaType)) {
      throw new UnsupportedMediaTypeException('send the roster as Content-Type: text/csv');
    }
    return this.roster.execute(user, id, typeof body === 'string' ? body : '', meta);
  }
}
