import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { ApiClient } from '../api/api.client.js';
import { ApiError } from '../api/api.error.js';
import type { BotEvent } from '../api/api.types.js';
import { CohortDirectory } from '../cohort.directory.js';
import { DiscordActions } from '../discord/discord.actions.js';
import { formatGrading } from '../format/grading.format.js';
import { message } from '../format/text.format.js';
import { BotEventStream } from './bot-event.stream.js';
import { NotificationStore } from './notification.store.js';

const PAGE = 200;
const CATCH_UP_EVERY_MS = 60_000;

/** Events that lead to a Discord message; the others only move the cursor. */
const NOTIFYING = new Set<BotEvent['type']>(['submission.graded', 'environment.changed', 'student.stuck']);

/**
 * Turns committed events into Discord messages: grading results and environment changes to the
 * student by DM, stuck students to the cohort's instructors' channel.
 *
 * Nothing is lost across restarts and nothing is sent twice:
 * - Per cohort (of a guild the bot is in) Redis keeps the last event id handled. At start, after a
 *   Redis reconnect and every minute, the bot reads the cohort's events after it from the API
 *   (GET /cohorts/:id/events) and handles them in id order. Live events from the Redis channel are
 *   handled at once when they are the next id; a gap triggers the same catch-up.
 * - Each event's notification is claimed in Redis (SET NX) before it is sent, so replays, the live
 *   path and several bot replicas send it once. A send that fails for a retryable reason gives the
 *   claim back and stops the catch-up there, so the next one retries it.
 * - A `/lab submit` reply waiting for its result shows it itself; the DM goes out only when no
 *   reply showed it by the reply's deadline (the delivery of a submission is claimed once).
 * A cohort seen for the first time starts at its current head: history is not replayed.
 */
@Injectable()
export class EventNotifier implements OnModuleDestroy {
  private readonly logger = new Logger(EventNotifier.name);
  private readonly chains = new Map<string, Promise<void>>();
  private readonly tracked = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private interval: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void)[] = [];
  private guildIds: ReadonlySet<string> = new Set();

  constructor(
    private readonly api: ApiClient,
    private readonly store: NotificationStore,
    private readonly stream: BotEventStream,
    private readonly directory: CohortDirectory,
    private readonly actions: DiscordActions,
  ) {}

  /** Starts with the guilds the bot is in: tracks their cohorts and catches up on each. */
  async start(guildIds: Iterable<string>): Promise<void> {
    this.guildIds = new Set(guildIds);
    for (const guildId of this.guildIds) {
      try {
        for (const cohort of await this.directory.cohortsOfGuild(guildId)) this.tracked.add(cohort.id);
      } catch (error) {
        this.logger.warn({ err: (error as Error).message, guildId }, 'could not list the cohorts of a guild');
      }
    }
    this.unsubscribe = [
      this.stream.onEvent((event) => void this.onLive(event)),
      this.stream.onResync(() => void this.catchUpAll()),
    ];
    this.interval = setInterval(() => void this.catchUpAll(), CATCH_UP_EVERY_MS);
    this.interval.unref();
    await this.catchUpAll();
  }

  /** Waits for the work queued so far (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.chains.values()]);
  }

  catchUpAll(): Promise<void> {
    return Promise.all(
      [...this.tracked].map((cohortId) => this.enqueue(cohortId, () => this.catchUp(cohortId))),
    ).then(() => undefined);
  }

  onModuleDestroy(): void {
    for (const stop of this.unsubscribe) stop();
    if (this.interval) clearInterval(this.interval);
    for (const timer of this.timers) clearTimeout(timer);
  }

  private onLive(event: BotEvent): Promise<void> {
    return this.enqueue(event.cohortId, async () => {
      if (!(await this.isTracked(event.cohortId))) return;
      const cursor = await this.store.cursor(event.cohortId);
      if (cursor !== null && BigInt(event.id) <= BigInt(cursor)) return;
      if (cursor === null || BigInt(event.id) === BigInt(cursor) + 1n) {
        await this.handle(event);
        await this.store.advance(event.cohortId, event.id);
        return;
      }
      await this.catchUp(event.cohortId);
    });
  }

  /** Runs one cohort's work after the work queued before it: events of a cohort are handled in order. */
  private enqueue(cohortId: string, work: () => Promise<void>): Promise<void> {
    const previous = this.chains.get(cohortId) ?? Promise.resolve();
    const next = previous.then(work).catch((error: unknown) => {
      this.logger.warn(
        { err: (error as Error).message, cohortId },
        'notifications: will retry at the next catch-up',
      );
    });
    this.chains.set(cohortId, next);
    void next.finally(() => {
      if (this.chains.get(cohortId) === next) this.chains.delete(cohortId);
    });
    return next;
  }

  private async catchUp(cohortId: string): Promise<void> {
    let cursor = await this.store.cursor(cohortId);
    if (cursor === null) {
      const { head } = await this.api.events(cohortId, null);
      await this.store.advance(cohortId, head);
      return;
    }
    for (;;) {
      const page = await this.api.events(cohortId, cursor, PAGE);
      if (page.gapBefore)
        this.logger.warn(
          { cohortId, after: cursor, gapBefore: page.gapBefore },
          'events were pruned before the bot read them',
        );
      for (const event of page.items) {
        await this.handle(event);
        cursor = await this.store.advance(cohortId, event.id);
      }
      if (page.items.length < PAGE) {
        await this.store.advance(cohortId, page.head);
        return;
      }
    }
  }

  private async isTracked(cohortId: string): Promise<boolean> {
    if (this.tracked.has(cohortId)) return true;
    try {
      const cohort = await this.directory.cohort(cohortId);
      if (!cohort.discord.guildId || !this.guildIds.has(cohort.discord.guildId)) return false;
    } catch {
      return false;
    }
    this.tracked.add(cohortId);
    return true;
  }

  private async handle(event: BotEvent): Promise<void> {
    if (!NOTIFYING.has(event.type)) return;
    if (!(await this.store.claimEvent(event.cohortId, event.id))) return;
    try {
      await this.notify(event);
    } catch (error) {
      if (error instanceof ApiError && error.status !== 0 && error.status < 500) {
        // The API says no (gone, not found): retrying will not help.
        this.logger.warn({ err: error.message, type: event.type, id: event.id }, 'notification dropped');
        return;
      }
      await this.store.releaseEvent(event.cohortId, event.id);
      throw error;
    }
  }

  private async notify(event: BotEvent): Promise<void> {
    switch (event.type) {
      case 'submission.graded':
        return this.gradingResult(event as BotEvent<'submission.graded'>);
      case 'environment.changed':
        return this.environmentChanged(event as BotEvent<'environment.changed'>);
      case 'student.stuck':
        return this.studentStuck(event as BotEvent<'student.stuck'>);
      case 'submission.queued':
      case 'progress.updated':
      case 'question.created':
      case 'question.answered':
      case 'question.solved':
      case 'enrollment.changed':
      case 'plan.updated':
      case 'cohort.updated':
        return;
    }
  }

  private async gradingResult(event: BotEvent<'submission.graded'>): Promise<void> {
    const { submissionId, userId, taskId } = event.payload;
    const member = await this.api.discordMember(event.cohortId, { userId });
    if (!member) return; // not on Discord
    const until = await this.store.awaiting(member.discordUserId, taskId);
    if (until !== null) {
      // A /lab submit reply is waiting for this very result: it shows it. Should that reply die
      // (a restart), the DM still goes out once its deadline has passed.
      const timer = setTimeout(
        () => {
          this.timers.delete(timer);
          void this.deliverGrading(member.discordUserId, submissionId).catch((error: unknown) =>
            this.logger.warn({ err: (error as Error).message }, 'late grading DM failed'),
          );
        },
        Math.max(0, until - Date.now()) + 1000,
      );
      timer.unref();
      this.timers.add(timer);
      return;
    }
    await this.deliverGrading(member.discordUserId, submissionId);
  }

  private async deliverGrading(discordUserId: string, submissionId: string): Promise<void> {
    if (!(await this.store.claimDelivery(submissionId))) return;
    const submission = await this.api.submission(submissionId);
    await this.dm(discordUserId, `📬 Your submission was graded.\n${formatGrading(submission)}`);
  }

  private async environmentChanged(event: BotEvent<'environment.changed'>): Promise<void> {
    const { userId, state, reason } = event.payload;
    if (!userId || (state !== 'ready' && state !== 'failed')) return;
    const member = await this.api.discordMember(event.cohortId, { userId });
    if (!member) return;
    await this.dm(
      member.discordUserId,
      state === 'ready'
        ? '✅ Your Kubernetes environment is ready. Get your kubeconfig with `/env kubeconfig` (sent privately).'
        : `⚠️ Your Kubernetes environment could not be set up${reason ? `: ${reason}` : ''}. Try \`/env reset\`, or ask your instructor.`,
    );
  }

  private async studentStuck(event: BotEvent<'student.stuck'>): Promise<void> {
    const cohort = await this.directory.cohort(event.cohortId);
    const channelId = cohort.discord.instructorChannelId;
    if (!channelId) return;
    const { userId, taskId, step, reasons } = event.payload;
    const member = await this.api.discordMember(event.cohortId, { userId });
    const who = member
      ? `**${member.displayName}** (<@${member.discordUserId}>)`
      : `a student (${userId.slice(0, 8)})`;
    await this.actions.postMessage(channelId, {
      content: message([
        `🧭 ${who} looks stuck on step ${step}${taskId ? `, task \`${taskId}\`` : ''}:`,
        ...reasons.map((reason) => `• ${reason}`),
        member ? `\`/inspect student:@${member.discordUsername}\` for details.` : null,
      ]),
    });
  }

  private async dm(discordUserId: string, content: string): Promise<void> {
    const sent = await this.actions.sendDm(discordUserId, { content });
    if (!sent) this.logger.log({ discordUserId }, 'direct messages closed: notification not delivered');
  }
}
