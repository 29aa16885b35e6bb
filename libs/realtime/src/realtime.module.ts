import { Global, Module } from '@nestjs/common';
import { EventLog } from './event-log.js';
import { EventPublisher } from './event-publisher.js';
import { Transactions } from './transactions.js';

/** Event log, post-commit publishing and the transaction runner. Needs DatabaseModule and QueueModule. */
@Global()
@Module({
  providers: [EventLog, EventPublisher, Transactions],
  exports: [EventLog, EventPublisher, Transactions],
})
export class RealtimeModule {}
