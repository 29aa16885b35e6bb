import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';

export interface RedisSettings {
  url: string;
  /** Namespaces every key and queue of this deployment (tests use one per run). */
  prefix: string;
}

export const REDIS_SETTINGS = Symbol('REDIS_SETTINGS');

/**
 * The process's general-purpose Redis client (rate limits, pub/sub fan-out, readiness), and the
 * source of connection options for BullMQ, which must own its own connections.
 */
@Injectable()
export class RedisConnection implements OnModuleInit, OnApplicationShutdown {
  readonly client: Redis;

  constructor(@Inject(REDIS_SETTINGS) readonly settings: RedisSettings) {
    // No offline queue: a command while Redis is down fails at once instead of hanging.
    this.client = new Redis(settings.url, {
      lazyConnect: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      // Commands issued in the same tick (concurrent requests' rate limits, event publishes, slot
      // leases) go out in one write: fewer syscalls and wake-ups of Redis under load.
      enableAutoPipelining: true,
    });
    this.client.on('error', () => undefined); // reconnects by itself; readiness reports the outage
  }

  /** Waits (briefly) for the first connection so the process is ready as soon as it has booted. */
  async onModuleInit(): Promise<void> {
    if (this.client.status === 'ready') return;
    const connected = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 3000);
      this.client.once('ready', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!connected)
      new Logger(RedisConnection.name).warn('Redis is not reachable yet; retrying in the background');
  }

  /** Options for BullMQ queues and workers (they need maxRetriesPerRequest: null). */
  bullConnection(): ConnectionOptions {
    const url = new URL(this.settings.url);
    return {
      host: url.hostname,
      port: Number(url.port || 6379),
      username: url.username || undefined,
      password: url.password ? decodeURIComponent(url.password) : undefined,
      db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
      tls: url.protocol === 'rediss:' ? {} : undefined,
      maxRetriesPerRequest: null,
    };
  }

  /**
   * A Lua script with one key as a function of (key, ...args). Runs by EVALSHA (ioredis falls back
   * to EVAL once when Redis does not know it yet), so the script text is sent and hashed once per
   * connection, not on every call.
   */
  script(name: string, lua: string): (key: string, ...args: (string | number)[]) => Promise<unknown> {
    const client = this.client as unknown as Record<
      string,
      (...args: (string | number)[]) => Promise<unknown>
    >;
    if (typeof client[name] !== 'function') this.client.defineCommand(name, { numberOfKeys: 1, lua });
    return (key, ...args) => client[name]!(key, ...args);
  }

  key(...parts: string[]): string {
    return [this.settings.prefix, ...parts].join(':');
  }

  async ping(): Promise<void> {
    await this.client.ping();
  }

  onApplicationShutdown(): void {
    this.client.disconnect();
  }
}
