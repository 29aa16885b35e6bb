import { RedisConnection, RedisSubscription } from '@kubecohort/queue';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { StoredEvent } from './event-log.js';
import { EventPublisher } from './event-publisher.js';

type Listener = (event: StoredEvent) => void;

/** A published event as it comes off the wire, checked enough to be routed safely. */
export function parseStoredEvent(message: string): StoredEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object') return null;
  const event = value as Partial<StoredEvent>;
  if (typeof event.cohortId !== 'string' || typeof event.id !== 'string' || !/^\d{1,19}$/.test(event.id))
    return null;
  if (typeof event.type !== 'string' || typeof event.at !== 'string') return null;
  if (event.subjectUserId !== null && typeof event.subjectUserId !== 'string') return null;
  return event as StoredEvent;
}

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
      parse: parseStoredEvent,
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
