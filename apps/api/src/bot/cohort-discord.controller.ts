import { CohortAccess, CurrentPrincipal, type Principal, Scopes } from '@kubecohort/auth';
import { DiscordDirectory, type DiscordMemberView } from '@kubecohort/cohorts';
import type { Page } from '@kubecohort/contracts';
import { EventLog, type StoredEvent } from '@kubecohort/realtime';
import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ParseId } from '../http/validation.js';
import {
  DiscordMemberPageDto,
  DiscordMembersQuery,
  EVENTS_PAGE_DEFAULT,
  EventPageDto,
  EventsQuery,
} from './bot.dto.js';

/**
 * What the Discord bot reads beyond the student routes: who in a cohort is who on Discord (staff
 * checks for instructor commands, DM targets), and the cohort's event log (notifications that
 * survive bot restarts). Staff of the cohort may read both too; students get 404.
 */
@ApiTags('discord')
@ApiBearerAuth()
@Controller('cohorts/:id')
export class CohortDiscordController {
  constructor(
    private readonly directory: DiscordDirectory,
    private readonly access: CohortAccess,
    private readonly events: EventLog,
  ) {}

  @Scopes('read-cohorts')
  @Get('discord-members')
  @ApiOperation({
    summary: "The cohort's instructors and students who linked Discord (filter by discordUserId or userId)",
    description:
      'A lookup by `discordUserId` or `userId` also finds admins (staff of every cohort): the bot asks it before an instructor command.',
  })
  @ApiOkResponse({ type: DiscordMemberPageDto })
  members(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseId) cohortId: string,
    @Query() query: DiscordMembersQuery,
  ): Promise<Page<DiscordMemberView>> {
    return this.directory.members(principal, cohortId, query);
  }

  @Scopes('read-cohorts')
  @Get('events')
  @ApiOperation({
    summary: "The cohort's events after an id, in id order (catch-up after a restart)",
    description:
      'Resume from the last id handled: `items` then `head`. `gapBefore` says events were pruned in between (EVENT_RETENTION_HOURS).',
  })
  @ApiOkResponse({ type: EventPageDto })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseId) cohortId: string,
    @Query() query: EventsQuery,
  ): Promise<{ items: StoredEvent[]; head: string; gapBefore: string | null }> {
    await this.access.assertStaff(principal, cohortId);
    // Head first: every event up to it has committed, so "all up to head" is a safe resume point.
    const head = await this.events.head(cohortId);
    if (query.after === undefined) return { items: [], head: head.toString(), gapBefore: null };
    const after = BigInt(query.after);
    const items = (await this.events.readAfter(cohortId, after, query.limit ?? EVENTS_PAGE_DEFAULT)).filter(
      (event) => BigInt(event.id) <= head,
    );
    const first = items[0];
    const gapBefore = first
      ? BigInt(first.id) > after + 1n
        ? first.id
        : null
      : head > after
        ? (head + 1n).toString()
        : null;
    return { items, head: head.toString(), gapBefore };
  }
}
