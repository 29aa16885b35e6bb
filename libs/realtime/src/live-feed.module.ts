import { type DynamicModule, Module } from '@nestjs/common';
import { EventSubscriber } from './event-subscriber.js';
import { LiveAccess } from './live-access.js';
import { LiveAdapter } from './live-adapter.js';
import { LiveHub } from './live-hub.js';
import { LIVE_OPTIONS, type LiveOptions } from './live.options.js';
import { PresenceRegistry } from './presence.registry.js';

/**
 * The live fan-out of an api instance (Redis subscriber, per-cohort feeds, replay, presence).
 * Needs RealtimeModule, AuthModule, DatabaseModule and QueueModule. Only the api imports it: the
 * worker publishes events but serves no sockets.
 */
@Module({})
export class LiveFeedModule {
  static forRoot(options: LiveOptions): DynamicModule {
    const providers = [EventSubscriber, LiveAccess, LiveAdapter, LiveHub, PresenceRegistry];
    return {
      module: LiveFeedModule,
      providers: [{ provide: LIVE_OPTIONS, useValue: options }, ...providers],
      exports: providers,
    };
  }
}
