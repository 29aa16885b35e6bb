import { Injectable, Logger } from '@nestjs/common';
import { ApiClient } from '../../api/api.client.js';
import { ApiError } from '../../api/api.error.js';
import { CohortDirectory } from '../../cohort.directory.js';
import { DiscordActions } from '../../discord/discord.actions.js';
import { message, noMentions, truncate } from '../../format/text.format.js';
import type { CommandContext, ThreadMessage } from '../command.context.js';
import { UserFacingError } from '../error-messages.js';
import { requireOption } from './join.handler.js';
import { actAs } from './lab.handler.js';

const STATUS_ICON = { open: '❔', answered: '💬', solved: '✅' } as const;

/**
 * Q&A: `/ask` opens a post in the cohort's forum and mirrors it as a question; replies in that
 * post become answers (mirror); `/answer`, `/accept`, `/search`, `/faq`. Everything acts as the
 * student, so the API's Q&A rules (rate limits, who may accept) apply unchanged.
 */
@Injectable()
export class QaHandler {
  private readonly logger = new Logger(QaHandler.name);

  constructor(
    private readonly api: ApiClient,
    private readonly directory: CohortDirectory,
    private readonly actions: DiscordActions,
  ) {}

  async ask(ctx: CommandContext): Promise<void> {
    await ctx.defer({ ephemeral: true });
    const as = actAs(ctx);
    const title = requireOption(ctx.string('title'), 'title').trim();
    const body = requireOption(ctx.string('body'), 'body').trim();
    const taskId = ctx.string('task') ?? undefined;
    const tags = parseTags(ctx.string('tags'));
    const cohortId = await this.studentCohort(ctx);
    const cohort = await this.directory.cohort(cohortId);
    const forum = cohort.discord.forumChannelId;
    if (!forum)
      throw new UserFacingError('Q&A is not set up for your cohort on Discord yet: ask your instructor.');

    const threadId = await this.actions.createForumThread(
      forum,
      title,
      message([
        noMentions(body),
        '',
        `— asked by <@${ctx.user.id}>${taskId ? ` about \`${taskId}\`` : ''}. Reply in this post to answer.`,
      ]),
    );
    let question;
    try {
      question = await this.api.ask(as, cohortId, { title, body, taskId, tags, discordThreadId: threadId });
    } catch (error) {
      // The API refused the question: take the post down again so Discord and the Q&A agree.
      await this.actions.deleteChannel(threadId).catch(() => undefined);
      throw error;
    }
    this.directory.rememberThread(cohortId, threadId, question.id);
    await ctx.respond({
      content: message([
        `❔ Your question is up: <#${threadId}>. Replies there are mirrored as answers; accept the one that helped with \`/accept\` in the post.`,
        question.similar.length > 0 ? '**Similar questions asked before:**' : null,
        ...question.similar.map(
          (similar) =>
            `${STATUS_ICON[similar.status]} ${truncate(similar.title, 120)} (${similar.answerCount} answers)`,
        ),
      ]),
    });
  }

  async answer(ctx: CommandContext): Promise<void> {
    const inThread = await this.threadQuestion(ctx);
    await ctx.defer({ ephemeral: !inThread });
    const questionId = ctx.string('question') ?? inThread;
    if (!questionId)
      throw new UserFacingError('Run `/answer` inside the question’s post, or give the `question` id.');
    const body = requireOption(ctx.string('text'), 'text').trim();
    await this.api.answer(actAs(ctx), questionId, { body });
    await ctx.respond({
      content: inThread
        ? message([`💬 **Answer from <@${ctx.user.id}>:**`, noMentions(body)])
        : '💬 Your answer is posted.',
    });
  }

  async accept(ctx: CommandContext): Promise<void> {
    const inThread = await this.threadQuestion(ctx);
    await ctx.defer({ ephemeral: !inThread });
    const questionId = ctx.string('question') ?? inThread;
    if (!questionId) throw new UserFacingError('Run `/accept` inside the question’s post.');
    const answerId = requireOption(ctx.string('answer'), 'answer');
    const question = await this.api.accept(actAs(ctx), questionId, answerId);
    const accepted = question.answers.find((answer) => answer.id === answerId);
    await ctx.respond({
      content: `✅ Accepted the answer${accepted ? ` by **${accepted.author.displayName}**` : ''}. It goes into the cohort FAQ.`,
    });
  }

  async search(ctx: CommandContext): Promise<void> {
    await ctx.defer({ ephemeral: true });
    const query = requireOption(ctx.string('query'), 'query');
    const cohortId = await this.studentCohort(ctx);
    const page = await this.api.searchQuestions(actAs(ctx), cohortId, query, 8);
    if (page.items.length === 0) {
      await ctx.respond({ content: `Nothing found for “${truncate(query, 100)}”. Ask it with \`/ask\`!` });
      return;
    }
    await ctx.respond({
      content: message([
        `**Questions matching “${truncate(query, 100)}”:**`,
        ...page.items.map(
          (question) =>
            `${STATUS_ICON[question.status]} ${truncate(question.title, 120)}` +
            (question.discordThreadId ? ` — <#${question.discordThreadId}>` : '') +
            ` (${question.answerCount} answers)`,
        ),
      ]),
    });
  }

  async faq(ctx: CommandContext): Promise<void> {
    await ctx.defer({ ephemeral: true });
    const taskId = ctx.string('task');
    const cohortId = await this.studentCohort(ctx);
    const faq = await this.api.faq(actAs(ctx), cohortId);
    const groups = faq.groups.filter((group) => !taskId || group.taskId === taskId);
    if (groups.length === 0) {
      await ctx.respond({ content: 'The FAQ is empty so far: it fills up as answers are accepted.' });
      return;
    }
    await ctx.respond({
      content: message(
        groups.flatMap((group) => [
          `**${group.taskTitle ?? group.stepTitle ?? 'General'}**`,
          ...group.entries.map(
            (entry) =>
              `❔ ${truncate(entry.title, 120)}\n> ${truncate(entry.answer.body.replace(/\s+/g, ' '), 240)}`,
          ),
        ]),
      ),
    });
  }

  /** A reply in a question's post becomes an answer by its author (students; others are left alone). */
  async mirror(reply: ThreadMessage): Promise<void> {
    if (reply.author.bot || !reply.content.trim() || reply.id === reply.threadId) return;
    const cohort = await this.directory.cohortOfForum(reply.guildId, reply.parentId);
    if (!cohort) return;
    const questionId = await this.directory.questionOfThread(cohort.id, reply.threadId);
    if (!questionId) return;
    try {
      await this.api.answer({ discordUserId: reply.author.id }, questionId, {
        body: reply.content.trim(),
        discordMessageId: reply.id,
      });
    } catch (error) {
      const expected = [
        'discord_message_taken', // mirrored already (a redelivered message)
        'discord_not_linked',
        'act_as_not_student', // staff answer on the dashboard: the bot acts for students only
        'question_locked',
      ];
      if (ApiError.is(error, ...expected)) {
        this.logger.debug({ code: error.code }, 'thread reply not mirrored');
        return;
      }
      throw error;
    }
  }

  /** The student's cohort (from their enrollment). */
  private async studentCohort(ctx: CommandContext): Promise<string> {
    const me = await this.api.me(actAs(ctx));
    if (!me.enrollment)
      throw new UserFacingError('You are not enrolled in an active cohort. Join one with `/join`.');
    return me.enrollment.cohortId;
  }

  /** The question this command's thread mirrors, if it runs inside one. */
  private async threadQuestion(ctx: CommandContext): Promise<string | null> {
    if (!ctx.guildId || !ctx.threadParentId || !ctx.channelId) return null;
    const cohort = await this.directory.cohortOfForum(ctx.guildId, ctx.threadParentId);
    return cohort ? this.directory.questionOfThread(cohort.id, ctx.channelId) : null;
  }
}

export function parseTags(raw: string | null): string[] | undefined {
  if (!raw) return undefined;
  const tags = raw
    .split(/[,\s]+/)
    .map((tag) => tag.trim().toLowerCase().replace(/^#/, ''))
    .filter(Boolean);
  return tags.length > 0 ? [...new Set(tags)] : undefined;
}
