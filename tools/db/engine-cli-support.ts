import { errorLine } from './cli-support.js';
import { lastEnginePanic, SchemaEngineError } from './schema-engine.js';
import { closeAllShadowFactories } from './shadow-database.js';

/** CLI plumbing of the schema-engine commands (db:migrate:new, db:drift), kept off the deploy path. */

/** The whole message for schema-engine errors (they carry a schema excerpt), one line otherwise. */
export function errorText(error: unknown): string {
  return error instanceof SchemaEngineError ? error.message : errorLine(error);
}

/**
 * Ctrl-C, a CI cancel or an engine panic (which surfaces as an uncaught exception from a Wasm
 * callback) still drops the temporary databases before the process exits.
 */
export function dropTemporaryDatabasesOnExit(command: string): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void closeAllShadowFactories().finally(() => process.exit(130));
    });
  }
  process.once('uncaughtException', (error) => {
    const panic = lastEnginePanic();
    console.error(`${command} failed: ${panic ? `schema engine panicked: ${panic}` : errorLine(error)}`);
    void closeAllShadowFactories().finally(() => process.exit(2));
  });
}
