import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** Shared plumbing of the db:* command-line scripts (run with tsx from the repository root). */

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface CliPaths {
  schemaPath: string;
  migrationsDir: string;
  positionals: string[];
  flags: Record<string, string | undefined>;
}

/**
 * `--schema <file|dir>` and `--migrations <dir>` (relative to the working directory), defaulting to
 * the repository's prisma/schema.prisma and prisma/migrations whatever the working directory.
 */
export function parseCli(extraFlags: readonly string[] = []): CliPaths {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      schema: { type: 'string' },
      migrations: { type: 'string' },
      ...Object.fromEntries(extraFlags.map((flag) => [flag, { type: 'string' as const }])),
    },
  });
  const flags = values as Record<string, string | undefined>;
  return {
    schemaPath: path.resolve(flags.schema ?? path.join(repoRoot, 'prisma', 'schema.prisma')),
    migrationsDir: path.resolve(flags.migrations ?? path.join(repoRoot, 'prisma', 'migrations')),
    positionals,
    flags,
  };
}

/** One line saying why, whatever was thrown (AggregateErrors from refused connections have no message). */
export function errorLine(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  let message = error.message;
  if (!message && error instanceof AggregateError) {
    const first: unknown = error.errors[0];
    message = first instanceof Error ? first.message : '';
  }
  const code = (error as { code?: unknown }).code;
  if (!message) message = typeof code === 'string' ? code : error.name;
  return message.replace(/\s*\n\s*/g, ' ').trim();
}

export function requireDatabaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set');
  return url;
}
