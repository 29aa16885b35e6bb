import { RedisConnection } from '@kubecohort/queue';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { BotEvent } from '../api/api.types.js';

/**
 * The channel the api and worker publish committed events on: libs/realtime's EVENTS_CHANNEL under
 * the deployment's prefix. Not imported from there to keep the bot free of the database and auth libs.
 */
export const EVENTS_CHANNEL = 'events';

/** A published event as it comes off the wire, checked enough to be routed safely. */
export function parseBotEvent(message: string): BotEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object') return null;
  const event = value as Partial<BotEvent>;
  if (typeof event.cohortId !== 'string' || typeof event.id !== 'string' || !/^\d{1,19}$/.test(event.id))
    return null;
  if (typeof event.type !== 'string' || typeof event.at !== 'string') return null;
  if (!event.payload || typeof event.payload !== 'object') return null;
  if (event.subjectUserId !== null && typeof event.subjectUserId !== 'string') return null;
  return event as BotEvent;
}

type Listener = (event: BotEvent) => void;

/**
 * The bot's subscription to committed events, on a Redis connection of its own (a subscribed
 * connection can do nothing else). Live delivery only: what a disconnect misses is re-read from the
 * API by the listeners of `onResync`.
 */
@Injectable()
export class BotEventStream implements OnApplicationShutdown {
  private readonly logger = new Logger(BotEventStream.name);
  private readonly listeners = new Set<Listener>();
  private readonly resyncListeners = new Set<() => void>();
  private client: Redis | null = null;
  private connections = 0;

  constructor(private readonly redis: RedisConnection) {}

  async start(): Promise<void> {
    if (this.client) return;
    const client = new Redis(this.redis.settings.url, {
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
    });
    this.client = client;
    client.on('error', () => undefined);
    client.on('ready', () => {
      this.connections += 1;
      if (this.connections > 1) {
        this.logger.warn('events channel reconnected; catching up from the API');
        for (const listener of this.resyncListeners) listener();
      }
    });
    client.on('message', (_channel: string, message: string) => {
      const event = parseBotEvent(message);
      if (!event) return;
      for (const listener of this.listeners) {
        try {
          listener(event);
        } catch (error) {
          this.logger.error({ err: (error as Error).message }, 'event listener failed');
        }
      }
    });
    await client.subscribe(this.redis.key(EVENTS_CHANNEL));
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
