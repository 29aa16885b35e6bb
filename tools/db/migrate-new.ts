import path from 'node:path';
import { parseCli } from './cli-support.js';
import { dropTemporaryDatabasesOnExit, errorText } from './engine-cli-support.js';
import { shadowAdminUrlFromEnv } from './db-url.js';
import { createMigration } from './schema-engine.js';

/**
 * `npm run db:migrate:new -- <name> [--schema <file>] [--migrations <dir>]`: writes the migration
 * that takes the migrations folder to schema.prisma, computed offline on a temporary database.
 */
dropTemporaryDatabasesOnExit('db:migrate:new');
try {
  const { schemaPath, migrationsDir, positionals } = parseCli();
  const name = positionals.join('_');
  if (!name) throw new Error('usage: npm run db:migrate:new -- <name>');
  const created = await createMigration({
    name,
    schemaPath,
    migrationsDir,
    shadowAdminUrl: shadowAdminUrlFromEnv(),
    connectionString: process.env.DATABASE_URL,
  });
  if (created.scriptPath === null) {
    console.log('no changes: the migrations already produce the schema');
  } else {
    console.log(`created ${path.relative(process.cwd(), created.scriptPath)}\n`);
    console.log(created.sql);
  }
} catch (error) {
  console.error(`db:migrate:new failed: ${errorText(error)}`);
  process.exitCode = 1;
}
