export { EventLog, type AppendOptions, type StoredEvent } from './event-log.js';
export { EVENTS_CHANNEL, EventPublisher } from './event-publisher.js';
export { RealtimeModule } from './realtime.module.js';
export { Transactions, type Emit } from './transactions.js';
