import { RedisConnection } from '@kubecohort/queue';
import { Injectable, Logger } from '@nestjs/common';
import type { StoredEvent } from './event-log.js';

/** Redis channel carrying committed events to every api instance. */
export const EVENTS_CHANNEL = 'events';

/**
 * Publishes committed events through Redis so every api instance (and the bot) can deliver them.
 * Called only after the writing transaction commits; a lost publish is recovered by replay.
 */
@Injectable()
export class EventPublisher {
  private readonly logger = new Logger(EventPublisher.name);

  constructor(private readonly redis: RedisConnection) {}

  channel(): string {
    return this.redis.key(EVENTS_CHANNEL);
  }

  async publish(events: readonly StoredEvent[]): Promise<void> {
    if (events.length === 0) return;
    try {
      const pipeline = this.redis.client.pipeline();
      for (const event of events) pipeline.publish(this.channel(), JSON.stringify(event));
      await pipeline.exec();
    } catch (error) {
      this.logger.warn(
        { err: (error as Error).message, count: events.length },
        'event publish failed; clients recover by replay',
      );
    }
  }
}
