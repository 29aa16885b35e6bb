import { randomBytes } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { migrateDeploy } from './migrate.js';
import {
  checkDrift,
  createMigration,
  diffMigrationsToSchema,
  migrationTimestamp,
  normalizeMigrationName,
  SchemaEngineError,
} from './schema-engine.js';
import { databasesNamed, query, ScratchDir, TempDatabases, TEST_ADMIN_URL } from './test-support.js';

// The Wasm schema engine against real PostgreSQL, with scratch schemas and migration folders.
const databases = new TempDatabases('sespec');
const shadowPrefix = `kc_shspec_${randomBytes(3).toString('hex')}`;
let scratch: ScratchDir;

beforeAll(async () => {
  scratch = await ScratchDir.create('schema-engine-spec');
});

afterAll(async () => {
  await databases.dropAll();
  await scratch.remove();
});

/** A Prisma 7 schema: the datasource names only the provider (the URL lives in prisma.config.ts). */
const schemaWith = (widgetFields: string) => `
generator client {
  provider = "prisma-client"
  output   = "./generated"
}

datasource db {
  provider = "postgresql"
}

model Widget {
  id        String   @id @default(uuid()) @db.Uuid
  name      String   @unique
  createdAt DateTime @default(now()) @map("created_at") @db.Timestamptz(3)
${widgetFields}
  @@map("widgets")
}
`;

const tools = (schemaPath: string, migrationsDir: string) => ({
  schemaPath,
  migrationsDir,
  shadowAdminUrl: TEST_ADMIN_URL,
  shadowDatabasePrefix: shadowPrefix,
});

describe('migrate-new and drift-check on the Wasm schema engine', () => {
  it('creates the first migration, reports no drift, then detects and fills a new field', async () => {
    const schemaPath = path.join(scratch.path, 'schema.prisma');
    const migrationsDir = path.join(scratch.path, 'migrations');
    await writeFile(schemaPath, schemaWith(''));

    const first = await createMigration({
      ...tools(schemaPath, migrationsDir),
      name: 'Add widgets',
      now: new Date('2026-01-02T03:04:05Z'),
    });
    expect(first.name).toBe('20260102030405_add_widgets');
    expect(first.sql).toContain('CREATE TABLE "widgets"');
    expect(
      await readFile(path.join(migrationsDir, '20260102030405_add_widgets', 'migration.sql'), 'utf8'),
    ).toBe(first.sql);
    expect(await readFile(path.join(migrationsDir, 'migration_lock.toml'), 'utf8')).toContain(
      'provider = "postgresql"',
    );

    expect(await checkDrift(tools(schemaPath, migrationsDir))).toEqual({ inSync: true, sql: '' });
    const unchanged = await createMigration({
      ...tools(schemaPath, migrationsDir),
      name: 'nothing',
      now: new Date('2026-01-03T00:00:00Z'),
    });
    expect(unchanged).toEqual({ name: null, scriptPath: null, sql: '' });

    await writeFile(schemaPath, schemaWith('  weight    Int?'));
    const drift = await checkDrift(tools(schemaPath, migrationsDir));
    expect(drift.inSync).toBe(false);
    expect(drift.sql).toMatch(/ALTER TABLE "widgets" ADD COLUMN\s+"weight" INTEGER;/);

    const second = await createMigration({
      ...tools(schemaPath, migrationsDir),
      name: 'widget weight',
      now: new Date('2026-01-04T00:00:00Z'),
    });
    expect(second.name).toBe('20260104000000_widget_weight');
    expect(await checkDrift(tools(schemaPath, migrationsDir))).toEqual({ inSync: true, sql: '' });
    expect((await readdir(migrationsDir)).sort()).toEqual([
      '20260102030405_add_widgets',
      '20260104000000_widget_weight',
      'migration_lock.toml',
    ]);

    // What migrate-new wrote is what the runner deploys.
    const url = await databases.create();
    expect(
      (await migrateDeploy({ connectionString: url, migrationsDir, onWarning: () => undefined })).applied,
    ).toEqual(['20260102030405_add_widgets', '20260104000000_widget_weight']);
    await query(url, "INSERT INTO widgets (id, name, weight) VALUES (gen_random_uuid(), 'w', 3)");
  });

  it('replays hand-written SQL that adapter-pg alone would break: DO blocks, ";" in literals, CHECK constraints', async () => {
    const migrationsDir = await scratch.writeMigrations('tricky', {
      '20260101000000_init': [
        'CREATE TABLE "widgets" ("id" UUID NOT NULL, "name" TEXT NOT NULL,',
        '  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP, CONSTRAINT "widgets_pkey" PRIMARY KEY ("id"));',
        'CREATE UNIQUE INDEX "widgets_name_key" ON "widgets"("name");',
        // pg_constraint.contype is a "char" column: the engine's introspection reads it.
        `ALTER TABLE "widgets" ADD CONSTRAINT "widgets_name_chk" CHECK ("name" <> 'a;b');`,
        "DO $$ BEGIN PERFORM 1; RAISE NOTICE 'two; statements'; END $$;",
        '',
      ].join('\n'),
    });
    const schemaPath = path.join(scratch.path, 'tricky.prisma');
    await writeFile(schemaPath, schemaWith(''));
    expect(await checkDrift(tools(schemaPath, migrationsDir))).toEqual({ inSync: true, sql: '' });
  });

  it('fails clearly on a migration that does not apply, and still drops its temporary database', async () => {
    const migrationsDir = await scratch.writeMigrations('broken', {
      '20260101000000_broken': 'ALTER TABLE no_such_table ADD COLUMN x int;\n',
    });
    const schemaPath = path.join(scratch.path, 'broken.prisma');
    await writeFile(schemaPath, schemaWith(''));
    const error = await diffMigrationsToSchema(tools(schemaPath, migrationsDir)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaEngineError);
    expect((error as SchemaEngineError).code).toBe('P3006');
    expect((error as SchemaEngineError).message).toMatch(/20260101000000_broken[\s\S]*no_such_table/);
    expect((error as SchemaEngineError).message).not.toMatch(/schema_engine_wasm::/);
  });

  it('reports an invalid schema with the engine message', async () => {
    const schemaPath = path.join(scratch.path, 'invalid.prisma');
    await writeFile(schemaPath, schemaWith('  broken    NoSuchType'));
    await expect(checkDrift(tools(schemaPath, path.join(scratch.path, 'none')))).rejects.toThrow(
      /NoSuchType/,
    );
  });

  it('leaves no temporary database behind', async () => {
    expect(await databasesNamed(shadowPrefix)).toEqual([]);
  });
});

describe('migration naming', () => {
  it('follows Prisma: UTC yyyymmddhhmmss prefix, snake_case name', () => {
    expect(migrationTimestamp(new Date('2026-12-31T23:59:58.999Z'))).toBe('20261231235958');
    expect(normalizeMigrationName('  Add Cohort-Invites! ')).toBe('add_cohort_invites');
    expect(() => normalizeMigrationName('***')).toThrow(/invalid migration name/);
  });
});
