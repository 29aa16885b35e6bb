import { parsePublishedEvent } from '@kubecohort/contracts';
import { RedisConnection, RedisSubscription } from '@kubecohort/queue';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { StoredEvent } from './event-log.js';
import { EventPublisher } from './event-publisher.js';

type Listener = (event: StoredEvent) => void;

/**
 * This instance's subscription to the committed-events channel. Every api instance receives every
 * event once; after a reconnect, resync listeners re-read from the database what may have been missed.
 */
@Injectable()
export class EventSubscriber implements OnApplicationShutdown {
  private readonly subscription: RedisSubscription<StoredEvent>;

  constructor(redis: RedisConnection, publisher: EventPublisher) {
    this.subscription = new RedisSubscription(redis, {
      channel: publisher.channel(),
      parse: parsePublishedEvent,
      logger: new Logger(EventSubscriber.name),
      resyncMessage: 'events channel reconnected; re-reading recent events from the database',
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
