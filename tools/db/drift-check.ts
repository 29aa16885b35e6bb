import { parseCli } from './cli-support.js';
import { dropTemporaryDatabasesOnExit, errorText } from './engine-cli-support.js';
import { shadowAdminUrlFromEnv } from './db-url.js';
import { checkDrift } from './schema-engine.js';

/**
 * `npm run db:drift [-- --schema <file> --migrations <dir>]`, the CI gate: applies every migration
 * to a temporary database and compares the result with schema.prisma. Exit 0 in sync, 1 on drift
 * (printing the SQL a new migration would need), 2 when the check itself could not run.
 */
dropTemporaryDatabasesOnExit('db:drift');
try {
  const { schemaPath, migrationsDir } = parseCli();
  const started = performance.now();
  const { inSync, sql } = await checkDrift({
    schemaPath,
    migrationsDir,
    shadowAdminUrl: shadowAdminUrlFromEnv(),
    connectionString: process.env.DATABASE_URL,
  });
  const took = `${((performance.now() - started) / 1000).toFixed(1)} s`;
  if (inSync) {
    console.log(`no drift: the migrations produce exactly the schema (${took})`);
  } else {
    console.error(`drift: schema.prisma differs from what the migrations produce (${took}); missing SQL:\n`);
    console.error(sql);
    console.error('create the migration with: npm run db:migrate:new -- <name>');
    process.exitCode = 1;
  }
} catch (error) {
  console.error(`db:drift failed: ${errorText(error)}`);
  process.exitCode = 2;
}
