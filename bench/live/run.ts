/**
 * Live feeds benchmark: N socket.io clients in C cohorts; events at R/s for S seconds through the
 * real pipeline (PostgreSQL transaction with the counter row, Redis publish after commit, the api's
 * /live gateway), against a bare socket.io server broadcasting the same Redis messages to the same
 * room layout, in the same run. Counts every event per client (no loss, no duplicate, in order)
 * and reports delivery latency p50/p99 and api memory. Everything runs on 127.0.0.1, in its own
 * throw-away database and Redis prefix, with an overall time limit.
 *
 *   npm run bench:live [-- --clients 2000 --cohorts 20 --rate 200 --seconds 60 --staff 10 --public 0.1 --fleets 2]
 *
 * Per cohort, `--staff` of its sockets are instructors (two people, several tabs), the rest students,
 * one socket each; `--public` of the events are cohort-wide, the rest are about one student.
 */
import { PrismaService } from '@kubecohort/database';
import { Redis } from 'ioredis';
import { SignJWT } from 'jose';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import type { ClientSpec, CohortSeed, DeliverySummary, FromFleet, FromWriter, Target } from './protocol.js';
import { Histogram, now } from './stats.js';

const option = (name: string, fallback: number): number => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
const CLIENTS = option('clients', 2000);
const COHORTS = option('cohorts', 20);
const RATE = option('rate', 200);
const SECONDS = option('seconds', 60);
const STAFF_PER_COHORT = option('staff', 10);
const FLEETS = option('fleets', 2);
const PUBLIC_SHARE = option('public', 0.1);
const INSTRUCTORS_PER_COHORT = 2;

const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DB_NAME = `kc_bench_live_${Date.now().toString(36)}_${randomBytes(2).toString('hex')}`;
const PREFIX = `kc-bench-live:${DB_NAME}`;
const JWT_SECRET = `bench-${randomBytes(24).toString('hex')}`;
const DATABASE_URL = (() => {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${DB_NAME}`;
  return url.toString();
})();

const children: ChildProcess[] = [];
const log = (message: string): void =>
  console.log(`[bench:live ${new Date().toISOString().slice(11, 19)}] ${message}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function start(file: string, env: NodeJS.ProcessEnv, ipc = false): ChildProcess {
  const child = spawn(process.execPath, ['--import', './bench/register.js', file], {
    env: { PATH: process.env.PATH, TZ: 'UTC', ...env },
    stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(`[${file}] ${chunk.toString()}`));
  children.push(child);
  return child;
}

function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs = 60000): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`no ${pattern} within ${timeoutMs} ms: ${seen.slice(-500)}`)),
      timeoutMs,
    );
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = pattern.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) =>
      reject(new Error(`exited (${code}) before ${pattern}: ${seen.slice(-500)}`)),
    );
  });
}

function nextMessage<T>(child: ChildProcess, type: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no '${type}' message within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onMessage = (message: { type: string }) => {
      if (message.type !== type) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(message as T);
    };
    child.on('message', onMessage);
  });
}

/** Resident memory (MiB) and CPU time (s) of a process, from /proc. */
function usage(pid: number): { rssMiB: number; cpuSeconds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { rssMiB: rssKiB / 1024, cpuSeconds: ticks / 100 };
}

async function createDatabase(): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${DB_NAME}"`);
  } finally {
    await client.end();
  }
  execFileSync(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'tools/db/migrate-deploy.ts'], {
    env: { ...process.env, DATABASE_URL },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function cleanup(): Promise<void> {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await sleep(1500);
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${DB_NAME}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

interface Seeded {
  cohorts: CohortSeed[];
  specs: ClientSpec[];
  warmupCohortId: string;
}

async function seed(): Promise<Seeded> {
  const prisma = new PrismaService({ url: DATABASE_URL, poolMax: 4 });
  const sign = (userId: string, role: string) =>
    new SignJWT({ role })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(userId)
      .setIssuer('kubecohort')
      .setAudience('kubecohort')
      .setIssuedAt()
      .setExpirationTime('2h')
      .sign(new TextEncoder().encode(JWT_SECRET));
  try {
    const version = await prisma.curriculumVersion.create({
      data: { version: 1, title: 'bench', checksum: randomBytes(32).toString('hex'), source: '# bench' },
    });
    const perCohort = Math.floor(CLIENTS / COHORTS);
    const studentsPerCohort = perCohort - STAFF_PER_COHORT;
    const cohorts: CohortSeed[] = [];
    const specs: ClientSpec[] = [];
    for (let index = 0; index < COHORTS; index++) {
      const cohort = await prisma.cohort.create({
        data: { name: `bench ${index}`, status: 'active', curriculumVersionId: version.id },
      });
      const instructors = Array.from({ length: INSTRUCTORS_PER_COHORT }, () => randomUUID());
      const students = Array.from({ length: studentsPerCohort }, () => randomUUID());
      await prisma.user.createMany({
        data: [
          ...instructors.map((id) => ({
            id,
            email: `${id}@bench.test`,
            displayName: `instructor ${id.slice(0, 6)}`,
            role: 'instructor' as const,
          })),
          ...students.map((id) => ({
            id,
            email: `${id}@bench.test`,
            displayName: `student ${id.slice(0, 6)}`,
            role: 'student' as const,
          })),
        ],
      });
      await prisma.cohortInstructor.createMany({
        data: instructors.map((userId) => ({ cohortId: cohort.id, userId })),
      });
      await prisma.enrollment.createMany({
        data: students.map((userId) => ({
          id: randomUUID(),
          cohortId: cohort.id,
          userId,
          status: 'active' as const,
          activeUserId: userId,
        })),
      });
      cohorts.push({ cohortId: cohort.id, students });
      for (let seat = 0; seat < STAFF_PER_COHORT; seat++) {
        const userId = instructors[seat % INSTRUCTORS_PER_COHORT]!; // several tabs per instructor
        specs.push({
          target: 'api',
          cohort: index,
          cohortId: cohort.id,
          userId,
          staff: true,
          token: await sign(userId, 'instructor'),
        });
      }
      for (const userId of students) {
        specs.push({
          target: 'api',
          cohort: index,
          cohortId: cohort.id,
          userId,
          staff: false,
          token: await sign(userId, 'student'),
        });
      }
    }
    const warmup = await prisma.cohort.create({
      data: { name: 'bench warm-up', curriculumVersionId: version.id },
    });
    return { cohorts, specs, warmupCohortId: warmup.id };
  } finally {
    await prisma.onApplicationShutdown();
  }
}

function percentiles(histogram: Histogram): {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
} {
  return {
    p50: histogram.quantile(0.5),
    p90: histogram.quantile(0.9),
    p99: histogram.quantile(0.99),
    p999: histogram.quantile(0.999),
    max: histogram.quantile(1),
  };
}

async function main(): Promise<boolean> {
  const machine = {
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memory: execFileSync('free', ['-h']).toString().trim(),
    node: process.version,
    loadBefore: os.loadavg()[0]!,
    loadAfter: NaN,
  };
  log(
    `machine: ${machine.nproc} CPUs (${machine.cpu}), Node ${machine.node}, load average ${machine.loadBefore.toFixed(2)}`,
  );
  log(
    `${CLIENTS} clients per side in ${COHORTS} cohorts (${STAFF_PER_COHORT} staff sockets each), ${RATE} events/s for ${SECONDS} s, ${PUBLIC_SHARE * 100}% cohort-wide`,
  );
  await createDatabase();
  const { cohorts, specs, warmupCohortId } = await seed();
  log(`database ${DB_NAME} migrated and seeded`);

  const api = start('apps/api/src/main.ts', {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL,
    REDIS_URL,
    REDIS_PREFIX: PREFIX,
    JWT_SECRET,
    LOG_LEVEL: 'info',
    COOKIE_SECURE: 'false',
    // Key for kubeconfigs at rest (environments), required by the api's configuration.
    ENCRYPTION_KEYS: `bench:${randomBytes(32).toString('base64')}`,
  });
  const bare = start('bench/live/bare-server.ts', { REDIS_URL, REDIS_PREFIX: PREFIX });
  const writer = start('bench/live/writer.ts', { DATABASE_URL, REDIS_URL, REDIS_PREFIX: PREFIX }, true);
  const [apiPort, barePort] = await Promise.all([
    waitForLine(api, /api listening on http:\/\/127\.0\.0\.1:(\d+)/),
    waitForLine(bare, /bare listening (\d+)/),
    nextMessage<FromWriter>(writer, 'ready', 60000),
  ]);
  const urls: Record<Target, string> = {
    api: `http://127.0.0.1:${apiPort}`,
    bare: `http://127.0.0.1:${barePort}`,
  };
  await sleep(1000);
  const idle = { api: usage(api.pid!), bare: usage(bare.pid!) };
  log(`api on ${urls.api} (RSS ${idle.api.rssMiB.toFixed(0)} MiB idle), bare socket.io on ${urls.bare}`);

  // Both sides get the same clients; each fleet process hosts an interleaved half of each.
  const all: ClientSpec[] = specs.flatMap((spec) => [
    spec,
    { ...spec, target: 'bare' as const, token: undefined },
  ]);
  const fleets = Array.from({ length: FLEETS }, () => start('bench/live/fleet.ts', {}, true));
  const connectStarted = now();
  const connected = await Promise.all(
    fleets.map((fleet, index) => {
      const reply = nextMessage<Extract<FromFleet, { type: 'connected' }>>(fleet, 'connected', 300000);
      fleet.send({
        type: 'connect',
        urls,
        clients: all.filter((_, position) => position % FLEETS === index),
        concurrency: 25,
      });
      return reply;
    }),
  );
  const failed = connected.reduce((sum, reply) => sum + reply.failed, 0);
  log(
    `connected ${connected.reduce((sum, reply) => sum + reply.connected, 0)} clients in ${((now() - connectStarted) / 1000).toFixed(1)} s; ${failed} failed ${connected.flatMap((reply) => reply.errors).join('; ')}`,
  );
  if (failed > 0) throw new Error('clients failed to connect');
  await sleep(2000);
  const loaded = { api: usage(api.pid!), bare: usage(bare.pid!) };

  // The probe: when each event reached Redis subscribers (the api and the bare server get it then too).
  const cohortIndex = new Map(cohorts.map((cohort, index) => [cohort.cohortId, index]));
  const redisAt: Record<string, number> = {};
  const probe = new Redis(REDIS_URL);
  probe.on('message', (_channel: string, message: string) => {
    const at = now();
    const event = JSON.parse(message) as { cohortId: string; id: string };
    redisAt[`${cohortIndex.get(event.cohortId)}:${event.id}`] = at;
  });
  await probe.subscribe(`${PREFIX}:events`);

  const samples: { api: number[]; bare: number[] } = { api: [], bare: [] };
  const sampler = setInterval(() => {
    try {
      samples.api.push(usage(api.pid!).rssMiB);
      samples.bare.push(usage(bare.pid!).rssMiB);
    } catch {
      clearInterval(sampler); // a server died; the run fails below
    }
  }, 1000);
  sampler.unref();
  log(`writing ${RATE * SECONDS} events through PostgreSQL + Redis...`);
  const cpuBefore = { api: usage(api.pid!).cpuSeconds, bare: usage(bare.pid!).cpuSeconds };
  writer.send({
    type: 'start',
    rate: RATE,
    seconds: SECONDS,
    cohorts,
    warmupCohortId,
    publicShare: PUBLIC_SHARE,
  });
  const written = await nextMessage<Extract<FromWriter, { type: 'done' }>>(
    writer,
    'done',
    (SECONDS + 120) * 1000,
  );
  await sleep(3000); // let the last deliveries land
  clearInterval(sampler);
  const cpuAfter = { api: usage(api.pid!).cpuSeconds, bare: usage(bare.pid!).cpuSeconds };
  machine.loadAfter = os.loadavg()[0]!;
  const runSeconds = written.elapsedMs / 1000 + 3;
  probe.disconnect();
  log(
    `writer: ${written.events.length} events in ${(written.elapsedMs / 1000).toFixed(1)} s, ${written.failures} failed ${written.errors.join('; ')}, schedule lag max ${written.maxLagMs.toFixed(1)} ms`,
  );

  const reports = await Promise.all(
    fleets.map((fleet) => {
      const reply = nextMessage<Extract<FromFleet, { type: 'report' }>>(fleet, 'report', 120000);
      fleet.send({ type: 'finish', events: written.events, redisAt });
      return reply;
    }),
  );

  const result: Record<
    Target,
    {
      totals: Omit<DeliverySummary, 'endToEnd' | 'fanOut'>;
      endToEnd: ReturnType<typeof percentiles>;
      fanOut: ReturnType<typeof percentiles>;
    }
  > = {} as never;
  for (const target of ['api', 'bare'] as const) {
    const endToEnd = new Histogram();
    const fanOut = new Histogram();
    const totals = {
      clients: 0,
      expected: 0,
      received: 0,
      missing: 0,
      duplicates: 0,
      unexpected: 0,
      outOfOrder: 0,
      reconnects: 0,
    };
    for (const report of reports) {
      const summary = report.summaries[target];
      endToEnd.merge(summary.endToEnd);
      fanOut.merge(summary.fanOut);
      for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += summary[key];
    }
    result[target] = { totals, endToEnd: percentiles(endToEnd), fanOut: percentiles(fanOut) };
  }
  const memory = (side: Target) => ({
    idleMiB: idle[side].rssMiB,
    connectedMiB: loaded[side].rssMiB,
    runMaxMiB: Math.max(...samples[side]),
    runMeanMiB: samples[side].reduce((sum, value) => sum + value, 0) / samples[side].length,
    cpuPercent: ((cpuAfter[side] - cpuBefore[side]) / runSeconds) * 100,
  });
  const report = {
    machine,
    setup: {
      clients: CLIENTS,
      cohorts: COHORTS,
      staffSocketsPerCohort: STAFF_PER_COHORT,
      publicShare: PUBLIC_SHARE,
      rate: RATE,
      seconds: SECONDS,
      written: written.events.length,
      writerSeconds: written.elapsedMs / 1000,
      achievedRate: written.events.length / (written.elapsedMs / 1000),
      writerMaxLagMs: written.maxLagMs,
    },
    api: { ...result.api, process: memory('api') },
    bare: { ...result.bare, process: memory('bare') },
  };
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  console.log(
    '\nside  clients  deliveries  missing  dup  unexpected  out-of-order  reconnects  e2e p50 / p99      fan-out p50 / p99    RSS idle/connected/max  CPU',
  );
  for (const side of ['api', 'bare'] as const) {
    const row = report[side];
    console.log(
      [
        side.padEnd(4),
        String(row.totals.clients).padStart(7),
        String(row.totals.received).padStart(11),
        String(row.totals.missing).padStart(8),
        String(row.totals.duplicates).padStart(4),
        String(row.totals.unexpected).padStart(11),
        String(row.totals.outOfOrder).padStart(13),
        String(row.totals.reconnects).padStart(11),
        `  ${ms(row.endToEnd.p50)} / ${ms(row.endToEnd.p99)}`.padEnd(20),
        `${ms(row.fanOut.p50)} / ${ms(row.fanOut.p99)}`.padEnd(20),
        `${row.process.idleMiB.toFixed(0)}/${row.process.connectedMiB.toFixed(0)}/${row.process.runMaxMiB.toFixed(0)} MiB`.padEnd(
          22,
        ),
        `${row.process.cpuPercent.toFixed(0)}%`,
      ].join(' '),
    );
  }
  console.log(`\n${JSON.stringify(report)}\n`);
  // Acceptance on the fan-out (Redis publish -> client): the part where the two sides differ. End to
  // end (from the writer's transaction start) adds the same database time to both, so its ratio is
  // reported but would flatter the api.
  const ratio = report.api.fanOut.p99 / report.bare.fanOut.p99;
  const endToEndRatio = report.api.endToEnd.p99 / report.bare.endToEnd.p99;
  const exact =
    report.api.totals.missing === 0 &&
    report.api.totals.duplicates === 0 &&
    report.api.totals.unexpected === 0 &&
    report.api.totals.outOfOrder === 0 &&
    report.api.totals.expected === report.api.totals.received;
  const accepted = ratio <= 2 && exact;
  log(
    `api/bare p99 ratio: fan-out ${ratio.toFixed(2)} (limit 2.0), end to end ${endToEndRatio.toFixed(2)}; ` +
      `api deliveries exact (none missing, duplicated, foreign or out of order): ${exact} -> ${accepted ? 'ACCEPTED' : 'NOT ACCEPTED'}`,
  );
  return accepted;
}

const limit = setTimeout(
  () => {
    console.error('bench:live: time limit reached, stopping');
    void cleanup().finally(() => process.exit(2));
  },
  (SECONDS + 420) * 1000,
);
let accepted = false;
try {
  accepted = await main();
} catch (error) {
  console.error(error);
} finally {
  clearTimeout(limit);
  await cleanup();
}
process.exit(accepted ? 0 : 1);
