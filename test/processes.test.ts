import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { testApiEnv } from './support/api-harness.js';
import { assertBuilt, DIST, RunningProcess } from './support/processes.js';

// Booting three real processes on a loaded 2-core CI machine can take a while.
jest.setTimeout(240_000);

/** The built processes, as an operator runs them. */
describe('processes: api, worker and bot boot, report health, and stop cleanly', () => {
  const started: RunningProcess[] = [];
  const base = () => ({
    DATABASE_URL: process.env.DATABASE_URL,
    REDIS_URL: process.env.REDIS_URL,
    REDIS_PREFIX: `${process.env.REDIS_PREFIX}:processes`,
    ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 3).toString('base64')}`,
    LOG_LEVEL: 'info',
  });

  beforeAll(() => assertBuilt());
  afterAll(async () => {
    await Promise.all(started.map((proc) => proc.stop('SIGKILL')));
  });

  it('api without DATABASE_URL prints one line naming it and exits non-zero', async () => {
    const env = testApiEnv();
    delete env.DATABASE_URL;
    const proc = RunningProcess.start(DIST.api, env);
    const code = await proc.exited;
    expect(code).not.toBe(0);
    const lines = proc.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/DATABASE_URL is required/);
  });

  it('names every invalid variable at once', async () => {
    const proc = RunningProcess.start(DIST.worker, {
      DATABASE_URL: 'mysql://x',
      WORKER_QUEUES: 'grading,nope',
      HEALTH_PORT: '99999',
    });
    expect(await proc.exited).not.toBe(0);
    expect(proc.stderr).toMatch(/DATABASE_URL/);
    expect(proc.stderr).toMatch(/WORKER_QUEUES/);
    expect(proc.stderr).toMatch(/HEALTH_PORT/);
    expect(proc.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('runs all three: each /readyz answers 200; SIGTERM stops each with exit 0', async () => {
    const api = RunningProcess.start(DIST.api, { ...testApiEnv(), ...base(), PORT: '0', HOST: '127.0.0.1' });
    started.push(api);
    const apiPort = await api.waitForLog(/api listening on http:\/\/127\.0\.0\.1:(\d+)/);

    const worker = RunningProcess.start(DIST.worker, { ...base(), HEALTH_PORT: '0' });
    started.push(worker);
    const workerPort = await worker.waitForLog(/worker ready \(health on :(\d+)\)/);

    const bot = RunningProcess.start(DIST.bot, {
      ...base(),
      HEALTH_PORT: '0',
      API_URL: `http://127.0.0.1:${apiPort}`,
    });
    started.push(bot);
    const botPort = await bot.waitForLog(/bot ready \(health on :(\d+)\)/);
    // Without a Discord token the bot says so once and idles.
    expect(bot.stdout.match(/DISCORD_TOKEN is not set/g)).toHaveLength(1);

    for (const port of [apiPort, workerPort, botPort]) {
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      // Readiness probes time out after 2 s; on a saturated machine the first ones may miss.
      let status = 0;
      for (let attempt = 0; attempt < 30 && status !== 200; attempt += 1) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 1000));
        status = (await fetch(`http://127.0.0.1:${port}/readyz`)).status;
      }
      expect(status).toBe(200);
    }
    // Structured JSON logs.
    const firstLine = api.stdout.split('\n').find((line) => line.startsWith('{'));
    expect(JSON.parse(firstLine!)).toMatchObject({ app: 'api', level: expect.any(Number) });

    for (const proc of [bot, worker, api]) expect(await proc.stop('SIGTERM')).toBe(0);
  });
});
