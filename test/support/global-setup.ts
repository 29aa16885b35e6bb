import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { execFileSync } from 'node:child_process';

/**
 * Every test run gets its own PostgreSQL database (migrated from prisma/migrations) and its own
 * Redis key prefix, so runs side by side never see each other's rows or jobs.
 * KC_TEST_NO_DB=1 skips this for pure unit runs.
 */
export default async function globalSetup(): Promise<void> {
  process.env.TZ = 'UTC';
  if (process.env.KC_TEST_NO_DB === '1') return;
  const admin = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const name = `kc_test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  process.env.DATABASE_URL = url.toString();
  process.env.KC_TEST_DATABASE = name;
  process.env.REDIS_PREFIX = `kc-test:${name}`;
  process.env.REDIS_URL ??= 'redis://127.0.0.1:6379';
  // The same migration runner production uses (tools/db), as a child process.
  execFileSync(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'tools/db/migrate-deploy.ts'], {
    env: { ...process.env, DATABASE_URL: url.toString() },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
