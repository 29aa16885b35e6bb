import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client.js';

export interface DatabaseOptions {
  url: string;
  /** Connection pool size per process. */
  poolMax?: number;
}

export const DATABASE_OPTIONS = Symbol('DATABASE_OPTIONS');

/**
 * The one Prisma client of a process, on the pg driver adapter (no native query engine).
 * Repositories in this lib are its only users.
 */
@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  constructor(@Inject(DATABASE_OPTIONS) options: DatabaseOptions) {
    super({
      adapter: new PrismaPg({
        connectionString: options.url,
        max: options.poolMax ?? 10,
        // Fail fast instead of queueing forever when PostgreSQL is gone; /readyz reports it.
        connectionTimeoutMillis: 3000,
      }),
    });
  }

  /** After every module's destroy hook, so in-flight work that still writes can finish first. */
  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
  }

  /** Cheap liveness probe of the database for readiness checks. */
  async ping(): Promise<void> {
    await this.$queryRaw`SELECT 1`;
  }
}
