import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { parseDatabaseUrl, quoteIdent } from './db-url.js';
import {
  assertPostgresLockfile,
  checksumMatches,
  readMigrationsFolder,
  type MigrationFile,
  type MigrationsFolder,
} from './migration-files.js';

/**
 * Our own `prisma migrate deploy`, over node-postgres, because the Prisma CLI's native schema engine
 * cannot be downloaded on our machines. It reads Prisma's migrations folder and keeps Prisma's own
 * `_prisma_migrations` table (same DDL, same row life cycle, same advisory lock key), so an online
 * `prisma migrate deploy`/`status`/`resolve` sees one continuous history with ours.
 */

/** The key Prisma Migrate locks on (`pg_advisory_lock(72707369)`); sharing it serialises us with Prisma too. */
export const PRISMA_ADVISORY_LOCK_KEY = 72707369;

/** Prisma's DDL for the history table (sql-schema-connector, postgres flavour), schema-qualified. */
function migrationsTableDdl(table: string): string {
  return `CREATE TABLE ${table} (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
)`;
}

/**
 * A refusal or failure, with Prisma's error code where one exists (P3009 failed migration found,
 * P3018 migration failed, P1002 lock timeout, ...). `message` is one line; `details` may be longer.
 */
export class MigrationError extends Error {
  override name = 'MigrationError';
  constructor(
    readonly code: string,
    message: string,
    readonly details?: string,
  ) {
    super(message);
  }
}

export interface MigrationTarget {
  /** PostgreSQL URL; a Prisma-style `?schema=` selects the schema holding the tables. */
  connectionString: string;
  /** Prisma migrations folder (relative paths resolve from the working directory). */
  migrationsDir: string;
}

export interface MigrateDeployOptions extends MigrationTarget {
  /** How long to wait for a concurrent run's lock before giving up (default 60 s). */
  lockTimeoutMs?: number;
  /** Where warnings go as they happen (default console.warn); they are also returned. */
  onWarning?: (message: string) => void;
  /** Progress callback, called after each migration is committed. */
  onApplied?: (name: string, durationMs: number) => void;
}

export interface MigrateDeployResult {
  /** Names of the migrations this run applied, in order. */
  applied: string[];
  /** Non-fatal findings, e.g. an applied migration whose migration.sql changed since. */
  warnings: string[];
}

export interface MigrationRow {
  id: string;
  checksum: string;
  finished_at: Date | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: Date | null;
  started_at: Date;
  applied_steps_count: number;
}

export interface FailedMigration {
  name: string;
  startedAt: Date;
  logs: string | null;
}

export interface MigrationHistory {
  /** Applied and not rolled back, in the order they were applied. */
  applied: string[];
  /** In the folder, never applied (or only rolled back): what the next deploy would apply. */
  pending: string[];
  /** Started, never finished, not marked rolled back: blocks every deploy until resolved. */
  failed: FailedMigration[];
  /** Applied, but migration.sql no longer matches the recorded checksum. */
  edited: string[];
  /** Applied here but absent from the folder (a branch not merged, or a deleted folder). */
  missingLocally: string[];
}

export interface MigrationStatus extends MigrationHistory {
  /** False on a database no migration ever ran against. */
  hasMigrationsTable: boolean;
  /** A migrate run holds the lock right now (so an unfinished migration may still be running). */
  lockHeld: boolean;
}

/** Compares the folder with the history table the way Prisma Migrate does. */
export function compareHistory(folder: MigrationsFolder, rows: readonly MigrationRow[]): MigrationHistory {
  const live = rows.filter((row) => row.rolled_back_at === null);
  const done = live.filter((row) => row.finished_at !== null);
  const byName = new Map(folder.migrations.map((migration) => [migration.name, migration]));
  return {
    applied: done.map((row) => row.migration_name),
    pending: folder.migrations
      .filter((migration) => !live.some((row) => row.migration_name === migration.name))
      .map((migration) => migration.name),
    failed: live
      .filter((row) => row.finished_at === null)
      .map((row) => ({ name: row.migration_name, startedAt: row.started_at, logs: row.logs })),
    edited: done
      .filter((row) => {
        const local = byName.get(row.migration_name);
        return local !== undefined && !checksumMatches(local.script, row.checksum);
      })
      .map((row) => row.migration_name),
    missingLocally: done.filter((row) => !byName.has(row.migration_name)).map((row) => row.migration_name),
  };
}

/** How to get out of a failed state, since `prisma migrate resolve` needs the native engine too. */
export function resolveHint(name: string): string {
  return (
    `its script was rolled back, so fix migration.sql (or the data it tripped on), then run ` +
    `"npx tsx tools/db/migrate-resolve.ts --rolled-back ${name}" so the next deploy retries it ` +
    `(or "--applied ${name}" if you applied it by hand)`
  );
}

function firstLine(text: string | null | undefined): string {
  return (text ?? '').trim().split('\n')[0] ?? '';
}

interface Session {
  client: pg.Client;
  /** Schema-qualified `_prisma_migrations`, so a script changing search_path cannot misdirect us. */
  table: string;
  schema: string;
}

async function openSession(connectionString: string): Promise<Session> {
  const target = parseDatabaseUrl(connectionString);
  const client = new pg.Client({
    connectionString: target.connectionString,
    application_name: 'kubecohort-migrate',
  });
  // A dropped connection must reject the pending query, not crash the process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    if (target.schema !== null) {
      // Prisma creates the schema named in the URL when it migrates.
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(target.schema)}`);
      await client.query(`SET search_path TO ${quoteIdent(target.schema)}`);
    }
    const { rows } = await client.query<{ schema: string | null }>('SELECT current_schema() AS schema');
    const schema = rows[0]?.schema;
    if (!schema)
      throw new MigrationError('P1003', 'no schema to migrate: the search_path names no existing schema');
    return { client, schema, table: `${quoteIdent(schema)}._prisma_migrations` };
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
}

async function closeSession(session: Session): Promise<void> {
  await session.client.end().catch(() => undefined);
}

async function hasTable(session: Session): Promise<boolean> {
  const { rows } = await session.client.query<{ exists: boolean }>(
    'SELECT to_regclass($1) IS NOT NULL AS exists',
    [session.table],
  );
  return rows[0]?.exists === true;
}

/**
 * Prisma refuses to start a history on a schema that already holds objects (P3005): the first
 * migration would collide with them. Extension-owned objects do not count.
 */
async function assertEmptySchema(session: Session): Promise<void> {
  const { rows } = await session.client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c
       WHERE c.relnamespace = to_regnamespace($1) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c')
         AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
     UNION ALL
     SELECT t.typname FROM pg_type t
       WHERE t.typnamespace = to_regnamespace($1) AND t.typtype IN ('e', 'd')
         AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
     LIMIT 3`,
    [quoteIdent(session.schema)],
  );
  if (rows.length === 0) return;
  throw new MigrationError(
    'P3005',
    `schema "${session.schema}" is not empty (${rows.map((row) => row.name).join(', ')}${rows.length === 3 ? ', ...' : ''}) and has no migration ` +
      `history: baseline it first by marking the migrations it already contains with ` +
      `"npx tsx tools/db/migrate-resolve.ts --applied <name>"`,
  );
}

async function readRows(session: Session): Promise<MigrationRow[]> {
  const { rows } = await session.client.query<MigrationRow>(
    `SELECT id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count
       FROM ${session.table} ORDER BY started_at, migration_name`,
  );
  return rows;
}

/** Takes Prisma's migration lock on the session, waiting at most `timeoutMs`. */
async function acquireLock(session: Session, timeoutMs: number): Promise<void> {
  await session.client.query(`SET lock_timeout = ${Math.max(1, Math.round(timeoutMs))}`);
  try {
    await session.client.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK_KEY]);
  } catch (error) {
    if ((error as { code?: string }).code === '55P03') {
      throw new MigrationError(
        'P1002',
        `timed out after ${Math.round(timeoutMs / 1000)} s waiting for the migration lock ` +
          `(pg_advisory_lock(${PRISMA_ADVISORY_LOCK_KEY})) held by another migrate run`,
      );
    }
    throw error;
  } finally {
    // Back to the server's setting, so the migrations themselves run as they would under Prisma.
    await session.client.query('RESET lock_timeout').catch(() => undefined);
  }
}

/** Runs `work` holding the migration lock on a fresh session; the lock dies with the session anyway. */
async function withLockedSession<T>(
  connectionString: string,
  lockTimeoutMs: number,
  work: (session: Session) => Promise<T>,
): Promise<T> {
  const session = await openSession(connectionString);
  try {
    await acquireLock(session, lockTimeoutMs);
    try {
      return await work(session);
    } finally {
      await session.client
        .query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK_KEY])
        .catch(() => undefined);
    }
  } finally {
    await closeSession(session);
  }
}

function failedMigrationsError(failed: readonly FailedMigration[]): MigrationError {
  const details = failed
    .map((migration) => {
      const logs = migration.logs?.trim() ? ` with the following logs:\n${migration.logs.trim()}` : '';
      return `The \`${migration.name}\` migration started at ${migration.startedAt.toISOString()} failed${logs}`;
    })
    .join('\n');
  const [first] = failed;
  const reason = first?.logs ? `: ${databaseErrorLine(first.logs)}` : '';
  return new MigrationError(
    'P3009',
    `found failed migration ${first?.name ?? '?'}${failed.length > 1 ? ` (and ${failed.length - 1} more)` : ''}` +
      `${reason}; new migrations will not be applied until it is resolved: ${resolveHint(first?.name ?? '<name>')}`,
    `migrate found failed migrations in the target database, new migrations will not be applied.\n${details}`,
  );
}

/** The "ERROR: ..." line of a logs text we wrote, or its first line. */
function databaseErrorLine(logs: string): string {
  return logs.split('\n').find((line) => line.startsWith('ERROR: ')) ?? firstLine(logs);
}

interface PgDatabaseError {
  code?: string;
  message: string;
  position?: string;
  detail?: string;
  hint?: string;
  where?: string;
}

function lineOf(script: string, position: string | undefined): number | null {
  const index = Number(position);
  if (!Number.isInteger(index) || index < 1) return null;
  return script.slice(0, index - 1).split('\n').length;
}

/** The `logs` text Prisma records for a failed script (P3018's wording), with the line we failed on. */
function failureLogs(migration: MigrationFile, error: unknown): { logs: string; summary: string } {
  const err = (error instanceof Error ? error : new Error(String(error))) as Error & PgDatabaseError;
  const line = lineOf(migration.script, err.position);
  const lines = [
    'A migration failed to apply. New migrations cannot be applied before the error is recovered from. ' +
      'Read more about how to resolve migration issues in a production database: https://pris.ly/d/migrate-resolve',
    '',
    `Migration name: ${migration.name}`,
    '',
    ...(err.code ? [`Database error code: ${err.code}`, ''] : []),
    'Database error:',
    `ERROR: ${err.message}`,
    ...(err.detail ? [`DETAIL: ${err.detail}`] : []),
    ...(err.hint ? [`HINT: ${err.hint}`] : []),
    ...(err.where ? [`CONTEXT: ${err.where}`] : []),
    ...(line !== null ? [`LINE: ${line} of ${migration.name}/migration.sql`] : []),
  ];
  const where = [err.code, line !== null ? `line ${line}` : null].filter(Boolean).join(', ');
  return { logs: lines.join('\n'), summary: `ERROR: ${err.message}${where ? ` (${where})` : ''}` };
}

/** Applies one migration: row first (committed), then script + completion in one transaction. */
async function applyOne(session: Session, migration: MigrationFile): Promise<void> {
  const { client, table } = session;
  const id = randomUUID();
  // Committed before the script runs, like Prisma: a crash mid-script leaves an unfinished row behind.
  await client.query(`INSERT INTO ${table} (id, checksum, migration_name) VALUES ($1, $2, $3)`, [
    id,
    migration.checksum,
    migration.name,
  ]);
  try {
    await client.query('BEGIN');
    // No parameters: the simple query protocol runs the whole multi-statement script as written.
    await client.query(migration.script);
    await client.query(
      `UPDATE ${table} SET applied_steps_count = applied_steps_count + 1, finished_at = clock_timestamp() WHERE id = $1`,
      [id],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    const { logs, summary } = failureLogs(migration, error);
    await client.query(`UPDATE ${table} SET logs = $2 WHERE id = $1`, [id, logs]).catch(() => undefined);
    throw new MigrationError(
      'P3018',
      `migration ${migration.name} failed and was rolled back: ${summary}; ${resolveHint(migration.name)}`,
      logs,
    );
  }
}

/**
 * Applies every pending migration of `migrationsDir`, in order, each in its own transaction,
 * under Prisma's advisory lock (concurrent runs wait for each other and apply each migration once).
 * Refuses to start while a failed migration is unresolved (Prisma's P3009).
 */
export async function migrateDeploy(options: MigrateDeployOptions): Promise<MigrateDeployResult> {
  const folder = await readMigrationsFolder(options.migrationsDir);
  assertPostgresLockfile(folder);
  const warn = options.onWarning ?? ((message: string) => console.warn(`warning: ${message}`));
  return withLockedSession(options.connectionString, options.lockTimeoutMs ?? 60_000, async (session) => {
    if (!(await hasTable(session))) {
      await assertEmptySchema(session);
      await session.client.query(migrationsTableDdl(session.table));
    }
    const history = compareHistory(folder, await readRows(session));
    if (history.failed.length > 0) throw failedMigrationsError(history.failed);

    const warnings = history.edited.map(
      (name) =>
        `migration ${name} was modified after it was applied (its migration.sql no longer matches the recorded checksum)`,
    );
    warnings.forEach((message) => warn(message));

    const applied: string[] = [];
    for (const name of history.pending) {
      const migration = folder.migrations.find((candidate) => candidate.name === name);
      if (!migration) continue;
      const started = performance.now();
      await applyOne(session, migration);
      applied.push(name);
      options.onApplied?.(name, performance.now() - started);
    }
    return { applied, warnings };
  });
}

/** Where the database stands relative to `migrationsDir`. Read-only; takes no lock. */
export async function migrationStatus(options: MigrationTarget): Promise<MigrationStatus> {
  const folder = await readMigrationsFolder(options.migrationsDir);
  assertPostgresLockfile(folder);
  const session = await openSession(options.connectionString);
  try {
    const hasMigrationsTable = await hasTable(session);
    const history = compareHistory(folder, hasMigrationsTable ? await readRows(session) : []);
    const { rows } = await session.client.query<{ held: boolean }>(
      `SELECT EXISTS (
         SELECT 1 FROM pg_locks
          WHERE locktype = 'advisory' AND granted AND classid = 0 AND objid = $1 AND objsubid = 1
            AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
       ) AS held`,
      [PRISMA_ADVISORY_LOCK_KEY],
    );
    return { ...history, hasMigrationsTable, lockHeld: rows[0]?.held === true };
  } finally {
    await closeSession(session);
  }
}

export interface ResolveOptions extends MigrationTarget {
  migrationName: string;
  /**
   * `rolled-back`: the failed migration is marked rolled back (kept as audit trail) and the next
   * deploy applies it again. `applied`: it is recorded as applied without running it.
   * Same meaning as `prisma migrate resolve --rolled-back/--applied`.
   */
  as: 'rolled-back' | 'applied';
  lockTimeoutMs?: number;
}

/** Our `prisma migrate resolve`, the way out of a P3009 refusal. */
export async function resolveMigration(options: ResolveOptions): Promise<void> {
  const folder = await readMigrationsFolder(options.migrationsDir);
  const name = options.migrationName;
  await withLockedSession(options.connectionString, options.lockTimeoutMs ?? 60_000, async (session) => {
    if (!(await hasTable(session))) await session.client.query(migrationsTableDdl(session.table));
    const rows = (await readRows(session)).filter(
      (row) => row.migration_name === name && row.rolled_back_at === null,
    );
    const failedIds = rows.filter((row) => row.finished_at === null).map((row) => row.id);
    if (options.as === 'rolled-back') {
      if (failedIds.length === 0) {
        throw new MigrationError(
          'P3012',
          `migration ${name} cannot be marked rolled back: it is not in a failed state`,
        );
      }
      await session.client.query(`UPDATE ${session.table} SET rolled_back_at = now() WHERE id = ANY($1)`, [
        failedIds,
      ]);
      return;
    }
    const migration = folder.migrations.find((candidate) => candidate.name === name);
    if (!migration) throw new MigrationError('P3017', `migration ${name} is not in ${folder.dir}`);
    if (rows.some((row) => row.finished_at !== null)) {
      throw new MigrationError('P3008', `migration ${name} is already recorded as applied`);
    }
    await session.client.query('BEGIN');
    try {
      if (failedIds.length > 0) {
        await session.client.query(`UPDATE ${session.table} SET rolled_back_at = now() WHERE id = ANY($1)`, [
          failedIds,
        ]);
      }
      await session.client.query(
        `INSERT INTO ${session.table} (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
         VALUES ($1, $2, $3, now(), now(), 0)`,
        [randomUUID(), migration.checksum, migration.name],
      );
      await session.client.query('COMMIT');
    } catch (error) {
      await session.client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  });
}
