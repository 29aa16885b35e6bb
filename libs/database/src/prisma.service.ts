import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from './generated/prisma/client.js';

export interface DatabaseOptions {
  url: string;
  /** Connection pool size per process. */
  poolMax?: number;
}

export const DATABASE_OPTIONS = Symbol('DATABASE_OPTIONS');

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
  max: number;
}

/**
 * The one Prisma client of a process, on the pg driver adapter (no native query engine), over a
 * pool we own so its health can be measured and its errors handled. Repositories are its users.
 */
@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  private readonly pool: pg.Pool;

  constructor(@Inject(DATABASE_OPTIONS) private readonly options: DatabaseOptions) {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolMax ?? 10,
      // Bounded wait for a connection: long enough to ride out a saturated pool or machine, short
      // enough that a request fails (503) instead of hanging when PostgreSQL is gone. Readiness
      // has its own 2 s probe timeout, so /readyz still turns 503 within seconds.
      connectionTimeoutMillis: 10000,
      // Idle connections are kept for minutes, not seconds: a new one costs a backend start, cold
      // catalog caches and every named statement planned again, all at the moment load returns
      // (seen as half-second requests when a burst followed 30 s of quiet).
      idleTimeoutMillis: 300_000,
    });
    super({ adapter: new PrismaPg(pool) });
    this.pool = pool;
    // An idle connection dropped by the server (restart, failover) must not crash the process.
    const logger = new Logger(PrismaService.name);
    pool.on('error', (error) => logger.warn({ err: error.message }, 'idle PostgreSQL connection lost'));
  }

  /** The pg pool under the adapter, for SqlClient's prepared statements. */
  get pgPool(): pg.Pool {
    return this.pool;
  }

  poolStats(): PoolStats {
    return {
      total: this.pool.totalCount,
      idle: this.pool.idleCount,
      waiting: this.pool.waitingCount,
      max: this.options.poolMax ?? 10,
    };
  }

  /** Cheap liveness probe of the database for readiness checks. */
  async ping(): Promise<void> {
    await this.$queryRaw`SELECT 1`;
  }

  /** After every module's destroy hook, so in-flight work that still writes can finish first. */
  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
    await this.pool.end();
  }
}
