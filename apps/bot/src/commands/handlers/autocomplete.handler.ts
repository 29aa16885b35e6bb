import { Injectable } from '@nestjs/common';
import { ApiClient } from '../../api/api.client.js';
import type { PlanView } from '../../api/api.types.js';
import { CohortDirectory } from '../../cohort.directory.js';
import { statusIcon } from '../../format/lab.format.js';
import { truncate } from '../../format/text.format.js';
import { TtlCache } from '../../ttl.cache.js';
import type { AutocompleteChoice, AutocompleteContext } from '../command.context.js';

const MAX_CHOICES = 25;

/**
 * Suggestions while typing: the student's task ids (from their plan, cached briefly since every
 * keystroke asks), the answers of the question a post mirrors, the cohorts of a server.
 * Errors give no suggestions rather than an error: Discord shows nothing useful for them anyway.
 */
@Injectable()
export class AutocompleteHandler {
  private readonly plans = new TtlCache<PlanView>(30_000);

  constructor(
    private readonly api: ApiClient,
    private readonly directory: CohortDirectory,
  ) {}

  async handle(ctx: AutocompleteContext): Promise<void> {
    let choices: AutocompleteChoice[];
    try {
      choices = await this.choices(ctx);
    } catch {
      choices = [];
    }
    await ctx.respond(choices.slice(0, MAX_CHOICES));
  }

  private choices(ctx: AutocompleteContext): Promise<AutocompleteChoice[]> {
    switch (ctx.focused.name) {
      case 'task':
        return this.tasks(ctx);
      case 'answer':
        return this.answers(ctx);
      case 'cohort':
        return this.cohorts(ctx);
      default:
        return Promise.resolve([]);
    }
  }

  private async tasks(ctx: AutocompleteContext): Promise<AutocompleteChoice[]> {
    const as = { discordUserId: ctx.user.id };
    const plan = await this.plans.get(ctx.user.id, async () => {
      const me = await this.api.me(as);
      if (!me.enrollment) throw new Error('not enrolled');
      return this.api.plan(as, me.enrollment.cohortId);
    });
    const typed = ctx.focused.value.toLowerCase();
    return plan.steps
      .flatMap((step) => step.tasks)
      .filter((task) => !typed || task.id.includes(typed) || task.title.toLowerCase().includes(typed))
      .map((task) => ({
        name: truncate(
          `${task.progress ? statusIcon(task.progress.status) : '⬜'} ${task.id} — ${task.title}`,
          100,
        ),
        value: task.id,
      }));
  }

  private async answers(ctx: AutocompleteContext): Promise<AutocompleteChoice[]> {
    if (!ctx.guildId || !ctx.threadParentId || !ctx.channelId) return [];
    const cohort = await this.directory.cohortOfForum(ctx.guildId, ctx.threadParentId);
    const questionId = cohort ? await this.directory.questionOfThread(cohort.id, ctx.channelId) : null;
    if (!questionId) return [];
    const question = await this.api.question(questionId, { discordUserId: ctx.user.id });
    const typed = ctx.focused.value.toLowerCase();
    return question.answers
      .filter((answer) => !answer.accepted)
      .filter(
        (answer) =>
          !typed ||
          answer.body.toLowerCase().includes(typed) ||
          answer.author.displayName.toLowerCase().includes(typed),
      )
      .map((answer) => ({
        name: truncate(`${answer.author.displayName}: ${answer.body.replace(/\s+/g, ' ')}`, 100),
        value: answer.id,
      }));
  }

  private async cohorts(ctx: AutocompleteContext): Promise<AutocompleteChoice[]> {
    if (!ctx.guildId) return [];
    const typed = ctx.focused.value.toLowerCase();
    return (await this.directory.cohortsOfGuild(ctx.guildId))
      .filter((cohort) => !typed || cohort.name.toLowerCase().includes(typed))
      .map((cohort) => ({ name: truncate(cohort.name, 100), value: cohort.id }));
  }
}
