import { Injectable } from '@nestjs/common';
import { ApiClient } from '../../api/api.client.js';
import { ApiError } from '../../api/api.error.js';
import type { EnvironmentView } from '../../api/api.types.js';
import { BotConfig } from '../../bot.config.js';
import { CohortDirectory } from '../../cohort.directory.js';
import { DiscordActions } from '../../discord/discord.actions.js';
import { formatEnvironment, SETTING_UP } from '../../format/environment.format.js';
import { Sleeper } from '../../sleeper.js';
import type { CommandContext } from '../command.context.js';
import { UserFacingError } from '../error-messages.js';
import { actAs } from './lab.handler.js';

const NO_ENVIRONMENT = 'You have no environment yet: create one with `/env create`.';

/** `/env create|status|kubeconfig|reset`: the student's Kubernetes environment. */
@Injectable()
export class EnvHandler {
  constructor(
    private readonly api: ApiClient,
    private readonly actions: DiscordActions,
    private readonly config: BotConfig,
    private readonly sleep: Sleeper,
    private readonly directory: CohortDirectory,
  ) {}

  async create(ctx: CommandContext): Promise<void> {
    await ctx.defer({ ephemeral: true });
    let env: EnvironmentView;
    try {
      env = await this.api.createEnvironment(actAs(ctx));
    } catch (error) {
      // One environment per student: asking again shows the one there is.
      if (!(error instanceof ApiError && error.status === 409)) throw error;
      env = await this.api.environment(actAs(ctx));
    }
    await ctx.respond({ content: formatEnvironment(env) });
  }

  /** Shows the state; while it is being set up the progress bar keeps moving for a while. */
  async status(ctx: CommandContext): Promise<void> {
    await ctx.defer({ ephemeral: true });
    let env = await this.read(ctx);
    await ctx.respond({ content: formatEnvironment(env) });
    const until = Date.now() + this.config.ENV_STATUS_WATCH_SECONDS * 1000;
    while (SETTING_UP.includes(env.state) && Date.now() < until) {
      await this.sleep.wait(this.config.SUBMIT_POLL_MS);
      const next = await this.read(ctx);
      if (
        next.state !== env.state ||
        next.progressPercent !== env.progressPercent ||
        next.progressStep !== env.progressStep
      )
        await ctx.respond({ content: formatEnvironment(next) });
      env = next;
    }
  }

  /**
   * The kubeconfig holds credentials: it goes by direct message, or, when the student's DMs are
   * closed, as a file in this ephemeral reply. Never into a channel: the reply is deferred as
   * ephemeral before anything is read.
   */
  async kubeconfig(ctx: CommandContext): Promise<void> {
    await ctx.defer({ ephemeral: true });
    let kubeconfig: string;
    try {
      kubeconfig = await this.api.kubeconfig(actAs(ctx));
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) throw new UserFacingError(NO_ENVIRONMENT);
      if (error instanceof ApiError && error.status === 409)
        throw new UserFacingError(
          `Your environment is not ready yet: ${error.message}. Check \`/env status\`.`,
        );
      throw error;
    }
    const file = { name: 'kubeconfig.yaml', data: Buffer.from(kubeconfig, 'utf8') };
    const sent = await this.actions.sendDm(ctx.user.id, {
      content: '🔑 Your kubeconfig. Keep it private: `export KUBECONFIG=$PWD/kubeconfig.yaml`.',
      files: [file],
    });
    if (sent) {
      await ctx.respond({ content: '📬 I sent your kubeconfig to you by direct message.' });
      return;
    }
    await ctx.respond({
      content:
        '🔑 Your direct messages are closed, so here is your kubeconfig — only you can see this message.',
      files: [file],
    });
  }

  async reset(ctx: CommandContext): Promise<void> {
    await ctx.defer({ ephemeral: true });
    if (ctx.boolean('confirm') !== true) {
      await ctx.respond({
        content:
          'Resetting deletes everything in your environment. Run `/env reset confirm:True` to go ahead.',
      });
      return;
    }
    let env: EnvironmentView;
    try {
      env = await this.api.resetEnvironment(actAs(ctx));
    } catch (error) {
      if (!resetRefused(error)) throw error;
      // Students may not tear down their own environment (it is graded work): ask the instructors.
      await this.askInstructorsToReset(ctx);
      return;
    }
    await ctx.respond({ content: `♻️ Your environment is being reset.\n${formatEnvironment(env)}` });
  }

  private async askInstructorsToReset(ctx: CommandContext): Promise<void> {
    const me = await this.api.me(actAs(ctx));
    const cohort = me.enrollment ? await this.directory.cohort(me.enrollment.cohortId) : null;
    const channelId = cohort?.discord.instructorChannelId;
    if (!channelId) {
      await ctx.respond({ content: 'Only your instructors can reset an environment: please ask them.' });
      return;
    }
    await this.actions.postMessage(channelId, {
      content: `♻️ **${me.displayName}** (<@${ctx.user.id}>) asks for their environment to be reset.`,
    });
    await ctx.respond({ content: '♻️ Only instructors can reset environments: I asked yours to reset it.' });
  }

  private async read(ctx: CommandContext): Promise<EnvironmentView> {
    try {
      return await this.api.environment(actAs(ctx));
    } catch (error) {
      if (error instanceof ApiError && error.status === 404 && error.code === 'not_found')
        throw new UserFacingError(NO_ENVIRONMENT);
      throw error;
    }
  }
}

/** The API has no student reset (route missing) or refuses it to students. */
function resetRefused(error: unknown): boolean {
  if (!(error instanceof ApiError)) return false;
  return (
    error.status === 403 ||
    error.status === 405 ||
    (error.status === 404 && /^Cannot POST/.test(error.message))
  );
}
