import { ConfigError } from '@kubecohort/config';
import { describe, expect, it } from '@jest/globals';
import { BotConfig } from './bot.config.js';

describe('BotConfig', () => {
  it('idles without Discord: no tokens needed, mirroring intents by default', () => {
    const config = BotConfig.load({});
    expect(config.DISCORD_TOKEN).toBeUndefined();
    expect(config.DISCORD_INTENTS).toEqual(['Guilds', 'GuildMessages', 'MessageContent']);
    expect(config.SUBMIT_WAIT_SECONDS).toBe(120);
    expect(config.BOT_NOTIFICATIONS).toBe(true);
  });

  it('needs the API token once it talks to Discord, but not to register commands', () => {
    expect(() => BotConfig.load({ DISCORD_TOKEN: 'x' })).toThrow(
      /BOT_API_TOKEN: is required when DISCORD_TOKEN is set/,
    );
    expect(BotConfig.load({ DISCORD_TOKEN: 'x' }, 'register').DISCORD_TOKEN).toBe('x');
    expect(() => BotConfig.load({}, 'register')).toThrow(/DISCORD_TOKEN/);
  });

  it('takes intents by name and names a wrong one', () => {
    expect(BotConfig.load({ DISCORD_INTENTS: 'Guilds' }).DISCORD_INTENTS).toEqual(['Guilds']);
    expect(() => BotConfig.load({ DISCORD_INTENTS: 'Guilds,Telepathy' })).toThrow(ConfigError);
    expect(() => BotConfig.load({ DISCORD_INTENTS: 'Guilds,Telepathy' })).toThrow(/DISCORD_INTENTS/);
  });
});
