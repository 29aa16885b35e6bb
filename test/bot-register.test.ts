import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { BotConfig } from '../apps/bot/src/bot.config.js';
import { commandDefinitions } from '../apps/bot/src/commands/command.definitions.js';
import { parseTarget, registerCommands } from '../apps/bot/src/register-commands.js';
import { FakeDiscord } from './fake-discord/index.js';
import { RunningProcess } from './support/processes.js';

const SCRIPT = 'dist/apps/bot/src/register-commands.js';

/** `npm run bot:register`: overwrites the application's slash commands, per guild or globally. */
describe('bot:register', () => {
  let fake: FakeDiscord;
  beforeAll(async () => {
    fake = await FakeDiscord.start();
  });
  afterAll(() => fake.stop());

  const config = (env: NodeJS.ProcessEnv = {}) =>
    BotConfig.load({ DISCORD_TOKEN: 'fake-token', DISCORD_API_URL: fake.restBase, ...env }, 'register');

  it('registers every command in one guild, reading the application id from Discord', async () => {
    const result = await registerCommands(config(), { guildId: fake.guildId });
    expect(result).toEqual({
      applicationId: fake.application.id,
      count: commandDefinitions().length,
      scope: `guild ${fake.guildId}`,
    });
    const names = (fake.registered.get(fake.guildId) as { name: string }[]).map((command) => command.name);
    expect(names.sort()).toEqual(
      [
        'accept',
        'answer',
        'ask',
        'broadcast',
        'cohort',
        'env',
        'faq',
        'inspect',
        'join',
        'lab',
        'link',
        'progress',
        'search',
      ].sort(),
    );
    const put = fake.requests.find((request) => request.method === 'PUT')!;
    expect(put.path).toBe(`/applications/${fake.application.id}/guilds/${fake.guildId}/commands`);
    expect(put.authorization).toBe('Bot fake-token');
  });

  it('chooses the target: --guild, --global, else DISCORD_GUILD_ID, else global', () => {
    const withGuild = config({ DISCORD_GUILD_ID: '123456789012' });
    expect(parseTarget(['--guild', '987654321098'], withGuild)).toEqual({ guildId: '987654321098' });
    expect(parseTarget(['--global'], withGuild)).toEqual({ guildId: null });
    expect(parseTarget([], withGuild)).toEqual({ guildId: '123456789012' });
    expect(parseTarget([], config())).toEqual({ guildId: null });
    expect(() => parseTarget(['--guild'], config())).toThrow(/--guild needs/);
  });

  it('runs as the built script: global registration with a given application id', async () => {
    expect(existsSync(SCRIPT)).toBe(true); // scripts/test builds first
    const proc = RunningProcess.start(
      SCRIPT,
      {
        DISCORD_TOKEN: 'fake-token',
        DISCORD_API_URL: fake.restBase,
        DISCORD_APPLICATION_ID: fake.application.id,
      },
      ['--global'],
    );
    expect(await proc.exited).toBe(0);
    expect(proc.stdout).toContain(`registered ${commandDefinitions().length} commands (global)`);
    expect(fake.registered.get('global')).toHaveLength(commandDefinitions().length);
  });

  it('names a missing token and exits non-zero', async () => {
    const proc = RunningProcess.start(SCRIPT, {});
    expect(await proc.exited).not.toBe(0);
    expect(proc.stderr).toMatch(/DISCORD_TOKEN: is required to register commands/);
  });
});
