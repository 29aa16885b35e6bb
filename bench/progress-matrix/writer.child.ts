/**
 * Concurrent progress writes, as the grading pipeline would make them: `RATE` graded attempts per
 * second through ProgressRecorder.recordAttempt (each its own transaction with its events), on
 * random students and tasks of the benchmark cohort. Started and stopped by messages.
 */
import 'reflect-metadata';
import { AuthModule } from '@kubecohort/auth';
import { DatabaseModule, PrismaService } from '@kubecohort/database';
import { type AttemptOutcome, ProgressModule, ProgressRecorder } from '@kubecohort/progress';
import { QueueModule } from '@kubecohort/queue';
import { RealtimeModule } from '@kubecohort/realtime';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomUUID } from 'node:crypto';

const RATE = Number(process.env.WRITES_PER_SECOND ?? 20);
const cohortId = process.env.BENCH_COHORT_ID!;

@Module({
  imports: [
    DatabaseModule.forRoot({ url: process.env.DATABASE_URL!, poolMax: 4 }),
    QueueModule.forRoot({ url: process.env.REDIS_URL!, prefix: process.env.REDIS_PREFIX! }),
    AuthModule.forRoot({
      jwtSecret: process.env.JWT_SECRET!,
      accessTokenTtlSeconds: 900,
      refreshTokenTtlSeconds: 3600,
      issuer: 'kubecohort',
    }),
    RealtimeModule,
    ProgressModule,
  ],
})
class WriterModule {}

const app = await NestFactory.createApplicationContext(WriterModule, { logger: ['error', 'warn'] });
const recorder = app.get(ProgressRecorder);
const prisma = app.get(PrismaService);
const students = await prisma.enrollment.findMany({
  where: { cohortId, status: 'active' },
  select: { userId: true },
});
const cohort = await prisma.cohort.findUniqueOrThrow({
  where: { id: cohortId },
  select: { curriculumVersionId: true },
});
const tasks = await prisma.curriculumTask.findMany({
  where: { versionId: cohort.curriculumVersionId, step: { number: { lte: 4 } } },
  select: { slug: true, maxPoints: true, completion: true },
});

let seed = 7;
const random = (limit: number) => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed % limit;
};

const stats = { started: 0, done: 0, failed: 0, latencies: [] as number[], startedAt: 0, stoppedAt: 0 };
let timer: NodeJS.Timeout | undefined;
let inFlight = 0;

function writeOne(): void {
  const student = students[random(students.length)]!;
  const task = tasks[random(tasks.length)]!;
  const roll = random(100);
  const outcome: AttemptOutcome =
    task.completion === 'review' ? 'pending_review' : roll < 45 ? 'passed' : 'failed';
  const points = outcome === 'passed' ? task.maxPoints : random(task.maxPoints + 1);
  const started = performance.now();
  stats.started += 1;
  inFlight += 1;
  recorder
    .recordAttempt({
      cohortId,
      userId: student.userId,
      taskId: task.slug,
      submissionId: randomUUID(),
      outcome,
      points: outcome === 'pending_review' ? 0 : points,
      maxPoints: task.maxPoints,
      failedCheckIds: outcome === 'failed' ? [`check-${random(3)}`] : [],
    })
    .then(
      () => {
        stats.done += 1;
        stats.latencies.push(performance.now() - started);
      },
      (error: Error) => {
        stats.failed += 1;
        if (stats.failed <= 3) console.error('write failed:', error.message);
      },
    )
    .finally(() => {
      inFlight -= 1;
    });
}

process.on('message', (message: { type: string }) => {
  if (message.type === 'start') {
    stats.startedAt = performance.now();
    // Catch up on a schedule (timers drift on a busy machine): attempt n starts at n / RATE seconds.
    let issued = 0;
    timer = setInterval(() => {
      const due = Math.floor(((performance.now() - stats.startedAt) / 1000) * RATE);
      while (issued < due) {
        issued += 1;
        writeOne();
      }
    }, 10);
    process.send!({ type: 'started' });
  }
  if (message.type === 'stop') {
    clearInterval(timer);
    stats.stoppedAt = performance.now();
    const wait = setInterval(() => {
      if (inFlight > 0) return;
      clearInterval(wait);
      const sorted = [...stats.latencies].sort((a, b) => a - b);
      const seconds = (stats.stoppedAt - stats.startedAt) / 1000;
      process.send!({
        type: 'stopped',
        writes: stats.done,
        failed: stats.failed,
        perSecond: stats.done / seconds,
        p50: sorted[Math.floor(sorted.length * 0.5)] ?? 0,
        p99: sorted[Math.floor(sorted.length * 0.99)] ?? 0,
      });
      void app.close().then(() => process.exit(0));
    }, 20);
  }
});
process.send!({ type: 'ready' });
