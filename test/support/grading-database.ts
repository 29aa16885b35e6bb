import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrateDeploy } from '../../tools/db/migrate.js';

/**
 * A migrated database of its own for a grading test. Every worker runs an outbox relay: workers
 * that other test files start against the run's shared database would take this test's outbox
 * rows into their own queues, so tests that grade through the relay use a database of their own.
 */
export interface PrivateDatabase {
  url: string;
  drop(): Promise<void>;
}

const ADMIN_URL = () =>
  process.env.TEST_DATABASE_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createPrivateDatabase(label: string): Promise<PrivateDatabase> {
  const name =
    `${process.env.KC_TEST_DATABASE ?? 'kc_test'}_${label}_${randomBytes(3).toString('hex')}`.slice(0, 63);
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(ADMIN_URL());
  url.pathname = `/${name}`;
  await migrateDeploy({
    connectionString: url.toString(),
    migrationsDir: 'prisma/migrations',
    onApplied: () => undefined,
    onWarning: () => undefined,
  });
  return {
    url: url.toString(),
    drop: async () => {
      if (process.env.KC_KEEP_TEST_DB === '1') return;
      await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}
