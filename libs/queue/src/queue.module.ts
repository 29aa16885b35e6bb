import { type DynamicModule, Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { JobQueue } from './job-queue.js';
import { JobWorkers } from './job-workers.js';
import { REDIS_SETTINGS, RedisConnection, type RedisSettings } from './redis.connection.js';

@Global()
@Module({})
export class QueueModule {
  static forRoot(settings: RedisSettings): DynamicModule {
    return {
      module: QueueModule,
      imports: [DiscoveryModule],
      providers: [{ provide: REDIS_SETTINGS, useValue: settings }, RedisConnection, JobQueue, JobWorkers],
      exports: [RedisConnection, JobQueue, JobWorkers],
    };
  }
}
