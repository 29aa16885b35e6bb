import { RedisConnection } from '@kubecohort/queue';
import { Injectable } from '@nestjs/common';

/** Event ids are decimal strings up to 19 digits: beyond a Lua number's precision, so compare as text. */
const ADVANCE = `
local current = redis.call('GET', KEYS[1])
local id = ARGV[1]
if current and (string.len(current) > string.len(id) or (string.len(current) == string.len(id) and current >= id)) then
  return current
end
redis.call('SET', KEYS[1], id)
return id`;

const CLAIM_TTL_SECONDS = 7 * 24 * 3600;

/**
 * The bot's memory in Redis, shared by its replicas and kept across restarts: per cohort the last
 * event handled (where catch-up resumes), one claim per event and per graded submission (so a
 * notification goes out once, whichever replica or replay sees it first), and the `/lab submit`
 * replies waiting for a result (so the result is not also sent by DM).
 */
@Injectable()
export class NotificationStore {
  constructor(private readonly redis: RedisConnection) {}

  private key(...parts: string[]): string {
    return this.redis.key('bot', ...parts);
  }

  cursor(cohortId: string): Promise<string | null> {
    return this.redis.client.get(this.key('cursor', cohortId));
  }

  /** Moves the cohort's cursor forward (never back); returns the cursor now stored. */
  async advance(cohortId: string, eventId: string): Promise<string> {
    return (await this.redis.script('kcBotCursorAdvance', ADVANCE)(
      this.key('cursor', cohortId),
      eventId,
    )) as string;
  }

  /** True for the first caller only: this event's notification is theirs to send. */
  async claimEvent(cohortId: string, eventId: string): Promise<boolean> {
    const set = await this.redis.client.set(
      this.key('event', cohortId, eventId),
      '1',
      'EX',
      CLAIM_TTL_SECONDS,
      'NX',
    );
    return set === 'OK';
  }

  /** Gives a claim back when sending failed for a reason worth retrying (the next catch-up tries again). */
  async releaseEvent(cohortId: string, eventId: string): Promise<void> {
    await this.redis.client.del(this.key('event', cohortId, eventId));
  }

  /** True for the first caller only: this submission's result is theirs to deliver. */
  async claimDelivery(submissionId: string): Promise<boolean> {
    const set = await this.redis.client.set(
      this.key('delivered', submissionId),
      '1',
      'EX',
      CLAIM_TTL_SECONDS,
      'NX',
    );
    return set === 'OK';
  }

  /** A `/lab submit` reply is waiting for this student's result on this task until `untilMs`. */
  async awaitResult(discordUserId: string, taskId: string, untilMs: number): Promise<void> {
    const ttl = Math.max(1000, untilMs - Date.now() + 30_000);
    await this.redis.client.set(this.key('await', discordUserId, taskId), String(untilMs), 'PX', ttl);
  }

  /** Until when a reply waits for this result (ms since epoch), or null when none does. */
  async awaiting(discordUserId: string, taskId: string): Promise<number | null> {
    const value = await this.redis.client.get(this.key('await', discordUserId, taskId));
    return value === null ? null : Number(value);
  }

  async stopAwaiting(discordUserId: string, taskId: string): Promise<void> {
    await this.redis.client.del(this.key('await', discordUserId, taskId));
  }
}
