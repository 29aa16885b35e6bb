import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import {
  migrateDeploy,
  MigrationError,
  migrationStatus,
  PRISMA_ADVISORY_LOCK_KEY,
  resolveMigration,
} from './migrate.js';
import { readMigrationsFolder } from './migration-files.js';
import { toMigrationList, withSchemaEngine } from './schema-engine.js';
import { query, ScratchDir, TempDatabases, TEST_ADMIN_URL } from './test-support.js';

// Real PostgreSQL: every test gets its own database and its own migrations folder.
const databases = new TempDatabases('migspec');
let scratch: ScratchDir;

beforeAll(async () => {
  scratch = await ScratchDir.create('migrate-spec');
});

afterAll(async () => {
  await databases.dropAll();
  await scratch.remove();
});

const quiet = { onWarning: () => undefined };
const NO_FILTER = { externalTables: [], externalEnums: [] };

interface Row {
  id: string;
  checksum: string;
  migration_name: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
  applied_steps_count: number;
}

const rowsOf = (url: string) =>
  query<Row>(url, 'SELECT * FROM _prisma_migrations ORDER BY started_at, migration_name');

const THREE = {
  '20260101000000_create_items': 'CREATE TABLE items (id serial PRIMARY KEY, label text NOT NULL);\n',
  '20260102000000_add_price': 'ALTER TABLE items ADD COLUMN price integer NOT NULL DEFAULT 0;\n',
  '20260103000000_seed': "INSERT INTO items (label, price) VALUES ('a;b', 1), ('c', 2);\n",
};

/** Prisma's own engine (Wasm build of 7.10) on the same database, to prove it reads our history. */
async function prismaEngine<T>(
  url: string,
  migrationsDir: string,
  work: (
    engine: Parameters<Parameters<typeof withSchemaEngine>[1]>[0],
    list: ReturnType<typeof toMigrationList>,
  ) => Promise<T>,
): Promise<T> {
  const list = toMigrationList(await readMigrationsFolder(migrationsDir));
  return withSchemaEngine({ connectionString: url, shadowAdminUrl: TEST_ADMIN_URL }, (engine) =>
    work(engine, list),
  );
}

describe('migrateDeploy', () => {
  it('applies migrations in order, then does nothing on a second run', async () => {
    const url = await databases.create();
    const dir = await scratch.writeMigrations('in-order', THREE);

    const first = await migrateDeploy({ connectionString: url, migrationsDir: dir, ...quiet });
    expect(first.applied).toEqual(Object.keys(THREE));
    expect(await query(url, 'SELECT label, price FROM items ORDER BY id')).toEqual([
      { label: 'a;b', price: 1 },
      { label: 'c', price: 2 },
    ]);

    const second = await migrateDeploy({ connectionString: url, migrationsDir: dir, ...quiet });
    expect(second.applied).toEqual([]);
    expect((await rowsOf(url)).map((row) => row.migration_name)).toEqual(Object.keys(THREE));
    expect(await query(url, 'SELECT count(*)::int AS n FROM items')).toEqual([{ n: 2 }]);
  });

  it('records each migration like Prisma: sha256 checksum of migration.sql, finished, one step', async () => {
    const url = await databases.create();
    const dir = await scratch.writeMigrations('checksum', THREE);
    await migrateDeploy({ connectionString: url, migrationsDir: dir, ...quiet });

    for (const row of await rowsOf(url)) {
      const script = await readFile(path.join(dir, row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(createHash('sha256').update(script).digest('hex'));
      expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.rolled_back_at).toBeNull();
      expect(row.logs).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
  });

  it('creates _prisma_migrations with exactly the shape Prisma gives it', async () => {
    const ours = await databases.create();
    const prismas = await databases.create();
    const dir = await scratch.writeMigrations('shape', {});
    await migrateDeploy({ connectionString: ours, migrationsDir: dir, ...quiet });
    await prismaEngine(prismas, dir, (engine, list) =>
      engine.applyMigrations({ migrationsList: list, filters: NO_FILTER }),
    );

    const shape = async (url: string) => ({
      columns: await query<{
        column_name: string;
        data_type: string;
        character_maximum_length: number | null;
      }>(
        url,
        `SELECT column_name, data_type, character_maximum_length, is_nullable, column_default, ordinal_position
           FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
      ),
      constraints: await query(
        url,
        `SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
          WHERE conrelid = '_prisma_migrations'::regclass ORDER BY conname`,
      ),
    });
    const expected = await shape(prismas);
    expect(await shape(ours)).toEqual(expected);
    expect(expected.columns.map((c) => [c.column_name, c.data_type, c.character_maximum_length])).toEqual([
      ['id', 'character varying', 36],
      ['checksum', 'character varying', 64],
      ['finished_at', 'timestamp with time zone', null],
      ['migration_name', 'character varying', 255],
      ['logs', 'text', null],
      ['rolled_back_at', 'timestamp with time zone', null],
      ['started_at', 'timestamp with time zone', null],
      ['applied_steps_count', 'integer', null],
    ]);
  });

  it('rolls a failing script back, keeps its row with the error, and refuses to go on until resolved', async () => {
    const url = await databases.create();
    const migrations = {
      '20260101000000_ok': 'CREATE TABLE kept (id int);\n',
      '20260102000000_broken': 'CREATE TABLE half_done (id int);\n\nINSERT INTO missing_table VALUES (1);\n',
      '20260103000000_after': 'CREATE TABLE later (id int);\n',
    };
    const dir = await scratch.writeMigrations('failing', migrations);

    const failure = await migrateDeploy({ connectionString: url, migrationsDir: dir, ...quiet }).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(MigrationError);
    expect((failure as MigrationError).code).toBe('P3018');
    expect((failure as MigrationError).message).toContain('20260102000000_broken');
    expect((failure as MigrationError).message).toContain('line 3');
    expect((failure as MigrationError).message).not.toContain('\n');

    // The failed script left nothing behind; the migration before it stays applied.
    const tables = async () =>
      (
        await query<{ t: string | null }>(
          url,
          "SELECT to_regclass('kept')::text AS t UNION ALL SELECT to_regclass('half_done')::text UNION ALL SELECT to_regclass('later')::text",
        )
      ).map((r) => r.t);
    expect(await tables()).toEqual(['kept', null, null]);
    const broken = (await rowsOf(url)).find((row) => row.migration_name === '20260102000000_broken');
    expect(broken).toMatchObject({ finished_at: null, rolled_back_at: null, applied_steps_count: 0 });
    expect(broken?.logs).toContain('relation "missing_table" does not exist');
    expect(broken?.logs).toContain('42P01');

    // Blocked, like Prisma's P3009, even though the folder is unchanged.
    const blocked = await migrateDeploy({ connectionString: url, migrationsDir: dir, ...quiet }).catch(
      (error: unknown) => error,
    );
    expect((blocked as MigrationError).code).toBe('P3009');
    expect((blocked as MigrationError).message).toMatch(
      /20260102000000_broken.*missing_table.*--rolled-back 20260102000000_broken/,
    );
    expect(
      (await migrationStatus({ connectionString: url, migrationsDir: dir })).failed.map((f) => f.name),
    ).toEqual(['20260102000000_broken']);

    // Prisma's own engine reads the same failed state.
    await prismaEngine(url, dir, async (engine, list) => {
      const diagnostic = await engine.diagnoseMigrationHistory({
        migrationsList: list,
        optInToShadowDatabase: false,
        filters: NO_FILTER,
      });
      expect(diagnostic.failedMigrationNames).toEqual(['20260102000000_broken']);
      await expect(
        engine.applyMigrations({ migrationsList: list, filters: NO_FILTER }),
      ).rejects.toMatchObject({
        code: 'P3009',
      });
    });

    // Fixed and resolved: the next run retries it and goes on.
    await writeFile(
      path.join(dir, '20260102000000_broken', 'migration.sql'),
      'CREATE TABLE half_done (id int);\n',
    );
    await resolveMigration({
      connectionString: url,
      migrationsDir: dir,
      migrationName: '20260102000000_broken',
      as: 'rolled-back',
    });
    const resumed = await migrateDeploy({ connectionString: url, migrationsDir: dir, ...quiet });
    expect(resumed.applied).toEqual(['20260102000000_broken', '20260103000000_after']);
    expect(await tables()).toEqual(['kept', 'half_done', 'later']);
    const rows = await rowsOf(url);
    expect(
      rows
        .filter((row) => row.migration_name === '20260102000000_broken')
        .map((row) => row.rolled_back_at !== null),
    ).toEqual([true, false]);
  });

  it('applies each migration exactly once when several runners start together', async () => {
    const url = await databases.create();
    const names = [1, 2, 3, 4, 5].map((n) => `2026010${n}000000_step_${n}`);
    const dir = await scratch.writeMigrations(
      'concurrent',
      Object.fromEntries(
        names.map((name, index) => [
          name,
          `${index === 0 ? 'CREATE TABLE runs (name text NOT NULL);\n' : ''}SELECT pg_sleep(0.05);\nINSERT INTO runs VALUES ('${name}');\n`,
        ]),
      ),
    );

    const results = await Promise.all(
      [1, 2, 3, 4].map(() => migrateDeploy({ connectionString: url, migrationsDir: dir, ...quiet })),
    );

    // The first runner to get the lock applies everything; the others wait, then find nothing to do.
    expect(results.map((result) => result.applied.length).sort()).toEqual([0, 0, 0, 5]);
    expect(results.flatMap((result) => result.applied)).toEqual(names);
    expect(
      (await query<{ name: string }>(url, 'SELECT name FROM runs ORDER BY name')).map((r) => r.name),
    ).toEqual(names);
    expect((await rowsOf(url)).map((row) => row.migration_name)).toEqual(names);
  });

  it('gives up with P1002 when another run holds the lock too long', async () => {
    const url = await databases.create();
    const dir = await scratch.writeMigrations('locked', THREE);
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK_KEY]);
      await expect(
        migrateDeploy({ connectionString: url, migrationsDir: dir, lockTimeoutMs: 200, ...quiet }),
      ).rejects.toMatchObject({ code: 'P1002' });
      expect((await migrationStatus({ connectionString: url, migrationsDir: dir })).lockHeld).toBe(true);
    } finally {
      await holder.end();
    }
    expect(
      (await migrateDeploy({ connectionString: url, migrationsDir: dir, ...quiet })).applied,
    ).toHaveLength(3);
  });

  it('warns when an applied migration was modified afterwards, as Prisma does', async () => {
    const url = await databases.create();
    const dir = await scratch.writeMigrations('edited', THREE);
    await migrateDeploy({ connectionString: url, migrationsDir: dir, ...quiet });
    await writeFile(path.join(dir, '20260102000000_add_price', 'migration.sql'), '-- changed\n');

    const warnings: string[] = [];
    const result = await migrateDeploy({
      connectionString: url,
      migrationsDir: dir,
      onWarning: (m) => warnings.push(m),
    });
    expect(result.applied).toEqual([]);
    expect(warnings).toEqual([
      expect.stringContaining('20260102000000_add_price was modified after it was applied'),
    ]);
    expect(result.warnings).toEqual(warnings);
    expect((await migrationStatus({ connectionString: url, migrationsDir: dir })).edited).toEqual([
      '20260102000000_add_price',
    ]);
    // Prisma's checksum tolerance: a checkout with CRLF line endings is not an edit.
    await writeFile(
      path.join(dir, '20260102000000_add_price', 'migration.sql'),
      THREE['20260102000000_add_price'].replace(/\n/g, '\r\n'),
    );
    expect((await migrationStatus({ connectionString: url, migrationsDir: dir })).edited).toEqual([]);
  });

  it('shares one history with Prisma’s engine in both directions', async () => {
    const url = await databases.create();
    const all = await scratch.writeMigrations('shared-all', THREE);
    const firstTwo = await scratch.writeMigrations('shared-two', {
      '20260101000000_create_items': THREE['20260101000000_create_items'],
      '20260102000000_add_price': THREE['20260102000000_add_price'],
    });
    const firstOne = await scratch.writeMigrations('shared-one', {
      '20260101000000_create_items': THREE['20260101000000_create_items'],
    });

    // Prisma applies the first, we the second, Prisma the third.
    await prismaEngine(url, firstOne, (engine, list) =>
      engine.applyMigrations({ migrationsList: list, filters: NO_FILTER }),
    );
    expect(
      (await migrateDeploy({ connectionString: url, migrationsDir: firstTwo, ...quiet })).applied,
    ).toEqual(['20260102000000_add_price']);
    const prismaApplied = await prismaEngine(url, all, (engine, list) =>
      engine.applyMigrations({ migrationsList: list, filters: NO_FILTER }),
    );
    expect(prismaApplied.appliedMigrationNames).toEqual(['20260103000000_seed']);

    const diagnostic = await prismaEngine(url, all, (engine, list) =>
      engine.diagnoseMigrationHistory({
        migrationsList: list,
        optInToShadowDatabase: false,
        filters: NO_FILTER,
      }),
    );
    expect(diagnostic).toEqual({
      editedMigrationNames: [],
      failedMigrationNames: [],
      hasMigrationsTable: true,
      history: null,
    });
    const status = await migrationStatus({ connectionString: url, migrationsDir: all });
    expect(status).toMatchObject({
      applied: Object.keys(THREE),
      pending: [],
      failed: [],
      edited: [],
      missingLocally: [],
    });
  });

  it('treats a missing folder as no migrations and refuses a folder locked to another provider', async () => {
    const url = await databases.create();
    expect(
      await migrateDeploy({
        connectionString: url,
        migrationsDir: path.join(scratch.path, 'does-not-exist'),
        ...quiet,
      }),
    ).toEqual({ applied: [], warnings: [] });

    const dir = await scratch.writeMigrations('mysql-lock', THREE);
    await writeFile(path.join(dir, 'migration_lock.toml'), 'provider = "mysql"\n');
    await expect(migrateDeploy({ connectionString: url, migrationsDir: dir, ...quiet })).rejects.toThrow(
      /P3019/,
    );
  });

  it('refuses a non-empty schema without history (P3005) until it is baselined with resolve --applied', async () => {
    const url = await databases.create();
    const dir = await scratch.writeMigrations('baseline', THREE);
    await query(url, 'CREATE TABLE items (id serial PRIMARY KEY, label text NOT NULL)');

    await expect(
      migrateDeploy({ connectionString: url, migrationsDir: dir, ...quiet }),
    ).rejects.toMatchObject({
      code: 'P3005',
    });
    await resolveMigration({
      connectionString: url,
      migrationsDir: dir,
      migrationName: '20260101000000_create_items',
      as: 'applied',
    });
    expect((await migrateDeploy({ connectionString: url, migrationsDir: dir, ...quiet })).applied).toEqual([
      '20260102000000_add_price',
      '20260103000000_seed',
    ]);
    await expect(
      resolveMigration({
        connectionString: url,
        migrationsDir: dir,
        migrationName: '20260101000000_create_items',
        as: 'applied',
      }),
    ).rejects.toMatchObject({ code: 'P3008' });
  });

  it('honours a Prisma-style ?schema= in the URL', async () => {
    const url = new URL(await databases.create());
    url.searchParams.set('schema', 'tenant_a');
    const dir = await scratch.writeMigrations('schema-param', THREE);
    expect(
      (await migrateDeploy({ connectionString: url.toString(), migrationsDir: dir, ...quiet })).applied,
    ).toHaveLength(3);
    url.searchParams.delete('schema');
    expect(
      await query(
        url.toString(),
        "SELECT to_regclass('tenant_a._prisma_migrations')::text AS m, to_regclass('tenant_a.items')::text AS i",
      ),
    ).toEqual([{ m: 'tenant_a._prisma_migrations', i: 'tenant_a.items' }]);
  });
});
