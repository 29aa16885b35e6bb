/**
 * Grading pipeline benchmark: `npm run bench:grading`.
 *
 * In a fresh database and a private redis-server: the curriculum, cohorts of students with ready
 * environments spread over host clusters, the real api and the real worker (each a process of its
 * own, from the TypeScript sources) with the test graders (GRADING_TEST_GRADERS: a trivial grader —
 * one k8s.object check on fake transports — for the grader task environment-sandbox-app). Measures:
 *
 *  1. throughput: submissions/s through the whole pipeline (POST -> row + outbox + NOTIFY -> relay ->
 *     BullMQ -> environment look-up, host-cluster slot, claim, grading, result + progress + events
 *     in one transaction -> submission.graded published), BENCH_IN_FLIGHT requests in flight;
 *  2. submit-to-result latency (POST sent -> submission.graded received on the events channel) at a
 *     steady BENCH_STEADY_RATE submissions/s;
 *  against a bare BullMQ add-and-process loop (the same Redis, a consumer process of its own with
 *  the worker's concurrency, a trivial processor) measured the same two ways in the same run; and
 *  3. the NetworkPolicy engine's connectivity matrix for 200 pods x 100 policies x 4 ports
 *     (bench/netpol-matrix.ts).
 * Writes the figures and the machine's facts to docs/benchmarks.md (## Grading pipeline) and the
 * raw numbers to bench/results/.
 *
 * Knobs (env): BENCH_THROUGHPUT_SUBMISSIONS (6000), BENCH_BARE_JOBS (30000), BENCH_STEADY_RATE (200),
 * BENCH_STEADY_SECONDS (15), BENCH_LOW_RATE (20), BENCH_IN_FLIGHT (32), BENCH_COHORTS (4),
 * BENCH_HOST_CLUSTERS (4), WORKER_CONCURRENCY (host clusters x 4), DATABASE_POOL_MAX (10), BENCH_ADMIN_URL,
 * BENCH_KEEP_DB=1, BENCH_NO_DOCS=1, BENCH_CPU_PROF=<dir>.
 */
import 'reflect-metadata';
import { AccessTokens } from '@kubecohort/auth';
import { CurriculumSeeder } from '@kubecohort/curriculum';
import { PrismaService } from '@kubecohort/database';
import { Queue } from 'bullmq';
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import os from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { PrivateRedis } from '../../test/support/redis-private.js';
import { migrateDeploy } from '../../tools/db/migrate.js';
import { knob, machine, summary, writeBenchmarksSection } from '../support.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const THROUGHPUT_SUBMISSIONS = knob('BENCH_THROUGHPUT_SUBMISSIONS', 6000);
const BARE_JOBS = knob('BENCH_BARE_JOBS', 30000);
const STEADY_RATE = knob('BENCH_STEADY_RATE', 200);
const STEADY_SECONDS = knob('BENCH_STEADY_SECONDS', 15);
/**
 * Each steady phase first runs this long at its rate, unmeasured: the pipeline has been idle for the
 * half minute of the bare loop's phases, and its first second pays for that (cold caches, pools).
 */
const RAMP_SECONDS = 2;
/** A second, lower steady rate for context: latency while the pipeline is not saturated. */
const LOW_RATE = knob('BENCH_LOW_RATE', 20);
const IN_FLIGHT = knob('BENCH_IN_FLIGHT', 32);
const COHORTS = knob('BENCH_COHORTS', 4);
const HOST_CLUSTERS = knob('BENCH_HOST_CLUSTERS', 4);
/** Grading slots per host cluster (the worker's GRADING_CONCURRENCY_PER_HOST_CLUSTER). */
const SLOTS_PER_HOST_CLUSTER = 4;
/**
 * As many gradings at once as the host clusters take (4 x 4): a worker with fewer would leave slots
 * idle, as a grading's time is mostly spent waiting on its cluster. The bare loop gets the same.
 */
const WORKER_CONCURRENCY = knob('WORKER_CONCURRENCY', HOST_CLUSTERS * SLOTS_PER_HOST_CLUSTER);
const POOL_MAX = knob('DATABASE_POOL_MAX', 10);
const WARMUP = 200;
/** Alternating throughput rounds of the bare loop and the pipeline. */
const ROUNDS = 3;
const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const JWT_SECRET = randomBytes(32).toString('base64url');
const ENCRYPTION_KEYS = `bench:${randomBytes(32).toString('base64')}`;
const TASK = 'environment-sandbox-app';
const TARGETS = { ratio: 0.07, p99Ms: 250, matrixMs: 1000 };

const log = (message: string) => console.log(`[bench:grading] ${message}`);
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

// ───────────────────────────── helpers ─────────────────────────────

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** CPU time (user + system, ms) a process has used, from /proc (Linux). */
function cpuMs(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in clock ticks of 1/100 s
  } catch {
    return NaN;
  }
}

/** CPU of the PostgreSQL backends serving our database (cumulative since each started). */
async function postgresCpuMs(db: PrismaService): Promise<number> {
  const rows = await db.$queryRaw<
    { pid: number }[]
  >`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`;
  return rows.reduce((sum, row) => sum + (cpuMs(row.pid) || 0), 0);
}

// ───────────────────────────── fixtures ─────────────────────────────

interface Student {
  id: string;
  token: string;
}

async function seed(prisma: PrismaService, students: number): Promise<Student[]> {
  const { versionId } = await new CurriculumSeeder(prisma).seed();
  const steps = await prisma.curriculumStep.findMany({ where: { versionId }, select: { number: true } });
  const clusters: { id: string }[] = [];
  for (let index = 0; index < HOST_CLUSTERS; index += 1) {
    clusters.push(
      await prisma.hostCluster.create({
        data: {
          name: `bench-host-${index}`,
          region: 'bench',
          apiServerUrl: 'https://127.0.0.1:6443',
          kubeconfigEncrypted: 'unused',
          capacityEnvironments: 100_000,
          capacityCpuMillis: 1_000_000,
          capacityMemoryMib: 1_000_000,
        },
      }),
    );
  }
  const cohorts: { id: string }[] = [];
  for (let index = 0; index < COHORTS; index += 1) {
    cohorts.push(
      await prisma.cohort.create({
        data: {
          name: `Bench cohort ${index + 1}`,
          status: 'active',
          curriculumVersionId: versionId,
          steps: { create: steps.map((step) => ({ stepNumber: step.number, locked: step.number > 2 })) },
        },
      }),
    );
  }
  const users = Array.from({ length: students }, (_, index) => ({
    id: randomUUID(),
    role: 'student' as const,
    displayName: `Bench student ${index + 1}`,
    email: `bench-${randomUUID()}@bench.dev`,
  }));
  const tokens = new AccessTokens({
    jwtSecret: JWT_SECRET,
    issuer: 'kubecohort',
    accessTokenTtlSeconds: 86400,
    refreshTokenTtlSeconds: 86400,
  });
  for (let index = 0; index < users.length; index += 2000) {
    const chunk = users.slice(index, index + 2000);
    await prisma.user.createMany({ data: chunk });
    await prisma.enrollment.createMany({
      data: chunk.map((user, offset) => ({
        cohortId: cohorts[(index + offset) % COHORTS]!.id,
        userId: user.id,
        activeUserId: user.id,
        status: 'active' as const,
      })),
    });
    await prisma.environment.createMany({
      data: chunk.map((user, offset) => ({
        cohortId: cohorts[(index + offset) % COHORTS]!.id,
        userId: user.id,
        activeUserId: user.id,
        hostClusterId: clusters[(index + offset) % HOST_CLUSTERS]!.id,
        state: 'ready' as const,
        vclusterName: 'pass',
      })),
    });
  }
  // Statistics, as autovacuum keeps them on a database in service (it would not get round to the
  // fresh rows before the run starts).
  await prisma.$executeRawUnsafe('ANALYZE');
  log(`seeded ${students} students in ${COHORTS} cohorts, environments on ${HOST_CLUSTERS} host clusters`);
  return Promise.all(
    users.map(async (user) => ({ id: user.id, token: await tokens.sign(user.id, 'student') })),
  );
}

// ───────────────────────────── processes ─────────────────────────────

const children: ChildProcess[] = [];

function spawnTs(script: string, env: NodeJS.ProcessEnv): ChildProcess {
  const child = fork(resolve(root, script), [], {
    execArgv: [
      '--import',
      resolve(here, '../register.js'),
      ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
    ],
    env: { PATH: process.env.PATH, TZ: 'UTC', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(child);
  return child;
}

async function waitReady(port: number, path: string, child: ChildProcess): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`child exited with ${child.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}${path}`)).status === 200) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() - started > 120_000) throw new Error(`no ready answer on :${port}${path}`);
    await sleep(200);
  }
}

// ───────────────────────────── pipeline load ─────────────────────────────

/** When each submission's `submission.graded` arrived on the events channel (this process's clock). */
class GradedEvents {
  readonly at = new Map<string, number>();

  private constructor(private readonly subscriber: Redis) {}

  static async listen(url: string, channel: string): Promise<GradedEvents> {
    const subscriber = new Redis(url);
    const events = new GradedEvents(subscriber);
    subscriber.on('message', (_channel, message) => {
      // Two of a submission's three events are not the one timed: skip them before parsing.
      if (!message.includes('"type":"submission.graded"')) return;
      const event = JSON.parse(message) as { type: string; payload: { submissionId: string } };
      if (event.type === 'submission.graded') events.at.set(event.payload.submissionId, performance.now());
    });
    await subscriber.subscribe(channel);
    return events;
  }

  /** Resolves when every id's graded event has arrived (or throws after the timeout). */
  async all(ids: string[], timeoutMs: number): Promise<void> {
    const started = Date.now();
    while (ids.some((id) => !this.at.has(id))) {
      if (Date.now() - started > timeoutMs) {
        const missing = ids.filter((id) => !this.at.has(id)).length;
        throw new Error(`${missing} submissions not graded within ${timeoutMs} ms`);
      }
      await sleep(20);
    }
  }

  close(): void {
    this.subscriber.disconnect();
  }
}

/**
 * Keep-alive connections for the load generator: node:http rather than fetch, whose per-request
 * cost (undici) would otherwise be charged to the pipeline on this shared machine. Idle sockets are
 * closed after 4 s, before the api's 5 s keep-alive timeout: reusing one the server is closing
 * would fail a request that never reached it.
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: 256, timeout: 4000 });

/** Why POSTs failed (status or error), with counts: printed with the results. */
const postFailures = new Map<string, number>();
const failed = (reason: string): null => {
  postFailures.set(reason, (postFailures.get(reason) ?? 0) + 1);
  return null;
};

/** The submission's id, or null when it was refused or the request failed (counted as errors). */
function post(apiUrl: string, student: Student): Promise<string | null> {
  const body = JSON.stringify({ taskId: TASK });
  return new Promise((done) => {
    const request = http.request(
      `${apiUrl}/api/v1/submissions`,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${student.token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          try {
            const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
              id?: string;
              error?: string;
            };
            done(
              response.statusCode === 202 && parsed.id
                ? parsed.id
                : failed(`HTTP ${response.statusCode} ${parsed.error ?? ''}`),
            );
          } catch {
            done(failed(`HTTP ${response.statusCode} (not JSON)`));
          }
        });
        response.on('error', (error) => done(failed(error.message)));
      },
    );
    request.on('error', (error) => done(failed(error.message)));
    request.end(body);
  });
}

interface Rate {
  count: number;
  seconds: number;
  perSecond: number;
  errors: number;
}

interface Latency {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

interface Steady {
  rate: number;
  seconds: number;
  sent: number;
  errors: number;
  achievedPerSecond: number;
  latency: Latency;
  /** Pipeline only: how long the POST itself took. */
  postLatency?: Latency;
}

async function pipelineThroughput(apiUrl: string, events: GradedEvents, students: Student[]): Promise<Rate> {
  const ids: string[] = [];
  let next = 0;
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < students.length) {
        const id = await post(apiUrl, students[next++]!);
        if (id) ids.push(id);
        else errors += 1;
      }
    }),
  );
  await events.all(ids, 600_000);
  const last = Math.max(...ids.map((id) => events.at.get(id)!));
  const seconds = (last - started) / 1000;
  return { count: ids.length, seconds, perSecond: ids.length / seconds, errors };
}

/** Open loop: one request every 1000/rate ms whatever the responses, for `seconds`. */
async function openLoop(
  rate: number,
  seconds: number,
  send: (index: number) => Promise<void>,
): Promise<{ sent: number; elapsed: number }> {
  const interval = 1000 / rate;
  const total = Math.round(rate * seconds);
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let index = 0; index < total; index += 1) {
    const wait = started + index * interval - performance.now();
    if (wait > 1) await sleep(wait);
    pending.push(send(index));
  }
  const elapsed = (performance.now() - started) / 1000;
  await Promise.all(pending);
  return { sent: total, elapsed };
}

async function pipelineSteady(
  apiUrl: string,
  events: GradedEvents,
  students: Student[],
  rate: number,
): Promise<Steady> {
  const sentAt = new Map<string, number>();
  const postTimes: number[] = [];
  let errors = 0;
  const ramp = Math.round(rate * RAMP_SECONDS);
  const { sent, elapsed } = await openLoop(rate, RAMP_SECONDS + STEADY_SECONDS, async (index) => {
    const started = performance.now();
    const id = await post(apiUrl, students[index]!);
    if (index < ramp) return;
    postTimes.push(performance.now() - started);
    if (id) sentAt.set(id, started);
    else errors += 1;
  });
  const ids = [...sentAt.keys()];
  await events.all(ids, 600_000);
  return {
    rate,
    seconds: STEADY_SECONDS,
    sent: sent - ramp,
    errors,
    achievedPerSecond: sent / elapsed,
    latency: summary(ids.map((id) => events.at.get(id)! - sentAt.get(id)!)),
    postLatency: summary(postTimes),
  };
}

// ───────────────────────────── bare loop ─────────────────────────────

/** BullMQ `add` from this process, a trivial Worker in a child process (bare-worker.child.ts). */
class BareLoop {
  processed = 0;
  latencies: number[] = [];

  private constructor(
    private readonly queue: Queue,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (message: { type: string; processed?: number; latencies?: number[] }) => {
      if (message.type !== 'done') return;
      this.processed = message.processed!;
      this.latencies.push(...message.latencies!);
    });
  }

  static async start(redisUrl: string, prefix: string): Promise<BareLoop> {
    const child = spawnTs('bench/grading/bare-worker.child.ts', {
      REDIS_URL: redisUrl,
      BARE_PREFIX: prefix,
      BARE_CONCURRENCY: String(WORKER_CONCURRENCY),
    });
    await new Promise<void>((ready, fail) => {
      child.once('exit', (code) => fail(new Error(`bare worker exited with ${code}`)));
      child.on('message', (message: { type: string }) => {
        if (message.type === 'ready') ready();
      });
    });
    const url = new URL(redisUrl);
    const queue = new Queue('bare', {
      connection: { host: url.hostname, port: Number(url.port), maxRetriesPerRequest: null },
      prefix,
      defaultJobOptions: { removeOnComplete: { count: 1000 } },
    });
    return new BareLoop(queue, child);
  }

  private async waitFor(count: number): Promise<void> {
    while (this.processed < count) await sleep(5);
  }

  async throughput(jobs: number): Promise<Rate> {
    const base = this.processed;
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < jobs) {
          next += 1;
          await this.queue.add('bare', { t: Date.now() });
        }
      }),
    );
    await this.waitFor(base + jobs);
    const seconds = (performance.now() - started) / 1000;
    return { count: jobs, seconds, perSecond: jobs / seconds, errors: 0 };
  }

  async steady(rate: number): Promise<Steady> {
    const base = this.processed;
    this.latencies = [];
    const ramp = Math.round(rate * RAMP_SECONDS);
    const { sent, elapsed } = await openLoop(rate, RAMP_SECONDS + STEADY_SECONDS, async (index) => {
      // The consumer keeps no latency for the ramp's jobs.
      await this.queue.add('bare', index < ramp ? { t: Date.now(), ramp: true } : { t: Date.now() });
    });
    await this.waitFor(base + sent);
    await sleep(100); // the last batch of latencies
    return {
      rate,
      seconds: STEADY_SECONDS,
      sent: sent - ramp,
      errors: 0,
      achievedPerSecond: sent / elapsed,
      latency: summary(this.latencies),
    };
  }

  async stop(): Promise<void> {
    const exited = new Promise((done) => this.child.once('exit', done));
    this.child.send({ type: 'stop' });
    await this.queue.close();
    await exited;
  }
}

// ───────────────────────────── netpol matrix ─────────────────────────────

interface MatrixRuns {
  runs: { matrixMs: number; totalMs: number }[];
  line: string;
}

/** bench/netpol-matrix.ts three times (each a fresh process, so each compiles the policies anew). */
function netpolMatrix(): MatrixRuns {
  const runs: MatrixRuns['runs'] = [];
  let line = '';
  for (let run = 0; run < 3; run += 1) {
    const output = execFileSync(
      process.execPath,
      ['--import', resolve(here, '../register.js'), resolve(root, 'bench/netpol-matrix.ts')],
      { cwd: root, encoding: 'utf8' },
    );
    line = output.trim().split('\n').at(-1) ?? '';
    const matrix = /matrix ([\d.]+) ms/.exec(line);
    const total = /total ([\d.]+) ms/.exec(line);
    if (!matrix || !total) throw new Error(`unexpected netpol-matrix output: ${output}`);
    runs.push({ matrixMs: Number(matrix[1]), totalMs: Number(total[1]) });
  }
  return { runs, line };
}

// ───────────────────────────── report ─────────────────────────────

interface Results {
  at: string;
  settings: {
    students: number;
    inFlight: number;
    steadyRate: number;
    lowRate: number;
    steadySeconds: number;
    workerConcurrency: number;
    poolMax: number;
  };
  machine: ReturnType<typeof machine>;
  versions: { postgres: string; redis: string };
  load: { before: string; after: string };
  rounds: { bare: Rate; pipeline: Rate }[];
  bare: { steady: Steady; low: Steady };
  pipeline: {
    steady: Steady;
    low: Steady;
    cpuPerSubmission: { api: number; worker: number; postgres: number; redis: number; load: number };
  };
  matrix: MatrixRuns;
}

const fmt = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const met = (ok: boolean) => (ok ? 'met' : '**NOT met**');

function report(results: Results): string {
  const { bare, pipeline, matrix, machine: m, settings } = results;
  const ratios = results.rounds.map((round) => round.pipeline.perSecond / round.bare.perSecond);
  const median = [...ratios].sort((a, b) => a - b)[Math.floor(ratios.length / 2)]!;
  const medianRound = results.rounds[ratios.indexOf(median)]!;
  const ratio = median;
  const barePerSecond = medianRound.bare.perSecond;
  const matrixBest = Math.min(...matrix.runs.map((run) => run.totalMs));
  const cpu = pipeline.cpuPerSubmission;
  const totalCpu = cpu.api + cpu.worker + cpu.postgres + cpu.redis + cpu.load;
  const row = (name: string, steady: Steady) =>
    `| ${name} | ${fmt(steady.achievedPerSecond, 0)} | ${fmt(steady.latency.p50)} | ${fmt(steady.latency.p99)} | ${fmt(steady.latency.max)} | ${steady.errors} |`;
  return `<!-- grading:start -->
## Grading pipeline

Run: \`npm run bench:grading\` (bench/grading/run.ts) — ${results.at}.

A fresh database and a private redis-server; ${settings.students} students in ${COHORTS} cohorts, each with a ready
environment, spread over ${HOST_CLUSTERS} host clusters. The real api and the real worker run as processes of their own (from the
TypeScript sources, log level \`warn\`) with the test graders (\`GRADING_TEST_GRADERS=1\`, which needs \`NODE_ENV=test\`): the
grader task \`${TASK}\` is graded by a trivial grader, one \`k8s.object\` check answered at once by fake transports.
Every submission goes the whole way: POST (auth, rate limit) → one statement: submission row, outbox row,
\`submission.queued\` → NOTIFY after the commit → relay (LISTEN, \`FOR UPDATE SKIP LOCKED\`) → BullMQ → host-cluster slot
(Redis lease; the cluster named by the job) → claim with the environment read → grading → one transaction (shared by the gradings that finish together: group
commit): result, checks, progress (ProgressRecorder), questions (QuestionSolver), \`submission.graded\` → events published
on Redis. The hot path's SQL runs as named prepared statements (SqlClient), not through Prisma. Worker: \`WORKER_CONCURRENCY=${settings.workerConcurrency}\`,
\`GRADING_CONCURRENCY_PER_HOST_CLUSTER=${SLOTS_PER_HOST_CLUSTER}\` (the worker takes as many gradings at once as the host clusters have
slots); database pools of ${settings.poolMax}.

The bare loop: a BullMQ queue on the same Redis, \`add\` from the benchmark process and a \`Worker\` in a process of its own
with the same concurrency (${settings.workerConcurrency}) and a processor that does nothing. Throughput: ${settings.inFlight} requests (adds) in flight, in
${results.rounds.length} alternating rounds (bare, then pipeline) so that both loops of a round meet the same machine load; the ratio reported
is the median round's. Latency: a steady rate for ${settings.steadySeconds} s (open loop), measured after ${RAMP_SECONDS} s at that rate (the
pipeline has been idle through the bare loop's phases by then). Pipeline latency is submit-to-result, from sending
the POST to receiving \`submission.graded\` on the events channel; bare latency is add-to-processed. Errors are POSTs that were
refused or failed (an open loop above capacity ends in client connect timeouts).

| throughput round | bare jobs/s | pipeline submissions/s | pipeline / bare | jobs | submissions | pipeline errors |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
${results.rounds
  .map(
    (round, index) =>
      `| ${index + 1} | ${fmt(round.bare.perSecond, 0)} | ${fmt(round.pipeline.perSecond)} | ${fmt((100 * round.pipeline.perSecond) / round.bare.perSecond, 2)} % | ${round.bare.count} | ${round.pipeline.count} | ${round.pipeline.errors} |`,
  )
  .join('\n')}

| latency at a steady rate | sent /s | p50 ms | p99 ms | max ms | errors |
| --- | ---: | ---: | ---: | ---: | ---: |
${row(`bare, ${settings.steadyRate}/s`, bare.steady)}
${row(`grading pipeline, ${settings.steadyRate}/s`, pipeline.steady)}
${row(`bare, ${settings.lowRate}/s`, bare.low)}
${row(`grading pipeline, ${settings.lowRate}/s`, pipeline.low)}

- **Pipeline / bare throughput: ${fmt(ratio * 100, 2)} %** (median of ${ratios.length} rounds: ${fmt(medianRound.pipeline.perSecond)} against ${fmt(barePerSecond, 0)}/s; target ≥ ${Math.round(TARGETS.ratio * 100)} %): ${met(ratio >= TARGETS.ratio)}.
- **Submit-to-result p99 at ${settings.steadyRate}/s: ${fmt(pipeline.steady.latency.p99)} ms** (target < ${TARGETS.p99Ms} ms): ${met(pipeline.steady.latency.p99 < TARGETS.p99Ms)}.
  The POST alone: p50 ${fmt(pipeline.steady.postLatency!.p50)} ms, p99 ${fmt(pipeline.steady.postLatency!.p99)} ms.
  At ${settings.lowRate}/s: p50 ${fmt(pipeline.low.latency.p50)} ms, p99 ${fmt(pipeline.low.latency.p99)} ms (POST p99 ${fmt(pipeline.low.postLatency!.p99)} ms).
- CPU per submission during the throughput rounds: api ${fmt(cpu.api)} ms, worker ${fmt(cpu.worker)} ms, PostgreSQL backends
  ${fmt(cpu.postgres)} ms, Redis ${fmt(cpu.redis)} ms, the load generator ${fmt(cpu.load)} ms — ${fmt(totalCpu)} ms in all, against
  ${fmt((1000 * m.nproc) / barePerSecond, 2)} ms of machine time per bare job. With ${m.nproc} cores and nothing else running,
  ${fmt(totalCpu)} ms caps the pipeline near ${fmt((1000 * m.nproc) / totalCpu, 0)} submissions/s
  (${fmt((100 * (1000 * m.nproc)) / totalCpu / barePerSecond, 1)} % of this bare loop): on this machine the ratio is set by CPU per
  submission, as every process of both loops shares the same ${m.nproc} cores. What a submission costs: the POST is the
  context read (with the student's environment) and one insert statement with \`submission.queued\` (2 round trips to
  PostgreSQL, 2 to Redis: the rate limit and the event; the account check and the activity mark need none); the relay
  moves rows in batches of up to 200, 5 ms apart under load (one UPDATE ... RETURNING and one queue add per batch); the
  grading is the host-cluster slot (two Redis round trips, none when the worker still holds one released a moment ago),
  the claim with the environment read, and its share of a group-committed transaction (for all the gradings it writes
  together: BEGIN, one statement for the results with their checks and the enrolment locks, one for QuestionSolver,
  ProgressRecorder's one read and one write, one for the events of every cohort, COMMIT).
- **NetworkPolicy matrix, 200 pods × 100 policies × 4 ports: ${fmt(matrixBest)} ms** compile + matrix, best of ${matrix.runs.length}
  (runs: ${matrix.runs.map((run) => `${fmt(run.totalMs)} ms`).join(', ')}; target < ${TARGETS.matrixMs} ms): ${met(matrixBest < TARGETS.matrixMs)}.
  Last run: \`${matrix.line}\`

Machine:

- \`nproc\`: ${m.nproc}
- CPU: ${m.cpu}
- Node: ${m.node}
- PostgreSQL: ${results.versions.postgres}, Redis: ${results.versions.redis}; all on this machine, with the load generator
- Load average (1 min) before the run: ${results.load.before}, after: ${results.load.after}
- \`free -h\`:

\`\`\`
${m.free}
\`\`\`
<!-- grading:end -->
`;
}

// ───────────────────────────── main ─────────────────────────────

const loadavg = () => os.loadavg()[0]!.toFixed(2);
const dbName = `kc_bench_grading_${Date.now().toString(36)}_${randomBytes(2).toString('hex')}`;
const dbUrl = new URL(ADMIN_URL);
dbUrl.pathname = `/${dbName}`;
const DATABASE_URL = dbUrl.toString();
const PREFIX = `kc-bench-grading-${randomBytes(3).toString('hex')}`;
let redis: PrivateRedis | undefined;
let prisma: PrismaService | undefined;

async function main(): Promise<void> {
  const loadBefore = loadavg();
  redis = await PrivateRedis.start();
  await admin(`CREATE DATABASE "${dbName}"`);
  await migrateDeploy({
    connectionString: DATABASE_URL,
    migrationsDir: resolve(root, 'prisma/migrations'),
    onApplied: () => undefined,
    onWarning: () => undefined,
  });
  prisma = new PrismaService({ url: DATABASE_URL, poolMax: 4 });
  const steadyCount = Math.round(STEADY_RATE * (RAMP_SECONDS + STEADY_SECONDS));
  const lowCount = Math.round(LOW_RATE * (RAMP_SECONDS + STEADY_SECONDS));
  const perRound = Math.round(THROUGHPUT_SUBMISSIONS / ROUNDS);
  const students = await seed(prisma, WARMUP + perRound * ROUNDS + steadyCount + lowCount);
  const postgres = (
    await prisma.$queryRaw<{ v: string }[]>`SELECT current_setting('server_version') AS v`
  )[0]!.v;
  const info = new Redis(redis.url);
  const redisVersion = /redis_version:(\S+)/.exec(await info.info('server'))?.[1] ?? '?';
  info.disconnect();

  const [apiPort, healthPort] = [await freePort(), await freePort()];
  const common = {
    NODE_ENV: 'test',
    DATABASE_URL,
    DATABASE_POOL_MAX: String(POOL_MAX),
    REDIS_URL: redis.url,
    REDIS_PREFIX: PREFIX,
    LOG_LEVEL: 'warn',
    ENCRYPTION_KEYS,
  };
  const api = spawnTs('apps/api/src/main.ts', {
    ...common,
    PORT: String(apiPort),
    HOST: '127.0.0.1',
    JWT_SECRET,
    ACCESS_TOKEN_TTL_SECONDS: '86400',
    COOKIE_SECURE: 'false',
    SUBMISSION_RATE_LIMIT: '1000',
  });
  const worker = spawnTs('apps/worker/src/main.ts', {
    ...common,
    HEALTH_PORT: String(healthPort),
    WORKER_QUEUES: 'grading',
    WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
    GRADING_CONCURRENCY_PER_HOST_CLUSTER: String(SLOTS_PER_HOST_CLUSTER),
    GRADING_TEST_GRADERS: '1',
  });
  await Promise.all([waitReady(apiPort, '/readyz', api), waitReady(healthPort, '/readyz', worker)]);
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const events = await GradedEvents.listen(redis.url, `${PREFIX}:events`);
  log('api and worker ready');

  let cursor = 0;
  const take = (count: number) => students.slice(cursor, (cursor += count));
  const warm = await pipelineThroughput(apiUrl, events, take(WARMUP));
  log(`warm-up: ${warm.count} submissions, ${fmt(warm.perSecond)}/s`);

  const bare = await BareLoop.start(redis.url, `${PREFIX}-bare`);
  await bare.throughput(2000); // warm-up
  // Alternating rounds: on a shared machine the load changes between runs; each round's ratio
  // compares the two loops under (nearly) the same conditions, and the median round is reported.
  const rounds: { bare: Rate; pipeline: Rate }[] = [];
  let cpu = { api: 0, worker: 0, postgres: 0, redis: 0, load: 0 };
  const loadCpuMs = () => {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1000;
  };
  for (let round = 0; round < ROUNDS; round += 1) {
    const bareRound = await bare.throughput(Math.round(BARE_JOBS / ROUNDS));
    const before = {
      api: cpuMs(api.pid),
      worker: cpuMs(worker.pid),
      postgres: await postgresCpuMs(prisma),
      redis: cpuMs(redis.pid),
      load: loadCpuMs(),
    };
    const pipelineRound = await pipelineThroughput(apiUrl, events, take(perRound));
    cpu = {
      api: cpu.api + cpuMs(api.pid) - before.api,
      worker: cpu.worker + cpuMs(worker.pid) - before.worker,
      postgres: cpu.postgres + (await postgresCpuMs(prisma)) - before.postgres,
      redis: cpu.redis + cpuMs(redis.pid) - before.redis,
      load: cpu.load + loadCpuMs() - before.load,
    };
    rounds.push({ bare: bareRound, pipeline: pipelineRound });
    log(
      `round ${round + 1}: bare ${fmt(bareRound.perSecond, 0)} jobs/s, pipeline ${fmt(pipelineRound.perSecond)} submissions/s (${pipelineRound.errors} errors)`,
    );
  }
  const submitted = rounds.reduce((sum, round) => sum + round.pipeline.count, 0);
  const cpuPerSubmission = {
    api: cpu.api / submitted,
    worker: cpu.worker / submitted,
    postgres: cpu.postgres / submitted,
    redis: cpu.redis / submitted,
    load: cpu.load / submitted,
  };
  log(
    `CPU per submission: api ${fmt(cpuPerSubmission.api)} ms, worker ${fmt(cpuPerSubmission.worker)} ms, PostgreSQL ${fmt(cpuPerSubmission.postgres)} ms, Redis ${fmt(cpuPerSubmission.redis)} ms, load generator ${fmt(cpuPerSubmission.load)} ms`,
  );

  const bareSteady = await bare.steady(STEADY_RATE);
  const bareLow = await bare.steady(LOW_RATE);
  log(
    `bare at ${STEADY_RATE}/s: p50 ${fmt(bareSteady.latency.p50)} ms, p99 ${fmt(bareSteady.latency.p99)} ms`,
  );
  await bare.stop();
  const pipelineSteadyRun = await pipelineSteady(apiUrl, events, take(steadyCount), STEADY_RATE);
  log(
    `pipeline at ${STEADY_RATE}/s: p50 ${fmt(pipelineSteadyRun.latency.p50)} ms, p99 ${fmt(pipelineSteadyRun.latency.p99)} ms (${pipelineSteadyRun.errors} errors)`,
  );
  await sleep(2000);
  const pipelineLow = await pipelineSteady(apiUrl, events, take(lowCount), LOW_RATE);
  log(
    `pipeline at ${LOW_RATE}/s: p50 ${fmt(pipelineLow.latency.p50)} ms, p99 ${fmt(pipelineLow.latency.p99)} ms`,
  );
  events.close();

  const graded = await prisma.submission.groupBy({ by: ['status'], _count: true });
  log(`submissions by status: ${graded.map((entry) => `${entry.status} ${entry._count}`).join(', ')}`);
  if (postFailures.size > 0)
    log(
      `refused or failed POSTs: ${[...postFailures].map(([reason, count]) => `${reason} x${count}`).join(', ')}`,
    );
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(
    children
      .filter((child) => child.exitCode === null)
      .map((child) => new Promise((done) => child.once('exit', done))),
  );

  const matrix = netpolMatrix();
  log(`netpol matrix: ${matrix.runs.map((run) => `${fmt(run.totalMs)} ms`).join(', ')}`);

  const results: Results = {
    at: new Date().toISOString(),
    settings: {
      students: students.length,
      inFlight: IN_FLIGHT,
      steadyRate: STEADY_RATE,
      lowRate: LOW_RATE,
      steadySeconds: STEADY_SECONDS,
      workerConcurrency: WORKER_CONCURRENCY,
      poolMax: POOL_MAX,
    },
    machine: machine(),
    versions: { postgres, redis: redisVersion },
    load: { before: loadBefore, after: loadavg() },
    rounds,
    bare: { steady: bareSteady, low: bareLow },
    pipeline: { steady: pipelineSteadyRun, low: pipelineLow, cpuPerSubmission },
    matrix,
  };
  mkdirSync(resolve(root, 'bench/results'), { recursive: true });
  writeFileSync(resolve(root, `bench/results/grading-${Date.now()}.json`), JSON.stringify(results, null, 2));
  const section = report(results);
  if (process.env.BENCH_NO_DOCS !== '1') await writeBenchmarksSection('grading', section);
  console.log(section);
}

try {
  await main();
} finally {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await prisma?.onApplicationShutdown().catch(() => undefined);
  await redis?.stop();
  if (process.env.BENCH_KEEP_DB !== '1') {
    await admin(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch(() => undefined);
  }
}
process.exit(0);
