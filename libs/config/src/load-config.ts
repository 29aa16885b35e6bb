import { z } from 'zod';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates the environment against an app's schema. Every missing or invalid variable is named
 * in one message, so an operator fixes them all in one go.
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    const missing = issue.code === 'invalid_type' && env[String(issue.path[0])] === undefined;
    return missing ? `${name} is required` : `${name}: ${issue.message}`;
  });
  throw new ConfigError(problems);
}

/**
 * Runs an app's config loader at boot: on failure prints one line naming every bad variable to
 * stderr and exits non-zero, before any logger or connection exists.
 */
export function loadConfigOrExit<T>(appName: string, load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${appName}: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}
