/**
 * The benchmark's event source: the real write path (Transactions: counter row + event row in one
 * PostgreSQL transaction, published to Redis after commit), like the worker, at a fixed rate.
 */
import 'reflect-metadata';
import { DatabaseModule } from '@kubecohort/database';
import { QueueModule } from '@kubecohort/queue';
import { RealtimeModule, Transactions } from '@kubecohort/realtime';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { FromWriter, ToWriter, WrittenEvent } from './protocol.js';
import { now } from './stats.js';

@Module({
  imports: [
    DatabaseModule.forRoot({ url: process.env.DATABASE_URL!, poolMax: 20 }),
    QueueModule.forRoot({ url: process.env.REDIS_URL!, prefix: process.env.REDIS_PREFIX! }),
    RealtimeModule,
  ],
})
class WriterModule {}

const send = (message: FromWriter): boolean => process.send!(message);
const app = await NestFactory.createApplicationContext(WriterModule, { logger: ['error', 'warn'] });
const transactions = app.get(Transactions);

// Deterministic choice of subjects, so every run writes the same mix.
let seed = 7;
const random = (limit: number): number => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed % limit;
};

process.on('message', (message: ToWriter) => {
  if (message.type !== 'start') return;
  void run(message).then(async (done) => {
    send(done);
    await app.close();
    process.exit(0);
  });
});
send({ type: 'ready' });

async function run({ rate, seconds, cohorts }: ToWriter): Promise<FromWriter> {
  const events: WrittenEvent[] = [];
  const inFlight = new Set<Promise<void>>();
  let failures = 0;
  const errors: string[] = [];
  let maxLagMs = 0;
  const total = rate * seconds;
  const started = now();
  for (let k = 0; k < total; k++) {
    const due = started + (k * 1000) / rate;
    const wait = due - now();
    if (wait > 0.5) await new Promise((resolve) => setTimeout(resolve, wait));
    maxLagMs = Math.max(maxLagMs, now() - due);
    while (inFlight.size >= 64) await Promise.race(inFlight);
    const cohort = k % cohorts.length;
    const { cohortId, students } = cohorts[cohort]!;
    const subject = random(2) === 0 ? students[random(students.length)]! : null;
    const t0 = now();
    const write = transactions
      .run(async (_tx, emit) =>
        subject
          ? emit(
              cohortId,
              'student.stuck',
              { userId: subject, taskId: null, step: 1, reasons: ['bench', String(t0)] },
              { subjectUserId: subject },
            )
          : emit(cohortId, 'cohort.updated', { fields: ['bench', String(t0)] }),
      )
      .then(
        (event) => void events.push({ cohort, id: Number(event.id), subject, t0 }),
        (error: Error) => {
          failures += 1;
          if (errors.length < 3) errors.push(error.message.slice(0, 200));
        },
      )
      .finally(() => inFlight.delete(write));
    inFlight.add(write);
  }
  await Promise.all(inFlight);
  return { type: 'done', events, failures, errors, maxLagMs, elapsedMs: now() - started };
}
