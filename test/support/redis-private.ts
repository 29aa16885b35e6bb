import { RedisConnection } from '@kubecohort/queue';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

export type ScratchRedis = RedisConnection & { close(): Promise<void> };

/**
 * A RedisConnection to the machine's Redis under a key prefix of its own (`kc-<name>-<uuid>`), for
 * a suite that tests a Redis-backed class. `close` deletes the suite's keys and disconnects.
 */
export async function scratchRedis(name: string): Promise<ScratchRedis> {
  const redis = new RedisConnection({
    url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    prefix: `kc-${name}-${randomUUID()}`,
  });
  await redis.onModuleInit();
  return Object.assign(redis, {
    async close(): Promise<void> {
      const keys = await redis.client.keys(`${redis.settings.prefix}:*`);
      if (keys.length > 0) await redis.client.del(...keys);
      redis.onApplicationShutdown();
    },
  });
}

/** A free TCP port on 127.0.0.1 (bound once, then released). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * A redis-server of the test's own on a random port, without persistence: stopping it loses every
 * key (jobs included), which is what the crash test wants. `restart` starts it again on the same
 * port, empty.
 */
export class PrivateRedis {
  private process?: ChildProcess;
  private constructor(readonly port: number) {}

  /** The redis-server's process id while it runs (benchmarks read its CPU time). */
  get pid(): number | undefined {
    return this.process?.pid;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.restart();
    return redis;
  }

  async restart(): Promise<void> {
    if (this.process) throw new Error('redis-server is already running');
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    this.process = child;
    child.once('exit', () => {
      if (this.process === child) this.process = undefined;
    });
    const started = Date.now();
    for (;;) {
      const probe = new Redis(this.url, {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        await probe.ping();
        return;
      } catch {
        if (Date.now() - started > 10_000) throw new Error(`redis-server did not start on port ${this.port}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      } finally {
        probe.disconnect();
      }
    }
  }

  /** Stops the server (SIGKILL: no shutdown save, nothing survives). */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.process = undefined;
  }
}
