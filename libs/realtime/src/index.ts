export { CohortFeed, type FeedSource, type FeedTuning } from './cohort-feed.js';
export {
  appendCohortEvents,
  type AppendOptions,
  type CohortEvent,
  EventLog,
  type NewEvent,
  type StoredEvent,
} from './event-log.js';
export { EVENTS_CHANNEL, EventPublisher } from './event-publisher.js';
export { EventRetention, type PruneOptions } from './event-retention.js';
export { EventSubscriber } from './event-subscriber.js';
export { LiveAccess, LiveAuthError, type LiveHandshake, type LivePrincipal } from './live-access.js';
export { LiveAdapter } from './live-adapter.js';
export { LiveFeedModule } from './live-feed.module.js';
export {
  LiveHub,
  LiveRooms,
  parseSubscribeRequest,
  toLiveEvent,
  type LiveClientEvents,
  type LiveNamespace,
  type LiveServerEvents,
  type LiveSocket,
  type LiveSocketData,
  type ReloadNotice,
  type SubscribeAck,
} from './live-hub.js';
export { LIVE_DEFAULTS, LIVE_OPTIONS, type LiveOptions } from './live.options.js';
export {
  PresenceRegistry,
  type PresenceEntry,
  type PresenceSnapshot,
  type PresenceWatcher,
} from './presence.registry.js';
export { RealtimeModule } from './realtime.module.js';
export { Transactions, type Emit } from './transactions.js';
