import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrateDeploy } from '../../tools/db/migrate.js';

/**
 * A migrated database of its own for the environment suites. Host cluster capacity is global
 * (allocation looks at every active host cluster), so other suites' host cluster rows in the run's
 * shared database would change where, and whether, environments get placed.
 */
export interface EnvDatabase {
  url: string;
  drop(): Promise<void>;
}

const adminUrl = () => process.env.TEST_DATABASE_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createEnvDatabase(label: string): Promise<EnvDatabase> {
  const name =
    `${process.env.KC_TEST_DATABASE ?? 'kc_test'}_env_${label}_${randomBytes(3).toString('hex')}`.slice(
      0,
      63,
    );
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl());
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
