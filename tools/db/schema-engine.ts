import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type { MigrationList, SchemaEngine } from '@prisma/schema-engine-wasm';
import {
  assertPostgresLockfile,
  LOCKFILE_CONTENT,
  LOCKFILE_NAME,
  MIGRATION_SCRIPT_NAME,
  readMigrationsFolder,
  readSchemaFiles,
  type MigrationsFolder,
} from './migration-files.js';
import { ShadowDatabaseFactory } from './shadow-database.js';

/**
 * Offline `prisma migrate diff --from-migrations <dir> --to-schema <schema> --script`, on the
 * WebAssembly build of Prisma's schema engine (`@prisma/schema-engine-wasm`, the build matching
 * prisma 7.10.0) driven through a pg driver adapter: the Prisma CLI's native engine cannot be
 * downloaded here. Dev tooling and the CI drift gate only; production migrations go through
 * ./migrate.ts.
 */

export interface SchemaDiffOptions {
  /** schema.prisma, or a folder of .prisma files. */
  schemaPath: string;
  /** Prisma migrations folder. */
  migrationsDir: string;
  /** Server where the temporary shadow database is created and dropped (a database such as `postgres`). */
  shadowAdminUrl: string;
  /** The main database handed to the engine; a diff never reads or writes it. Defaults to shadowAdminUrl. */
  connectionString?: string;
  /** Name prefix of the temporary databases (default kc_shadow). */
  shadowDatabasePrefix?: string;
}

export interface SchemaDiff {
  /** The SQL that takes a database migrated with every migration to the schema. */
  sql: string;
  /** True when the migrations already produce exactly the schema. */
  empty: boolean;
}

export class SchemaEngineError extends Error {
  override name = 'SchemaEngineError';
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

type SchemaEngineModule = typeof import('@prisma/schema-engine-wasm');

/** The slice of the WebAssembly global used here (its types live in lib.dom, not in our lib set). */
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, unknown>) => { exports: Record<string, unknown> };
}

/** Where the Wasm engine writes a panic's message (the global name is the engine's). */
const panicRegistry = {
  message: '',
  set_message(message: string): void {
    panicRegistry.message = message;
  },
};

let engineModule: Promise<SchemaEngineModule> | undefined;

/**
 * Instantiates the Wasm module once per process (wasm-bindgen keeps global state; a second
 * instantiation breaks the first). Done by hand, as Prisma's own loader does, instead of importing
 * the package entry, which needs Wasm ES-module integration.
 */
function loadSchemaEngineModule(): Promise<SchemaEngineModule> {
  engineModule ??= (async () => {
    const { WebAssembly } = globalThis as unknown as { WebAssembly: WebAssemblyApi };
    // The engine reports a Rust panic's message here before trapping; without it the process dies.
    (globalThis as { PRISMA_WASM_PANIC_REGISTRY?: unknown }).PRISMA_WASM_PANIC_REGISTRY ??= panicRegistry;
    const require = createRequire(import.meta.url);
    const bindingsPath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const bindings = (await import('@prisma/schema-engine-wasm/schema_engine_bg')) as SchemaEngineModule & {
      __wbg_set_wasm(exports: Record<string, unknown>): void;
    };
    const bytes = await readFile(path.join(path.dirname(bindingsPath), 'schema_engine_bg.wasm'));
    const imports: Record<string, unknown> = { ...bindings };
    for (const [name, value] of Object.entries(bindings)) {
      if (!name.startsWith('__wbg_setTimeout_') || typeof value !== 'function') continue;
      // The engine arms a 10 s timeout around its advisory lock and never clears it: unref'd, such
      // a timer no longer holds the process open after the work is done.
      imports[name] = (...args: unknown[]) => {
        const timer = (value as (...a: unknown[]) => unknown)(...args);
        (timer as { unref?: () => void }).unref?.();
        return timer;
      };
    }
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
      './schema_engine_bg.js': imports,
    });
    bindings.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return bindings;
  })();
  return engineModule;
}

/**
 * The message of the last Rust panic, if any. A panic inside a callback of the engine surfaces as
 * an uncaught "RuntimeError: unreachable" rather than a rejection, so the CLIs ask here.
 */
export function lastEnginePanic(): string | null {
  return panicRegistry.message || null;
}

/** The engine's error text without the Rust span trace it appends. */
function engineErrorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const lines = message.split('\n');
  const trace = lines.findIndex((line) => /^\s+\d+: [\w:]+$/.test(line));
  return (trace === -1 ? lines : lines.slice(0, trace)).join('\n').trim();
}

/** A migrations folder in the shape engine commands take it. */
export function toMigrationList(folder: MigrationsFolder): MigrationList {
  return {
    baseDir: folder.dir,
    // Without a lock file (no migration yet) the engine cannot tell the connector: ours is postgresql.
    lockfile: { path: LOCKFILE_NAME, content: folder.lockfile ?? LOCKFILE_CONTENT },
    shadowDbInitScript: '',
    migrationDirectories: folder.migrations.map((migration) => ({
      path: migration.name,
      migrationFile: {
        path: MIGRATION_SCRIPT_NAME,
        content: { tag: 'ok' as const, value: migration.script },
      },
    })),
  };
}

export interface EngineConnection {
  /** The main database handed to the engine (opened lazily; a diff never touches it). */
  connectionString: string;
  /** Server where temporary shadow databases are created and dropped. */
  shadowAdminUrl: string;
  /** Name prefix of those temporary databases (default kc_shadow). */
  shadowDatabasePrefix?: string;
}

/**
 * Runs `work` with a Wasm schema engine on a pg driver adapter, then frees it, ends its pools and
 * drops every shadow database it created, whether `work` succeeded or not.
 */
export async function withSchemaEngine<T>(
  connection: EngineConnection,
  work: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  const wasm = await loadSchemaEngineModule();
  const factory = new ShadowDatabaseFactory(
    connection.connectionString,
    connection.shadowAdminUrl,
    connection.shadowDatabasePrefix,
  );
  const adapterFactory = bindMigrationAwareSqlAdapterFactory(factory);
  let engine: SchemaEngine | undefined;
  try {
    const debug =
      process.env.KC_SCHEMA_ENGINE_DEBUG === '1' ? (line: string) => console.error(line) : () => undefined;
    engine = await wasm.SchemaEngine.new({ datamodels: undefined }, debug, adapterFactory);
    return await work(engine);
  } catch (error) {
    if (error instanceof SchemaEngineError) throw error;
    if (error instanceof Error && error.name === 'RuntimeError' && panicRegistry.message) {
      const message = `schema engine panicked: ${panicRegistry.message}`;
      panicRegistry.message = '';
      throw new SchemaEngineError(message);
    }
    const code = (error as { code?: unknown }).code;
    // Errors thrown in our JS (not pg errors) reach the engine as registry ids: put their text back.
    const message = engineErrorMessage(error).replace(/External error id#(\d+)/g, (text, id: string) => {
      const original = adapterFactory.errorRegistry.consumeError(Number(id))?.error;
      return original instanceof Error ? original.message : text;
    });
    throw new SchemaEngineError(message, typeof code === 'string' ? code : undefined);
  } finally {
    try {
      engine?.free();
    } catch {
      // A panicked engine may refuse to be freed; its resources below matter more.
    }
    // Pools end first, then any shadow database the engine did not dispose is dropped WITH (FORCE).
    await factory.close();
  }
}

/**
 * The SQL from "every migration of migrationsDir applied to an empty temporary database" to
 * "the schema", as Prisma Migrate would write it.
 */
export async function diffMigrationsToSchema(options: SchemaDiffOptions): Promise<SchemaDiff> {
  const [folder, files] = await Promise.all([
    readMigrationsFolder(options.migrationsDir),
    readSchemaFiles(options.schemaPath),
  ]);
  assertPostgresLockfile(folder);
  const connection = { ...options, connectionString: options.connectionString ?? options.shadowAdminUrl };
  return withSchemaEngine(connection, async (engine) => {
    const result = await engine.diff({
      from: { tag: 'migrations', ...toMigrationList(folder) },
      to: { tag: 'schemaDatamodel', files },
      script: true,
      // Makes the engine say whether the diff is empty (2 = changes) instead of us parsing comments.
      exitCode: true,
      filters: { externalTables: [], externalEnums: [] },
    });
    const empty = result.exitCode === 0;
    return { sql: empty ? '' : (result.stdout ?? ''), empty };
  });
}

/** Whether the migrations produce exactly the schema; `sql` is what is missing from the migrations. */
export async function checkDrift(options: SchemaDiffOptions): Promise<{ inSync: boolean; sql: string }> {
  const diff = await diffMigrationsToSchema(options);
  return { inSync: diff.empty, sql: diff.sql };
}

/** Prisma's migration name rules: lower-case words joined by `_`, at most 200 characters. */
export function normalizeMigrationName(name: string): string {
  const normalized = name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 200);
  if (normalized === '')
    throw new SchemaEngineError(`invalid migration name "${name}": use letters, digits and _`);
  return normalized;
}

/** `yyyymmddhhmmss` in UTC, the prefix Prisma gives migration folders. */
export function migrationTimestamp(date: Date): string {
  return date.toISOString().replace(/\D/g, '').slice(0, 14);
}

export interface CreateMigrationOptions extends SchemaDiffOptions {
  name: string;
  /** Clock for the folder's timestamp (tests). */
  now?: Date;
}

export interface CreatedMigration {
  /** The new folder's name, or null when the schema needed no change. */
  name: string | null;
  /** Path of the new migration.sql, or null. */
  scriptPath: string | null;
  sql: string;
}

/**
 * Writes `<migrationsDir>/<UTC yyyymmddhhmmss>_<name>/migration.sql` with the SQL the schema needs
 * beyond the existing migrations (and migration_lock.toml when missing). Writes nothing when empty.
 */
export async function createMigration(options: CreateMigrationOptions): Promise<CreatedMigration> {
  const name = `${migrationTimestamp(options.now ?? new Date())}_${normalizeMigrationName(options.name)}`;
  const diff = await diffMigrationsToSchema(options);
  if (diff.empty) return { name: null, scriptPath: null, sql: '' };

  const folder = await readMigrationsFolder(options.migrationsDir);
  const newest = folder.migrations.at(-1)?.name;
  if (newest !== undefined && newest >= name) {
    // The new folder must sort after the ones its SQL was computed on top of.
    throw new SchemaEngineError(`the newest migration ${newest} is not older than ${name}: check the clock`);
  }
  const dir = path.join(folder.dir, name);
  await mkdir(dir, { recursive: true });
  const scriptPath = path.join(dir, MIGRATION_SCRIPT_NAME);
  await writeFile(scriptPath, diff.sql, { flag: 'wx' });
  if (folder.lockfile === null) {
    await writeFile(path.join(folder.dir, LOCKFILE_NAME), LOCKFILE_CONTENT, { flag: 'wx' }).catch(
      (error: unknown) => {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      },
    );
  }
  return { name, scriptPath, sql: diff.sql };
}
