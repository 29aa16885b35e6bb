import { env, loadConfig } from '@kubecohort/config';
import { z } from 'zod';

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HEALTH_PORT: env.port(3002),
  REDIS_URL: env.redisUrl(),
  REDIS_PREFIX: z.string().min(1).default('kubecohort'),
  LOG_LEVEL: env.logLevel(),
  /** Drain time for in-flight work after SIGTERM. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10000),
  /** Base URL of the kubecohort API the bot is a client of. */
  API_URL: z.url().default('http://127.0.0.1:3000'),
  /** Without a token the bot stays idle and healthy (local runs, CI). */
  DISCORD_TOKEN: z.string().min(1).optional(),
  /** Override of Discord's REST base (tests point it at a local fake). */
  DISCORD_API_URL: z.url().optional(),
});

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- the interface below types the validated values
export class BotConfig {
  static load(source: NodeJS.ProcessEnv = process.env): BotConfig {
    return Object.assign(new BotConfig(), loadConfig(schema, source));
  }
}
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface BotConfig extends z.output<typeof schema> {}
