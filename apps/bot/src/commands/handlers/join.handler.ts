import { Injectable } from '@nestjs/common';
import { ApiClient } from '../../api/api.client.js';
import type { CommandContext } from '../command.context.js';
import { UserFacingError } from '../error-messages.js';

/** `/join code` (enroll with an invite) and `/link code` (link an existing web account). */
@Injectable()
export class JoinHandler {
  constructor(private readonly api: ApiClient) {}

  async join(ctx: CommandContext): Promise<void> {
    await ctx.defer({ ephemeral: true });
    const inviteCode = requireOption(ctx.string('code'), 'code');
    const result = await this.api.joinWithInvite({
      inviteCode,
      discordUserId: ctx.user.id,
      discordUsername: ctx.user.username,
    });
    const me = await this.api.me({ discordUserId: ctx.user.id });
    const cohortName = me.enrollment?.cohortName ?? 'your cohort';
    await ctx.respond({
      content: [
        `🎉 Welcome to **${cohortName}**${result.created ? '' : ' — your account is linked'}!`,
        'Start with `/lab current`. `/env create` sets up your Kubernetes environment, `/progress` shows how far you are.',
        result.created
          ? 'Your kubecohort account was created from your Discord account; the dashboard can give it a password later.'
          : null,
      ]
        .filter(Boolean)
        .join('\n'),
    });
  }

  async link(ctx: CommandContext): Promise<void> {
    await ctx.defer({ ephemeral: true });
    const code = requireOption(ctx.string('code'), 'code');
    await this.api.redeemLinkCode({ code, discordUserId: ctx.user.id, discordUsername: ctx.user.username });
    await ctx.respond({ content: '🔗 Your Discord account is now linked to your kubecohort account.' });
  }
}

export function requireOption<T>(value: T | null, name: string): T {
  if (value === null || value === '') throw new UserFacingError(`The \`${name}\` option is required.`);
  return value;
}
