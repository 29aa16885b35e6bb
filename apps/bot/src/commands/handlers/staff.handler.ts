import { Injectable } from '@nestjs/common';
import { ApiClient } from '../../api/api.client.js';
import { CohortDirectory } from '../../cohort.directory.js';
import { DiscordActions } from '../../discord/discord.actions.js';
import { message, noMentions, progressBar, relativeTime, truncate } from '../../format/text.format.js';
import type { CommandContext } from '../command.context.js';
import { UserFacingError } from '../error-messages.js';
import { requireOption } from './join.handler.js';

/**
 * Instructors' commands. The bot may not act for staff (acting is for students), so each command
 * first asks the API whether the Discord user is staff of the cohort the guild maps to
 * (GET /cohorts/:id/discord-members), then reads with the bot's read-cohorts scope.
 */
@Injectable()
export class StaffHandler {
  constructor(
    private readonly api: ApiClient,
    private readonly directory: CohortDirectory,
    private readonly actions: DiscordActions,
  ) {}

  async stats(ctx: CommandContext): Promise<void> {
    await ctx.defer({ ephemeral: true });
    const { cohort } = await this.directory.staffCohort(ctx.guildId, ctx.user.id, ctx.string('cohort'));
    const [funnel, stuck] = await Promise.all([this.api.funnel(cohort.id), this.api.stuck(cohort.id)]);
    const students = Math.max(cohort.activeStudents, ...funnel.steps.map((step) => step.started), 1);
    await ctx.respond({
      content: message([
        `**${cohort.name}** — ${cohort.activeStudents} active students`,
        '```',
        ...funnel.steps.map(
          (step) =>
            `${String(step.step).padStart(2)} ${truncate(step.title, 28).padEnd(28)} started ${String(step.started).padStart(3)}  done ${String(step.completed).padStart(3)} ${progressBar((step.completed / students) * 100, 8)}`,
        ),
        '```',
        stuck.items.length > 0
          ? `🧭 **Stuck (${stuck.items.length}):** ${stuck.items
              .slice(0, 10)
              .map((student) => `${student.displayName} (step ${student.step})`)
              .join(', ')}`
          : '🧭 Nobody is flagged as stuck.',
      ]),
    });
  }

  async inspect(ctx: CommandContext): Promise<void> {
    await ctx.defer({ ephemeral: true });
    const { cohort } = await this.directory.staffCohort(ctx.guildId, ctx.user.id, ctx.string('cohort'));
    const target = requireOption(ctx.userOption('student'), 'student');
    const member = await this.api.discordMember(cohort.id, { discordUserId: target.id });
    if (!member || member.role !== 'student')
      throw new UserFacingError(`<@${target.id}> is not a linked student of ${cohort.name}.`);
    const failures = await this.api.cohortSubmissions(cohort.id, {
      userId: member.userId,
      status: 'failed',
      limit: 3,
    });
    const details = await Promise.all(failures.items.map((summary) => this.api.submission(summary.id)));
    const enrollment = member.enrollment;
    await ctx.respond({
      content: message([
        `**${member.displayName}** (<@${member.discordUserId}>)`,
        enrollment
          ? `Step ${enrollment.currentStep} since ${relativeTime(enrollment.stepStartedAt)} · enrollment ${enrollment.status}`
          : null,
        member.environment
          ? `Environment: ${member.environment.state}` +
            (member.environment.state === 'provisioning'
              ? ` ${progressBar(member.environment.progressPercent)}`
              : '') +
            (member.environment.stateReason ? ` (${member.environment.stateReason})` : '')
          : 'Environment: none',
        details.length > 0 ? '**Last failures:**' : 'No failed submissions.',
        ...details.flatMap((submission) => [
          `• \`${submission.taskId}\` ${relativeTime(submission.createdAt)} — ${submission.score ?? 0}/${submission.maxScore ?? '?'}`,
          ...submission.checks
            .filter((check) => !check.passed && !check.skipped)
            .slice(0, 3)
            .map((check) => `  ❌ ${check.title}${check.message ? `: ${truncate(check.message, 150)}` : ''}`),
        ]),
      ]),
    });
  }

  async broadcast(ctx: CommandContext): Promise<void> {
    await ctx.defer({ ephemeral: true });
    const { cohort, staff } = await this.directory.staffCohort(
      ctx.guildId,
      ctx.user.id,
      ctx.string('cohort'),
    );
    const text = requireOption(ctx.string('message'), 'message');
    const channelId = cohort.discord.announceChannelId;
    if (!channelId)
      throw new UserFacingError(
        `${cohort.name} has no announcements channel set (dashboard → cohort → Discord).`,
      );
    await this.actions.postMessage(channelId, {
      content: message([`📣 ${noMentions(text)}`, `— ${staff.displayName}`]),
    });
    await ctx.respond({ content: `📣 Posted in <#${channelId}>.` });
  }
}
