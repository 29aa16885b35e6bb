/**
 * Connection-string handling shared by the migration runner and the schema tools.
 * Prisma URLs may carry `?schema=<name>`, which node-postgres does not understand: it is taken out
 * of the URL and applied as the session's search_path instead (what Prisma does with it).
 */

export interface PgTarget {
  /** The URL without Prisma-only parameters, for node-postgres. */
  connectionString: string;
  /** The `schema` parameter, or null for the server's default search_path (usually public). */
  schema: string | null;
}

export function parseDatabaseUrl(url: string): PgTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('the database URL is not a valid URL (expected postgresql://user@host:port/database)');
  }
  if (parsed.protocol !== 'postgresql:' && parsed.protocol !== 'postgres:') {
    throw new Error(`the database URL must start with postgresql:// (got ${parsed.protocol}//)`);
  }
  const schema = parsed.searchParams.get('schema');
  parsed.searchParams.delete('schema');
  return { connectionString: parsed.toString(), schema: schema === '' ? null : schema };
}

/** The same server and credentials, another database (e.g. `postgres` for CREATE/DROP DATABASE). */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(parseDatabaseUrl(url).connectionString);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/** The database a URL points at (for messages; never the password). */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || 'localhost'}${parsed.port ? `:${parsed.port}` : ''}${parsed.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

/** Double-quotes an identifier for SQL. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * The admin connection used to create and drop temporary databases:
 * SHADOW_DATABASE_ADMIN_URL, else DATABASE_URL pointed at the `postgres` database.
 */
export function shadowAdminUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SHADOW_DATABASE_ADMIN_URL) return parseDatabaseUrl(env.SHADOW_DATABASE_ADMIN_URL).connectionString;
  if (env.DATABASE_URL) return withDatabase(env.DATABASE_URL, 'postgres');
  throw new Error(
    'set DATABASE_URL (or SHADOW_DATABASE_ADMIN_URL) to a PostgreSQL server where temporary databases can be created',
  );
}
