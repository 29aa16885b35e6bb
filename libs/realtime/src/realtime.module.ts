import { Global, Module } from '@nestjs/common';
import { EventLog } from './event-log.js';
import { EventPublisher } from './event-publisher.js';
import { EventRetention } from './event-retention.js';
import { Transactions } from './transactions.js';

/** Event log, post-commit publishing, retention and the transaction runner. Needs DatabaseModule and QueueModule. */
@Global()
@Module({
  providers: [EventLog, EventPublisher, EventRetention, Transactions],
  exports: [EventLog, EventPublisher, EventRetention, Transactions],
})
export class RealtimeModule {}
