import { env, loadConfig } from '@kubecohort/config';
import { GatewayIntentBits } from 'discord.js';
import { z } from 'zod';

const INTENT_NAMES = Object.keys(GatewayIntentBits).filter((name) => Number.isNaN(Number(name)));

const base = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HEALTH_PORT: env.port(3002),
  REDIS_URL: env.redisUrl(),
  REDIS_PREFIX: z.string().min(1).default('kubecohort'),
  LOG_LEVEL: env.logLevel(),
  /** Drain time for in-flight work after SIGTERM. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10000),
  /** Base URL of the kubecohort API the bot is a client of. */
  API_URL: z.url().default('http://127.0.0.1:3000'),
  /** Service token (scopes act-as-student, join-students, read-cohorts); required with DISCORD_TOKEN. */
  BOT_API_TOKEN: z.string().min(1).optional(),
  /** Without a token the bot stays idle and healthy (local runs, CI). */
  DISCORD_TOKEN: z.string().min(1).optional(),
  /** Override of Discord's REST base (tests point it at a local fake). */
  DISCORD_API_URL: z.url().optional(),
  /**
   * Gateway intents. Mirroring thread replies as answers needs GuildMessages and the privileged
   * MessageContent intent (enable it in the developer portal, or drop both to run without mirroring).
   */
  DISCORD_INTENTS: env
    .csv()
    .default(['Guilds', 'GuildMessages', 'MessageContent'])
    .pipe(
      z.array(
        z.string().refine((name) => INTENT_NAMES.includes(name), {
          message: `each intent must be one of discord.js GatewayIntentBits (e.g. Guilds, GuildMessages, MessageContent)`,
        }),
      ),
    ),
  /** For `bot:register`: the application id (read from Discord with the token when unset). */
  DISCORD_APPLICATION_ID: z
    .string()
    .regex(/^\d{5,25}$/, 'must be a Discord id')
    .optional(),
  /** For `bot:register`: register in this guild only (instant); global when unset. */
  DISCORD_GUILD_ID: z
    .string()
    .regex(/^\d{5,25}$/, 'must be a Discord id')
    .optional(),
  /** How long `/lab submit` waits for the grading before it promises a direct message instead. */
  SUBMIT_WAIT_SECONDS: z.coerce.number().int().min(5).max(840).default(120),
  /** How often a waiting `/lab submit` also asks the API, in case an event was missed. */
  SUBMIT_POLL_MS: z.coerce.number().int().min(100).default(3000),
  /** How long `/env status` keeps its progress bar moving while the environment is being set up. */
  ENV_STATUS_WATCH_SECONDS: z.coerce.number().int().min(0).max(840).default(90),
  /** Direct messages and instructor-channel posts from live events. */
  BOT_NOTIFICATIONS: env.bool(true),
});

/** Running: the API token is needed as soon as the bot talks to Discord. */
const schema = base.superRefine((value, context) => {
  if (value.DISCORD_TOKEN && !value.BOT_API_TOKEN)
    context.addIssue({
      code: 'custom',
      path: ['BOT_API_TOKEN'],
      message: 'is required when DISCORD_TOKEN is set',
    });
});

/** `bot:register` talks to Discord only: it needs the Discord token, not the API's. */
const registerSchema = base.superRefine((value, context) => {
  if (!value.DISCORD_TOKEN)
    context.addIssue({
      code: 'custom',
      path: ['DISCORD_TOKEN'],
      message: 'is required to register commands',
    });
});

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- the interface below types the validated values
export class BotConfig {
  static load(source: NodeJS.ProcessEnv = process.env, purpose: 'run' | 'register' = 'run'): BotConfig {
    return Object.assign(new BotConfig(), loadConfig(purpose === 'run' ? schema : registerSchema, source));
  }
}
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface BotConfig extends z.output<typeof base> {}
