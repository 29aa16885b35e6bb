import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { quoteIdent, withDatabase } from './db-url.js';

/** Helpers for the tools/db specs, which bring their own databases (run with KC_TEST_NO_DB=1). */

export const TEST_ADMIN_URL =
  process.env.TEST_DATABASE_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export async function query<R extends pg.QueryResultRow = pg.QueryResultRow>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Databases created for one spec file, all dropped by `dropAll()`. */
export class TempDatabases {
  readonly prefix: string;
  private readonly names: string[] = [];

  constructor(label: string) {
    this.prefix = `kc_${label}_${randomBytes(3).toString('hex')}`;
  }

  async create(): Promise<string> {
    const name = `${this.prefix}_${this.names.length}`;
    await query(TEST_ADMIN_URL, `CREATE DATABASE ${quoteIdent(name)}`);
    this.names.push(name);
    return withDatabase(TEST_ADMIN_URL, name);
  }

  async dropAll(): Promise<void> {
    for (const name of this.names.splice(0)) {
      await query(TEST_ADMIN_URL, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    }
  }
}

/** Names of the server's databases starting with `prefix`. */
export async function databasesNamed(prefix: string): Promise<string[]> {
  const rows = await query<{ datname: string }>(
    TEST_ADMIN_URL,
    'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
    [prefix],
  );
  return rows.map((row) => row.datname);
}

/** A scratch folder in the OS temp dir, removed by `remove()`. */
export class ScratchDir {
  private constructor(readonly path: string) {}

  static async create(label: string): Promise<ScratchDir> {
    return new ScratchDir(await mkdtemp(path.join(os.tmpdir(), `kc-${label}-`)));
  }

  /** Writes `<dir>/<name>/migration.sql` for each entry (and the lock file). */
  async writeMigrations(dir: string, migrations: Record<string, string>): Promise<string> {
    const root = path.join(this.path, dir);
    await mkdir(root, { recursive: true });
    await writeFile(path.join(root, 'migration_lock.toml'), 'provider = "postgresql"\n');
    for (const [name, sql] of Object.entries(migrations)) {
      await mkdir(path.join(root, name), { recursive: true });
      await writeFile(path.join(root, name, 'migration.sql'), sql);
    }
    return root;
  }

  async remove(): Promise<void> {
    await rm(this.path, { recursive: true, force: true });
  }
}
