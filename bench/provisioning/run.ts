/**
 * Provisioning benchmark: `npm run build && npm run bench:provisioning`.
 *
 * In a fresh database, on the running Redis (a private key prefix), the built api and worker (real
 * processes, as in test/environments*.test.ts) against the fake Kubernetes API server with
 * BENCH_LATENCY_MS added to every call. Measures:
 *
 *  1. allocation: BENCH_STUDENTS students ask for their environment at the same moment
 *     (`POST /me/environment`): the total time until every one is ready, the platform overhead per
 *     allocation (the request: enrollment, budget, placement under the host-cluster lock, insert,
 *     event, enqueue), and the Kubernetes API calls per second the worker made (peak 1-second window,
 *     against KUBE_CLIENT_QPS);
 *  2. warm-pool claims: with a pool of BENCH_POOL ready environments, as many students ask at once:
 *     end to end (request sent -> 202 with a ready environment) and the database claim alone
 *     (`claimPooled` in its transaction, BENCH_POOL concurrent claims from this process).
 * Writes the figures to docs/benchmarks.md (## Provisioning) and the raw numbers to bench/results/.
 *
 * Knobs (env): BENCH_STUDENTS (200), BENCH_LATENCY_MS (30), BENCH_POOL (50), KUBE_CLIENT_QPS (100),
 * WORKER_CONCURRENCY (32), BENCH_NO_DOCS=1, BENCH_KEEP_DB=1 (KC_KEEP_TEST_DB).
 */
import 'reflect-metadata';
import { AccessTokens } from '@kubecohort/auth';
import { CurriculumSeeder } from '@kubecohort/curriculum';
import { PrismaService } from '@kubecohort/database';
import { claimPooled } from '@kubecohort/environments';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SecretBox } from '@kubecohort/auth';
import { parseEncryptionKeys } from '@kubecohort/environments';
import { createEnvDatabase } from '../../test/support/env-database.js';
import {
  call,
  FakeHostCluster,
  privateRedisPrefix,
  startApi,
  startWorker,
  TEST_ENCRYPTION_KEYS,
} from '../../test/support/env-harness.js';
import { assertBuilt, type RunningProcess } from '../../test/support/processes.js';
import { knob, machine, summary, writeBenchmarksSection } from '../support.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const STUDENTS = knob('BENCH_STUDENTS', 200);
const LATENCY_MS = knob('BENCH_LATENCY_MS', 30);
const POOL = knob('BENCH_POOL', 50);
const QPS = knob('KUBE_CLIENT_QPS', 100);
const WORKER_CONCURRENCY = knob('WORKER_CONCURRENCY', 32);
const JWT_SECRET = randomBytes(32).toString('base64url');
/** Allocations before the measured burst: a cold api compiles its queries on the first requests. */
const WARM_UP = 10;
const TARGETS = { claimP99Ms: 1000, overheadMs: 50 };

const log = (message: string) => console.log(`[bench:provisioning] ${message}`);
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

interface Student {
  id: string;
  token: string;
}

async function seed(
  prisma: PrismaService,
  kubeconfig: string,
): Promise<{
  warmUp: Student[];
  allocate: Student[];
  claim: Student[];
  dbClaim: Student[];
  dbClaimCohortId: string;
}> {
  const { versionId } = await new CurriculumSeeder(prisma).seed();
  const box = new SecretBox(parseEncryptionKeys(TEST_ENCRYPTION_KEYS));
  // Two host clusters (the same fake API server behind both): placement spreads over them.
  for (const name of ['bench-a', 'bench-b']) {
    await prisma.hostCluster.create({
      data: {
        name,
        region: 'bench',
        apiServerUrl: 'http://127.0.0.1',
        kubeconfigEncrypted: box.encrypt(kubeconfig),
        capacityEnvironments: 100_000,
        capacityCpuMillis: 1_000_000_000,
        capacityMemoryMib: 1_000_000_000,
      },
    });
  }
  const tokens = new AccessTokens({
    jwtSecret: JWT_SECRET,
    issuer: 'kubecohort',
    accessTokenTtlSeconds: 86400,
    refreshTokenTtlSeconds: 86400,
  });
  const cohort = async (name: string, count: number): Promise<Student[] & { cohortId?: string }> => {
    const created = await prisma.cohort.create({
      data: { name, status: 'active', curriculumVersionId: versionId },
    });
    const users = Array.from({ length: count }, (_, index) => ({
      id: randomUUID(),
      role: 'student' as const,
      displayName: `${name} student ${index + 1}`,
      email: `bench-${randomUUID()}@bench.dev`,
    }));
    await prisma.user.createMany({ data: users });
    await prisma.enrollment.createMany({
      data: users.map((user) => ({
        cohortId: created.id,
        userId: user.id,
        activeUserId: user.id,
        status: 'active' as const,
      })),
    });
    const list: Student[] & { cohortId?: string } = await Promise.all(
      users.map(async (user) => ({ id: user.id, token: await tokens.sign(user.id, 'student') })),
    );
    list.cohortId = created.id;
    return list;
  };
  const dbClaim = await cohort('Bench database claims', POOL);
  return {
    warmUp: await cohort('Bench warm-up', WARM_UP),
    allocate: await cohort('Bench allocation', STUDENTS),
    claim: await cohort('Bench claims', POOL),
    dbClaim,
    dbClaimCohortId: dbClaim.cohortId!,
  };
}

async function waitUntil(what: string, done: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Requests per 1-second window (from the fake's request log), excluding watches. */
function callsPerSecond(
  requests: readonly { timestamp: number; watch?: boolean }[],
  from: number,
  to: number,
) {
  const windows = new Map<number, number>();
  for (const request of requests) {
    if (request.watch || request.timestamp < from || request.timestamp > to) continue;
    const second = Math.floor((request.timestamp - from) / 1000);
    windows.set(second, (windows.get(second) ?? 0) + 1);
  }
  const counts = [...windows.values()];
  const seconds = Math.max(1, (to - from) / 1000);
  return {
    total: counts.reduce((a, b) => a + b, 0),
    peak: Math.max(0, ...counts),
    mean: Math.round((counts.reduce((a, b) => a + b, 0) / seconds) * 10) / 10,
  };
}

async function main(): Promise<void> {
  assertBuilt();
  const started = new Date();
  const loadBefore = os.loadavg()[0]!.toFixed(2);
  const db = await createEnvDatabase('bench');
  const prisma = new PrismaService({ url: db.url, poolMax: 20 });
  const host = await FakeHostCluster.start({ helmReleaseReadyDelayMs: 150, podReadyDelayMs: 50 });
  const processes: RunningProcess[] = [];
  const redisPrefix = privateRedisPrefix();
  const shared = {
    KUBE_CLIENT_QPS: String(QPS),
    DATABASE_POOL_MAX: '20',
  };
  try {
    const students = await seed(prisma, host.kubeconfig());
    host.server.faults.latency(LATENCY_MS);
    const api = await startApi({ databaseUrl: db.url, redisPrefix, jwtSecret: JWT_SECRET, env: shared });
    processes.push(api.api);
    const workerEnv = {
      ...shared,
      WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
      ENV_RECONCILE_INTERVAL_SECONDS: '60',
    };
    let worker = await startWorker({ databaseUrl: db.url, redisPrefix, env: workerEnv });
    processes.push(worker);

    // ── warm-up: a few allocations one after the other, until ready (api and worker both warm) ──
    const warm: string[] = [];
    const alone: number[] = [];
    for (const student of students.warmUp) {
      const sent = performance.now();
      const res = await call(api.url, 'POST', '/api/v1/me/environment', { token: student.token });
      alone.push(performance.now() - sent);
      warm.push(res.body.id as string);
    }
    await waitUntil(
      'the warm-up environments',
      async () =>
        (await prisma.environment.count({ where: { id: { in: warm }, state: 'ready' } })) === warm.length,
      5 * 60_000,
    );

    // ── 1. allocation: everyone at once ──
    log(
      `${STUDENTS} students ask at once (${LATENCY_MS} ms per Kubernetes call, ${QPS} qps per host cluster)`,
    );
    host.server.clearRequests();
    const t0 = Date.now();
    const answers = await Promise.all(
      students.allocate.map(async (student) => {
        const sent = performance.now();
        const res = await call(api.url, 'POST', '/api/v1/me/environment', { token: student.token });
        return { status: res.status, id: res.body?.id as string, ms: performance.now() - sent };
      }),
    );
    const allAnswered = Date.now();
    const failed = answers.filter((a) => a.status !== 202);
    if (failed.length > 0) throw new Error(`${failed.length} requests failed: ${JSON.stringify(failed[0])}`);
    const ids = answers.map((a) => a.id);
    await waitUntil(
      'every environment ready',
      async () =>
        (await prisma.environment.count({ where: { id: { in: ids }, state: 'ready' } })) === ids.length,
      30 * 60_000,
    );
    const t1 = Date.now();
    const bad = await prisma.environment.count({ where: { id: { in: ids }, state: { not: 'ready' } } });
    const calls = callsPerSecond(host.server.requests, t0, t1);
    const allocation = {
      students: STUDENTS,
      totalSeconds: Math.round((t1 - t0) / 100) / 10,
      request: summary(
        answers.map((a) => a.ms),
        1,
      ),
      /** One allocation on its own (the warm-up's second half: a cold api compiles its queries first). */
      uncontended: summary(alone.slice(Math.floor(alone.length / 2)), 1),
      /** The allocations are serialized (host-cluster lock): the burst's wall time over its size. */
      overheadPerAllocationMs: Math.round(((allAnswered - t0) / STUDENTS) * 10) / 10,
      notReady: bad,
      kubernetes: { ...calls, perEnvironment: Math.round((calls.total / STUDENTS) * 10) / 10 },
    };
    log(`allocation: ${JSON.stringify(allocation)}`);

    // ── 2. warm pool ──
    await worker.stop('SIGTERM');
    processes.splice(processes.indexOf(worker), 1);
    worker = await startWorker({
      databaseUrl: db.url,
      redisPrefix,
      env: {
        ...workerEnv,
        ENV_POOL_MIN: String(POOL),
        ENV_POOL_MAX: String(POOL),
        ENV_POOL_REFILL_INTERVAL_SECONDS: '1',
      },
    });
    processes.push(worker);
    const readyPool = () => prisma.environment.count({ where: { pooled: true, state: 'ready' } });
    await waitUntil('a full pool', async () => (await readyPool()) >= POOL, 30 * 60_000);
    log(`pool of ${POOL} ready; ${POOL} students ask at once`);
    const claims = await Promise.all(
      students.claim.map(async (student) => {
        const sent = performance.now();
        const res = await call(api.url, 'POST', '/api/v1/me/environment', { token: student.token });
        return { status: res.status, state: res.body?.state as string, ms: performance.now() - sent };
      }),
    );
    const notClaimed = claims.filter((c) => c.status !== 202 || c.state !== 'ready').length;
    // The database claim alone, as many at once, once the pool is full again.
    await waitUntil('the pool refilled', async () => (await readyPool()) >= POOL, 30 * 60_000);
    await worker.stop('SIGTERM');
    processes.splice(processes.indexOf(worker), 1);
    const dbClaims = await Promise.all(
      students.dbClaim.map(async (student) => {
        const sent = performance.now();
        const claimed = await prisma.$transaction((tx) =>
          claimPooled(tx, { cohortId: students.dbClaimCohortId, userId: student.id, now: new Date() }),
        );
        return { ms: performance.now() - sent, id: claimed?.id ?? null };
      }),
    );
    const distinct = new Set(dbClaims.map((c) => c.id).filter(Boolean)).size;
    const pool = {
      size: POOL,
      endToEnd: summary(
        claims.map((c) => c.ms),
        1,
      ),
      notReadyAtOnce: notClaimed,
      database: summary(
        dbClaims.map((c) => c.ms),
        1,
      ),
      distinctClaimed: distinct,
    };
    log(`pool: ${JSON.stringify(pool)}`);

    const results = {
      at: started.toISOString(),
      knobs: { STUDENTS, LATENCY_MS, POOL, QPS, WORKER_CONCURRENCY },
      allocation,
      pool,
      machine: machine(),
      load: { before: loadBefore, after: os.loadavg()[0]!.toFixed(2) },
    };
    mkdirSync(resolve(root, 'bench/results'), { recursive: true });
    writeFileSync(
      resolve(root, `bench/results/provisioning-${Date.now()}.json`),
      JSON.stringify(results, null, 2),
    );
    if (process.env.BENCH_NO_DOCS !== '1') await writeBenchmarksSection('provisioning', section(results));
    const verdict = [
      `pool claim p99 ${pool.endToEnd.p99} ms (target < ${TARGETS.claimP99Ms})`,
      `overhead per allocation ${allocation.overheadPerAllocationMs} ms (target < ${TARGETS.overheadMs})`,
    ];
    log(verdict.join('; '));
  } finally {
    await Promise.all(processes.map((p) => p.stop('SIGTERM')));
    await prisma.$disconnect();
    await host.stop();
    await db.drop();
  }
}

type Results = {
  at: string;
  knobs: { STUDENTS: number; LATENCY_MS: number; POOL: number; QPS: number; WORKER_CONCURRENCY: number };
  allocation: {
    students: number;
    totalSeconds: number;
    request: ReturnType<typeof summary>;
    overheadPerAllocationMs: number;
    uncontended: ReturnType<typeof summary>;
    notReady: number;
    kubernetes: { total: number; peak: number; mean: number; perEnvironment: number };
  };
  pool: {
    size: number;
    endToEnd: ReturnType<typeof summary>;
    notReadyAtOnce: number;
    database: ReturnType<typeof summary>;
    distinctClaimed: number;
  };
  machine: ReturnType<typeof machine>;
  load: { before: string; after: string };
};

function section(r: Results): string {
  const a = r.allocation;
  const p = r.pool;
  /** Both host clusters' client QPS together, and whether the busiest second kept within it. */
  const ceiling = 2 * r.knobs.QPS;
  const withinCeiling = a.kubernetes.peak <= ceiling;
  const m = r.machine;
  return `<!-- provisioning:start -->

## Provisioning

Run: \`npm run build && npm run bench:provisioning\` (bench/provisioning/run.ts) — ${r.at}.

The built api and worker (WORKER_CONCURRENCY=${r.knobs.WORKER_CONCURRENCY}, KUBE_CLIENT_QPS=${r.knobs.QPS}) on a fresh
database, against the fake Kubernetes API server with ${r.knobs.LATENCY_MS} ms added to every call, behind two
registered host clusters.

**Allocation**: ${a.students} students ask for their environment at the same moment.

| measure | value |
| --- | --- |
| all ${a.students} ready after | ${a.totalSeconds} s |
| platform overhead per allocation: the burst's wall time until the last 202, over ${a.students} (allocations are serialized by the host-cluster lock) | ${a.overheadPerAllocationMs} ms |
| one allocation request on its own (no burst), p50 / max | ${a.uncontended.p50} / ${a.uncontended.max} ms |
| request latency in the burst (auth, budget, placement, insert, event, enqueue), p50 / p99 / max | ${a.request.p50} / ${a.request.p99} / ${a.request.max} ms |
| Kubernetes API calls (watches excluded) | ${a.kubernetes.total} (${a.kubernetes.perEnvironment} per environment) |
| calls per second, both host clusters: mean / peak 1-second window | ${a.kubernetes.mean} / ${a.kubernetes.peak} (ceiling: client QPS ${r.knobs.QPS} per host cluster, ${ceiling}/s together: ${withinCeiling ? 'met' : '**NOT met**'}) |
| not ready at the end | ${a.notReady} |

**Warm pool**: ${p.size} ready pool environments, ${p.size} students ask at once.

| measure | p50 | p99 | max |
| --- | --- | --- | --- |
| end to end (request sent -> 202 with a ready environment) | ${p.endToEnd.p50} ms | ${p.endToEnd.p99} ms | ${p.endToEnd.max} ms |
| database claim (\`claimPooled\` transaction, ${p.size} concurrent) | ${p.database.p50} ms | ${p.database.p99} ms | ${p.database.max} ms |

Students who did not get a ready environment at once: ${p.notReadyAtOnce}; distinct environments in the concurrent
database claims: ${p.distinctClaimed} of ${p.size}.

Targets: pool claim p99 under ${TARGETS.claimP99Ms} ms end to end (${p.endToEnd.p99 < TARGETS.claimP99Ms ? 'met' : 'not met'});
overhead per allocation under ${TARGETS.overheadMs} ms (${a.overheadPerAllocationMs < TARGETS.overheadMs ? 'met' : 'not met'}); peak Kubernetes calls in any
1-second window within the client QPS of the host clusters (${withinCeiling ? 'met' : 'not met'}: the worker's limiter lets at most
KUBE_CLIENT_QPS requests per host cluster into any 1.1 s). The machine is shared: compare the
load average below with its ${'`nproc`'} before reading much into a run.

Machine: \`nproc\` ${m.nproc}, ${m.cpu}, Node ${m.node}; PostgreSQL, Redis, the fake API server, the api and the
worker all on this machine. Load average (1 min) before: ${r.load.before}, after: ${r.load.after}.

\`\`\`
${m.free}
\`\`\`
<!-- provisioning:end -->
`;
}

await main();
