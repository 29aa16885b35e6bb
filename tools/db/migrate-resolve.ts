import { errorLine, parseCli, requireDatabaseUrl } from './cli-support.js';
import { resolveMigration } from './migrate.js';

/**
 * `tsx tools/db/migrate-resolve.ts --rolled-back <name> | --applied <name>`: our
 * `prisma migrate resolve`, to clear a failed migration after fixing the database by hand.
 */
try {
  const { migrationsDir, flags } = parseCli(['rolled-back', 'applied']);
  const rolledBack = flags['rolled-back'];
  const applied = flags.applied;
  if ((rolledBack === undefined) === (applied === undefined)) {
    throw new Error('give exactly one of --rolled-back <migration> or --applied <migration>');
  }
  const migrationName = (rolledBack ?? applied) as string;
  await resolveMigration({
    connectionString: requireDatabaseUrl(),
    migrationsDir,
    migrationName,
    as: rolledBack !== undefined ? 'rolled-back' : 'applied',
  });
  console.log(`migration ${migrationName} marked as ${rolledBack !== undefined ? 'rolled back' : 'applied'}`);
} catch (error) {
  console.error(`db:migrate:resolve failed: ${errorLine(error)}`);
  process.exitCode = 1;
}
