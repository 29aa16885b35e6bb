import type { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { RedisConnection } from './redis.connection.js';

export interface RedisSubscriptionOptions<T> {
  /** The full channel name (prefix included). */
  channel: string;
  /** A message as it comes off the wire, or null when it is not one (dropped with a warning). */
  parse: (message: string) => T | null;
  logger: Logger;
  /** Logged when a reconnect makes the resync listeners run. */
  resyncMessage: string;
}

/**
 * One process's subscription to a pub/sub channel, on a Redis connection of its own (a subscribed
 * connection can do nothing else). Live delivery only: after a reconnect, the resync listeners
 * re-read from the source of truth what the disconnect may have missed. A listener that throws is
 * logged and does not keep the message from the others.
 */
export class RedisSubscription<T> {
  private readonly listeners = new Set<(message: T) => void>();
  private readonly resyncListeners = new Set<() => void>();
  private client: Redis | null = null;
  private connections = 0;

  constructor(
    private readonly redis: RedisConnection,
    private readonly options: RedisSubscriptionOptions<T>,
  ) {}

  async start(): Promise<void> {
    if (this.client) return;
    const { logger } = this.options;
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
        logger.warn(this.options.resyncMessage);
        for (const listener of this.resyncListeners) listener();
      }
    });
    client.on('message', (_channel: string, raw: string) => {
      const message = this.options.parse(raw);
      if (message === null) {
        logger.warn('ignored a malformed message');
        return;
      }
      for (const listener of this.listeners) {
        try {
          listener(message);
        } catch (error) {
          logger.error({ err: (error as Error).message }, 'message listener failed');
        }
      }
    });
    await client.subscribe(this.options.channel);
  }

  onMessage(listener: (message: T) => void): () => void {
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
}
