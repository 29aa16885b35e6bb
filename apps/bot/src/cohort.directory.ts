import { Injectable } from '@nestjs/common';
import { ApiClient } from './api/api.client.js';
import type { CohortStaffView, CohortSummaryView, DiscordMemberView } from './api/api.types.js';
import { UserFacingError } from './commands/error-messages.js';
import { TtlCache } from './ttl.cache.js';

const TTL_MS = 60_000;

export interface StaffCohort {
  cohort: CohortStaffView;
  staff: DiscordMemberView;
}

/**
 * Which cohort a guild, a forum or a thread belongs to, and who is staff there: cached reads of
 * the API (cohort mappings change rarely; a minute of staleness is fine).
 */
@Injectable()
export class CohortDirectory {
  private readonly byGuild = new TtlCache<CohortSummaryView[]>(TTL_MS);
  private readonly cohorts = new TtlCache<CohortStaffView>(TTL_MS);
  private readonly threads = new TtlCache<string | null>(TTL_MS * 10);

  constructor(private readonly api: ApiClient) {}

  cohortsOfGuild(guildId: string): Promise<CohortSummaryView[]> {
    return this.byGuild.get(guildId, () => this.api.cohortsByGuild(guildId));
  }

  cohort(cohortId: string): Promise<CohortStaffView> {
    return this.cohorts.get(cohortId, () => this.api.cohort(cohortId));
  }

  /** The cohort whose Q&A forum is this channel, among the guild's cohorts. */
  async cohortOfForum(guildId: string, forumChannelId: string): Promise<CohortStaffView | null> {
    for (const summary of await this.cohortsOfGuild(guildId)) {
      const cohort = await this.cohort(summary.id);
      if (cohort.discord.forumChannelId === forumChannelId) return cohort;
    }
    return null;
  }

  /** The question a forum thread mirrors (null: not one of ours). */
  questionOfThread(cohortId: string, threadId: string): Promise<string | null> {
    return this.threads.get(`${cohortId}:${threadId}`, async () => {
      const question = await this.api.questionByThread(cohortId, threadId);
      return question?.id ?? null;
    });
  }

  rememberThread(cohortId: string, threadId: string, questionId: string): void {
    this.threads.delete(`${cohortId}:${threadId}`);
    void this.threads.get(`${cohortId}:${threadId}`, () => Promise.resolve(questionId));
  }

  /**
   * The cohort an instructor command in this guild is about, checked with the API to be staffed
   * by the Discord user who ran it. `choice`: a cohort id when the guild hosts several.
   */
  async staffCohort(
    guildId: string | null,
    discordUserId: string,
    choice: string | null,
  ): Promise<StaffCohort> {
    if (!guildId) throw new UserFacingError("Use instructor commands in your cohort's Discord server.");
    const cohorts = await this.cohortsOfGuild(guildId);
    const picked = choice
      ? cohorts.find((cohort) => cohort.id === choice)
      : cohorts.length === 1
        ? cohorts[0]
        : undefined;
    if (!picked) {
      throw new UserFacingError(
        cohorts.length === 0
          ? 'No cohort is mapped to this server yet (an instructor sets it on the dashboard).'
          : 'Several cohorts use this server: pick one with the `cohort` option.',
      );
    }
    const staff = await this.api.discordMember(picked.id, { discordUserId });
    if (!staff || staff.role === 'student') {
      throw new UserFacingError(
        "This command is for the cohort's instructors. Link your staff account with `/link` if you are one.",
      );
    }
    return { cohort: await this.cohort(picked.id), staff };
  }
}
