import { RedisConnection } from '@kubecohort/queue';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
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
 * This instance's subscription to the committed-events channel, on a connection of its own (a
 * subscribed Redis connection can do nothing else). Every api instance receives every event once;
 * after a reconnect, resync listeners re-read from the database what may have been missed.
 */
@Injectable()
export class EventSubscriber implements OnApplicationShutdown {
  private readonly logger = new Logger(EventSubscriber.name);
  private readonly listeners = new Set<Listener>();
  private readonly resyncListeners = new Set<() => void>();
  private client: Redis | null = null;
  private connections = 0;

  constructor(
    private readonly redis: RedisConnection,
    private readonly publisher: EventPublisher,
  ) {}

  async start(): Promise<void> {
    if (this.client) return;
    // Offline queue on: SUBSCRIBE waits for the connection; ioredis re-subscribes after reconnects.
    const client = new Redis(this.redis.settings.url, {
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
    });
    this.client = client;
    client.on('error', () => undefined);
    client.on('ready', () => {
      this.connections += 1;
      if (this.connections > 1) {
        this.logger.warn('events channel reconnected; re-reading recent events from the database');
        for (const listener of this.resyncListeners) listener();
      }
    });
    client.on('message', (_channel: string, message: string) => {
      const event = parseStoredEvent(message);
      if (!event) {
        this.logger.warn('ignored a malformed event message');
        return;
      }
      for (const listener of this.listeners) listener(event);
    });
    await client.subscribe(this.publisher.channel());
  }

  onEvent(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onResync(listener: () => void): () => void {
    this.resyncListeners.add(listener);
    return () => this.resyncListeners.delete(listener);
  }

  stop(): void {
    this.client?.disconnect();
    this.client = null;
  }

  onApplicationShutdown(): void {
    this.stop();
  }
}
