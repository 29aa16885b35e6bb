import { Injectable } from '@nestjs/common';
import { ApiClient, type ActAs } from '../../api/api.client.js';
import { BotConfig } from '../../bot.config.js';
import { formatGrading, isFinished } from '../../format/grading.format.js';
import { formatHints, formatTask } from '../../format/lab.format.js';
import { NotificationStore } from '../../notifications/notification.store.js';
import { SubmissionWaiter } from '../../notifications/submission.waiter.js';
import type { CommandContext } from '../command.context.js';
import { UserFacingError } from '../error-messages.js';
import { currentTask, nextTask, parseAnswer } from '../lab.rules.js';
import { requireOption } from './join.handler.js';

/** `/lab current|next|hint|submit`: the student's tasks, acting as the student. */
@Injectable()
export class LabHandler {
  constructor(
    private readonly api: ApiClient,
    private readonly waiter: SubmissionWaiter,
    private readonly store: NotificationStore,
    private readonly config: BotConfig,
  ) {}

  async current(ctx: CommandContext): Promise<void> {
    await ctx.defer({ ephemeral: true });
    const as = actAs(ctx);
    const progress = await this.api.myProgress(as);
    const task = currentTask(progress.tasks, progress.currentStep);
    if (!task) {
      await ctx.respond({ content: allDone(progress.tasks.some((t) => t.status === 'locked')) });
      return;
    }
    await ctx.respond({ content: formatTask(await this.api.task(as, task.taskId), 'Current task') });
  }

  async next(ctx: CommandContext): Promise<void> {
    await ctx.defer({ ephemeral: true });
    const as = actAs(ctx);
    const progress = await this.api.myProgress(as);
    const next = nextTask(progress.tasks, currentTask(progress.tasks, progress.currentStep));
    if (!next) {
      await ctx.respond({ content: allDone(false) });
      return;
    }
    // Starting it makes it the current task; a locked step answers 409 step_locked.
    await this.api.startTask(as, next.taskId);
    await ctx.respond({ content: formatTask(await this.api.task(as, next.taskId), 'Next task') });
  }

  async hint(ctx: CommandContext): Promise<void> {
    await ctx.defer({ ephemeral: true });
    const as = actAs(ctx);
    let taskId = ctx.string('task');
    if (!taskId) {
      const progress = await this.api.myProgress(as);
      taskId = currentTask(progress.tasks, progress.currentStep)?.taskId ?? null;
      if (!taskId)
        throw new UserFacingError('You have no open task right now: name one with the `task` option.');
    }
    await ctx.respond({ content: formatHints(await this.api.task(as, taskId)) });
  }

  /**
   * Submits, replies at once, then edits the reply with the graded result. The result comes from
   * the `submission.graded` event or a poll of the submission; past SUBMIT_WAIT_SECONDS the reply
   * says so and the result goes out by DM (EventNotifier), claimed once either way.
   */
  async submit(ctx: CommandContext): Promise<void> {
    await ctx.defer({ ephemeral: true });
    const as = actAs(ctx);
    const taskId = requireOption(ctx.string('task'), 'task');
    const raw = ctx.string('answer');
    let answer: Record<string, unknown> | undefined;
    if (raw) {
      const task = await this.api.task(as, taskId);
      try {
        answer = parseAnswer(task.completion, raw);
      } catch (error) {
        throw new UserFacingError(
          `I could not read that answer (${(error as Error).message}). Quizzes take \`item=option, item=option\` or JSON.`,
        );
      }
    }
    const until = Date.now() + this.config.SUBMIT_WAIT_SECONDS * 1000;
    await this.store.awaitResult(ctx.user.id, taskId, until);
    let submissionId: string;
    try {
      submissionId = (await this.api.submit(as, { taskId, answer })).id;
    } catch (error) {
      await this.store.stopAwaiting(ctx.user.id, taskId);
      throw error;
    }
    await ctx.respond({ content: `⏳ Submitted **${taskId}** — grading…` });

    let result = await this.waiter.wait(submissionId, as, until);
    await this.store.stopAwaiting(ctx.user.id, taskId);
    // Past the deadline: one last look, now that the notifier may DM the result instead.
    if (!result) {
      const last = await this.api.submission(submissionId, as);
      result = isFinished(last) ? last : null;
    }
    if (!result) {
      await ctx.respond({
        content: `⏳ **${taskId}** is still being graded. I will send you the result by direct message.`,
      });
      return;
    }
    await this.store.claimDelivery(submissionId);
    await ctx.respond({ content: formatGrading(result) });
  }
}

export function actAs(ctx: CommandContext): ActAs {
  return { discordUserId: ctx.user.id };
}

function allDone(lockedAhead: boolean): string {
  return lockedAhead
    ? '✅ Everything open is done. The next step is still locked — your instructor opens it soon.'
    : '🏁 You have done every task. Congratulations!';
}
