import { randomBytes } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  ColumnTypeEnum,
  DriverAdapterError,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQuery,
  type SqlQueryable,
  type SqlResultSet,
} from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { parseDatabaseUrl, quoteIdent, withDatabase } from './db-url.js';

/**
 * The "migration-aware" driver adapter factory handed to the Wasm schema engine: `connect()` for
 * the main database, `connectToShadowDb()` for a throw-away database on the same server.
 *
 * It wraps `@prisma/adapter-pg` 7.10 around four of its traps:
 * - its own shadow database is built by spreading `{ ...config, database }`, and with a
 *   connectionString config the string wins: the "shadow" silently is the main database. Ours gets
 *   a URL of its own.
 * - its shadow `dispose()` drops the database before closing the pool (which fails, "being accessed
 *   by other users") and never closes its admin pool. Ours closes the pool first, then drops
 *   `WITH (FORCE)` from a separate admin connection.
 * - its `executeScript` splits scripts on every `;`, breaking string literals, DO blocks and
 *   function bodies in migrations. Ours sends the script whole (simple query protocol), as the
 *   native engine does.
 * - it cannot map type OID 18 (`"char"`, e.g. pg_constraint.contype), which the engine's schema
 *   introspection selects (and then expects as a Character column). Ours maps it.
 */

/**
 * Marks a `"char"` column (OID 18) on its way in: adapter-pg would refuse the type, so the column is
 * announced as text (OID 25) under a tagged name, and `restoreCharColumns` turns it back into the
 * Character column the engine expects. The tag travels with the result, so concurrent queries on
 * the pool cannot mix up whose columns were "char".
 */
const CHAR_TAG = '\u0000pg-char';

function tagCharColumns(client: pg.PoolClient): void {
  // Prepended so it runs before pg's own RowDescription handler builds the result's fields.
  (client as unknown as pg.Client).connection.prependListener(
    'rowDescription',
    (message: { fields?: { name: string; dataTypeID: number }[] }) => {
      for (const field of message.fields ?? []) {
        if (field.dataTypeID !== 18) continue;
        field.dataTypeID = 25;
        field.name += CHAR_TAG;
      }
    },
  );
}

function restoreCharColumns(result: SqlResultSet): SqlResultSet {
  if (!result.columnNames.some((name) => name.endsWith(CHAR_TAG))) return result;
  return {
    ...result,
    columnNames: result.columnNames.map((name) =>
      name.endsWith(CHAR_TAG) ? name.slice(0, -CHAR_TAG.length) : name,
    ),
    columnTypes: result.columnTypes.map((type, index) =>
      result.columnNames[index]?.endsWith(CHAR_TAG) ? ColumnTypeEnum.Character : type,
    ),
  };
}

function withCharColumns<T extends SqlQueryable>(queryable: T): T {
  const queryRaw = queryable.queryRaw.bind(queryable);
  return Object.assign(Object.create(queryable) as T, {
    queryRaw: async (query: SqlQuery) => restoreCharColumns(await queryRaw(query)),
  });
}

function toDriverError(error: unknown): unknown {
  const pgError = error as Partial<pg.DatabaseError>;
  if (typeof pgError.code !== 'string' || typeof pgError.severity !== 'string') return error;
  return new DriverAdapterError({
    kind: 'postgres',
    code: pgError.code,
    severity: pgError.severity,
    message: pgError.message ?? '',
    detail: pgError.detail,
    column: pgError.column,
    hint: pgError.hint,
  });
}

async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, application_name: 'kubecohort-shadow-admin' });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Unique, sortable by creation time, recognisable if a killed process ever leaves one behind. */
export function temporaryDatabaseName(prefix = 'kc_shadow'): string {
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  return `${prefix}_${stamp}_${randomBytes(4).toString('hex')}`;
}

const liveFactories = new Set<ShadowDatabaseFactory>();

/** Closes every factory still open (for signal handlers of the CLIs). */
export async function closeAllShadowFactories(): Promise<void> {
  await Promise.all([...liveFactories].map((factory) => factory.close()));
}

export class ShadowDatabaseFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = 'postgres' as const;
  readonly adapterName = '@prisma/adapter-pg';
  private readonly pools = new Set<pg.Pool>();
  private readonly shadows = new Set<string>();

  /**
   * @param mainUrl the main database (the engine opens it lazily; a diff never writes to it)
   * @param adminUrl a database on the same server where CREATE/DROP DATABASE may run
   * @param namePrefix prefix of the temporary databases' names
   */
  constructor(
    private readonly mainUrl: string,
    private readonly adminUrl: string,
    private readonly namePrefix = 'kc_shadow',
  ) {
    liveFactories.add(this);
  }

  connect(): Promise<SqlDriverAdapter> {
    return this.adapterFor(parseDatabaseUrl(this.mainUrl).connectionString, () => Promise.resolve());
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    const name = temporaryDatabaseName(this.namePrefix);
    await adminQuery(this.adminUrl, `CREATE DATABASE ${quoteIdent(name)}`);
    this.shadows.add(name);
    return this.adapterFor(withDatabase(this.adminUrl, name), () => this.dropShadow(name));
  }

  /** Ends every pool and drops every shadow database still around. Safe to call twice. */
  async close(): Promise<void> {
    await Promise.all([...this.pools].map((pool) => this.endPool(pool)));
    await Promise.all([...this.shadows].map((name) => this.dropShadow(name)));
    liveFactories.delete(this);
  }

  private async endPool(pool: pg.Pool): Promise<void> {
    if (!this.pools.delete(pool)) return;
    await pool.end().catch(() => undefined);
  }

  private async dropShadow(name: string): Promise<void> {
    if (!this.shadows.has(name)) return;
    // FORCE: any connection the engine left open must not keep the database alive.
    await adminQuery(this.adminUrl, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    this.shadows.delete(name);
  }

  private async adapterFor(url: string, afterPoolClosed: () => Promise<void>): Promise<SqlDriverAdapter> {
    const pool = new pg.Pool({ connectionString: url, max: 4, application_name: 'kubecohort-schema-engine' });
    pool.on('connect', tagCharColumns);
    pool.on('error', () => undefined);
    this.pools.add(pool);
    // The pool is ours: adapter-pg must not end it; we do, before the database is dropped.
    const inner = await new PrismaPg(pool, { disposeExternalPool: false }).connect();
    return {
      provider: inner.provider,
      adapterName: inner.adapterName,
      queryRaw: async (query) => restoreCharColumns(await inner.queryRaw(query)),
      executeRaw: (query) => inner.executeRaw(query),
      startTransaction: async (isolationLevel) =>
        withCharColumns(await inner.startTransaction(isolationLevel)),
      getConnectionInfo: () => inner.getConnectionInfo(),
      executeScript: async (script) => {
        try {
          await pool.query(script);
        } catch (error) {
          throw toDriverError(error);
        }
      },
      dispose: async () => {
        await inner.dispose();
        await this.endPool(pool);
        await afterPoolClosed();
      },
    };
  }
}
