import type { EventPayloads, EventType } from '@kubecohort/contracts';
import { type Prisma, PrismaService } from '@kubecohort/database';
import { Injectable } from '@nestjs/common';
import { type AppendOptions, EventLog, type StoredEvent } from './event-log.js';
import { EventPublisher } from './event-publisher.js';

export type Emit = <T extends EventType>(
  cohortId: string,
  type: T,
  payload: EventPayloads[T],
  options?: AppendOptions,
) => Promise<StoredEvent<T>>;

/**
 * Runs a state change and the events describing it in one database transaction, then publishes
 * the events once the transaction has committed (never before: a rolled-back change emits nothing).
 */
@Injectable()
export class Transactions {
  constructor(
    private readonly prisma: PrismaService,
    private readonly eventLog: EventLog,
    private readonly publisher: EventPublisher,
  ) {}

  async run<T>(
    work: (tx: Prisma.TransactionClient, emit: Emit) => Promise<T>,
    options: { timeoutMs?: number; isolationLevel?: Prisma.TransactionIsolationLevel } = {},
  ): Promise<T> {
    const written: StoredEvent[] = [];
    const result = await this.prisma.$transaction(
      (tx) => {
        const emit: Emit = async (cohortId, type, payload, appendOptions) => {
          const event = await this.eventLog.append(tx, cohortId, type, payload, appendOptions);
          written.push(event);
          return event;
        };
        return work(tx, emit);
      },
      { timeout: options.timeoutMs ?? 15000, maxWait: 10000, isolationLevel: options.isolationLevel },
    );
    await this.publisher.publish(written);
    return result;
  }
}
