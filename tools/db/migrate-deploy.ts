import { errorLine, parseCli, requireDatabaseUrl } from './cli-support.js';
import { migrateDeploy } from './migrate.js';

/** `npm run db:migrate:deploy [-- --migrations <dir>]`: applies pending migrations to DATABASE_URL. */
try {
  const { migrationsDir } = parseCli();
  const { applied } = await migrateDeploy({
    connectionString: requireDatabaseUrl(),
    migrationsDir,
    onApplied: (name, ms) => console.log(`applied ${name} (${Math.round(ms)} ms)`),
    onWarning: (message) => console.warn(`warning: ${message}`),
  });
  console.log(
    applied.length === 0
      ? 'no pending migrations'
      : `${applied.length} migration${applied.length === 1 ? '' : 's'} applied`,
  );
} catch (error) {
  console.error(`db:migrate:deploy failed: ${errorLine(error)}`);
  process.exitCode = 1;
}
