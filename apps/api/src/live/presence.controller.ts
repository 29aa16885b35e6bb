import { CohortAccess, CurrentPrincipal, type Principal, Scopes } from '@kubecohort/auth';
import { LiveHub } from '@kubecohort/realtime';
import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ParseId } from '../http/validation.js';
import { PresenceDto } from './presence.dto.js';

@ApiTags('live')
@ApiBearerAuth()
@Controller('cohorts/:id')
export class PresenceController {
  constructor(
    private readonly access: CohortAccess,
    private readonly hub: LiveHub,
  ) {}

  @Scopes('read-cohorts')
  @Get('presence')
  @ApiOperation({
    summary: 'Staff currently watching the cohort live (across every api instance)',
    description:
      'Staff only (students get 404). Staff subscribed on /live also receive each change as a `presence` event.',
  })
  @ApiOkResponse({ type: PresenceDto })
  async presence(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseId) cohortId: string,
  ): Promise<PresenceDto> {
    await this.access.assertStaff(principal, cohortId);
    return this.hub.watching(cohortId);
  }
}
