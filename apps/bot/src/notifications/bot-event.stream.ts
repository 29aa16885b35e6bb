import { parsePublishedEvent } from '@kubecohort/contracts';
import { RedisConnection, RedisSubscription } from '@kubecohort/queue';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { BotEvent } from '../api/api.types.js';

/**
 * The channel the api and worker publish committed events on: libs/realtime's EVENTS_CHANNEL under
 * the deployment's prefix. Not imported from there to keep the bot free of the database and auth libs.
 */
export const EVENTS_CHANNEL = 'events';

type Listener = (event: BotEvent) => void;

/**
 * The bot's subscription to committed events. Live delivery only: what a disconnect misses is
 * re-read from the API by the listeners of `onResync`.
 */
@Injectable()
export class BotEventStream implements OnApplicationShutdown {
  private readonly subscription: RedisSubscription<BotEvent>;

  constructor(redis: RedisConnection) {
    this.subscription = new RedisSubscription(redis, {
      channel: redis.key(EVENTS_CHANNEL),
      parse: parsePublishedEvent,
      logger: new Logger(BotEventStream.name),
      resyncMessage: 'events channel reconnected; catching up from the API',
    });
  }

  start(): Promise<void> {
    return this.subscription.start();
  }

  onEvent(listener: Listener): () => void {
    return this.subscription.onMessage(listener);
  }

  onResync(listener: () => void): () => void {
    return this.subscription.onResync(listener);
  }

  stop(): void {
    this.subscription.stop();
  }

  onApplicationShutdown(): void {
    this.stop();
  }
}
