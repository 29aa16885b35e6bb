import { loadConfigOrExit } from '@kubecohort/config';
import { REST, Routes, type RESTGetCurrentApplicationResult } from 'discord.js';
import { BotConfig } from './bot.config.js';
import { commandDefinitions } from './commands/command.definitions.js';
import { discordRestOptions } from './discord.client.js';

/**
 * `npm run bot:register [-- --guild <id> | --global]`: registers (overwrites) the bot's slash
 * commands with Discord. Per guild they are usable at once (use it while developing); global
 * commands reach every server the bot is in, after Discord's propagation. Without an option the
 * target is DISCORD_GUILD_ID when set, else global.
 */
export async function registerCommands(
  config: BotConfig,
  target: { guildId: string | null },
): Promise<{ applicationId: string; count: number; scope: string }> {
  const rest = new REST(discordRestOptions(config)).setToken(config.DISCORD_TOKEN!);
  try {
    const applicationId =
      config.DISCORD_APPLICATION_ID ??
      ((await rest.get(Routes.currentApplication())) as RESTGetCurrentApplicationResult).id;
    const body = commandDefinitions();
    const route = target.guildId
      ? Routes.applicationGuildCommands(applicationId, target.guildId)
      : Routes.applicationCommands(applicationId);
    await rest.put(route, { body });
    return {
      applicationId,
      count: body.length,
      scope: target.guildId ? `guild ${target.guildId}` : 'global',
    };
  } finally {
    // A one-shot REST client: its cache sweepers must not outlive the call.
    rest.clearHashSweeper();
    rest.clearHandlerSweeper();
  }
}

export function parseTarget(args: string[], config: BotConfig): { guildId: string | null } {
  if (args.includes('--global')) return { guildId: null };
  const index = args.indexOf('--guild');
  if (index >= 0) {
    const guildId = args[index + 1];
    if (!guildId || !/^\d{5,25}$/.test(guildId)) throw new Error('--guild needs a Discord guild id');
    return { guildId };
  }
  return { guildId: config.DISCORD_GUILD_ID ?? null };
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isMain) {
  const config = loadConfigOrExit('bot:register', () => BotConfig.load(process.env, 'register'));
  try {
    const result = await registerCommands(config, parseTarget(process.argv.slice(2), config));
    process.stdout.write(
      `registered ${result.count} commands (${result.scope}) for application ${result.applicationId}\n`,
    );
  } catch (error) {
    process.stderr.write(`bot:register: ${(error as Error).message}\n`);
    process.exit(1);
  }
}
