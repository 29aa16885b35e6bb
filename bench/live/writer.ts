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

const MAX_IN_FLIGHT = 12;
const send = (message: FromWriter): boolean => process.send!(message);
const app = await NestFactory.createApplicationContext(WriterModule, { logger: ['error', 'warn'] });
const transactions = app.get(Transactions);

// Deterministic choice of subjects (mulberry32), so every run writes the same mix. Most live events
// are about one student (graded, progress, environment, questions, stuck: private to them and staff);
// `publicShare` are cohort-wide (plan.updated, cohort.updated).
let seed = 7;
const random = (limit: number): number => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * limit);
};

process.on('message', (message: ToWriter) => {
  if (message.type !== 'start') return;
  void run(message).then(async (done) => {
    // Exit only once the (large) message is handed over: exiting earlier would drop it.
    await new Promise<void>((resolve) => process.send!(done, undefined, {}, () => resolve()));
    await app.close();
    process.exit(0);
  });
});
send({ type: 'ready' });

async function run({ rate, seconds, cohorts, warmupCohortId, publicShare }: ToWriter): Promise<FromWriter> {
  // Warm the pool and the query paths on a cohort nobody watches, so the clock starts hot.
  for (let index = 0; index < 50; index++) {
    await transactions.run((_tx, emit) => emit(warmupCohortId, 'cohort.updated', { fields: ['warm-up'] }));
  }
  const events: WrittenEvent[] = [];
  const inFlight = new Set<Promise<void>>();
  let failures = 0;
  const errors: string[] = [];
  let maxLagMs = 0;
  const total = rate * seconds;
  const started = now();
  // Bounded: on a machine too busy to keep the rate, stop issuing 30 s after the planned end.
  const stopAt = started + seconds * 1000 + 30_000;
  const progress = setInterval(() => {
    const elapsed = (now() - started) / 1000;
    console.error(
      `writer: ${events.length} committed after ${elapsed.toFixed(0)} s, ${inFlight.size} in flight, ${failures} failed`,
    );
  }, 10_000);
  for (let k = 0; k < total && now() < stopAt; k++) {
    const due = started + (k * 1000) / rate;
    const wait = due - now();
    if (wait > 0.5) await new Promise((resolve) => setTimeout(resolve, wait));
    maxLagMs = Math.max(maxLagMs, now() - due);
    // Few transactions at once: more would mostly queue on the cohorts' counter rows, holding
    // connections while they wait (measured: 8 in flight write faster than 32 on this machine).
    while (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
    const cohort = k % cohorts.length;
    const { cohortId, students } = cohorts[cohort]!;
    const subject = random(1_000_000) >= publicShare * 1_000_000 ? students[random(students.length)]! : null;
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
  clearInterval(progress);
  return { type: 'done', events, failures, errors, maxLagMs, elapsedMs: now() - started };
}
