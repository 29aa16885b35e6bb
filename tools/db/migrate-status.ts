import { errorLine, parseCli, requireDatabaseUrl } from './cli-support.js';
import { migrationStatus, resolveHint } from './migrate.js';

/**
 * `npm run db:migrate:status [-- --migrations <dir>]`: applied, pending and failed migrations of
 * DATABASE_URL. Exit 1 when something is pending or failed, 2 when the status cannot be read.
 */
try {
  const { migrationsDir } = parseCli();
  const status = await migrationStatus({ connectionString: requireDatabaseUrl(), migrationsDir });
  const section = (title: string, names: readonly string[]) => {
    if (names.length === 0) return;
    console.log(`${title} (${names.length}):`);
    for (const name of names) console.log(`  ${name}`);
  };
  if (!status.hasMigrationsTable) console.log('no migration has ever run on this database');
  section('applied', status.applied);
  section('pending', status.pending);
  for (const failed of status.failed) {
    const state = status.lockHeld
      ? 'unfinished (a migrate run holds the lock: maybe still running)'
      : 'FAILED';
    console.log(`${state}: ${failed.name} (started ${failed.startedAt.toISOString()})`);
    for (const line of (failed.logs ?? '(no logs)').trim().split('\n')) console.log(`    ${line}`);
    if (!status.lockHeld) console.log(`  to resolve: ${resolveHint(failed.name)}`);
  }
  for (const name of status.edited) {
    console.warn(`warning: ${name} was modified after it was applied (checksum mismatch)`);
  }
  for (const name of status.missingLocally) {
    console.warn(`warning: ${name} is applied on the database but missing from ${migrationsDir}`);
  }
  if (status.failed.length === 0 && status.pending.length === 0) console.log('database is up to date');
  process.exitCode = status.failed.length > 0 || status.pending.length > 0 ? 1 : 0;
} catch (error) {
  console.error(`db:migrate:status failed: ${errorLine(error)}`);
  process.exitCode = 2;
}
