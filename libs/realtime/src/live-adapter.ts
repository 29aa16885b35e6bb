import { RedisConnection } from '@kubecohort/queue';
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { Server } from 'socket.io';

/**
 * Puts a Socket.IO server on the Redis adapter, so rooms span api instances (presence broadcasts
 * reach staff sockets everywhere). Owns the adapter's two connections (a subscribed connection can
 * do nothing else) and closes them after the Socket.IO server has closed.
 */
@Injectable()
export class LiveAdapter implements OnApplicationShutdown {
  private clients: Redis[] = [];

  constructor(private readonly redis: RedisConnection) {}

  install(server: Server): void {
    if (this.clients.length > 0) return;
    const options = { enableOfflineQueue: true, maxRetriesPerRequest: 2 };
    const pub = new Redis(this.redis.settings.url, options);
    const sub = new Redis(this.redis.settings.url, options);
    for (const client of [pub, sub]) client.on('error', () => undefined);
    this.clients = [pub, sub];
    server.adapter(createAdapter(pub, sub, { key: this.redis.key('socket.io'), requestsTimeout: 3000 }));
  }

  onApplicationShutdown(): void {
    for (const client of this.clients) client.disconnect();
    this.clients = [];
  }
}
