import { beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { ApplicationCommandOptionType } from 'discord.js';
import { ApiError } from '../api/api.error.js';
import { commandDefinitions } from './command.definitions.js';
import { CommandRouter } from './command.router.js';
import type { CommandContext } from './command.context.js';
import { FakeContext } from '../testing/bot.fakes.js';

type Routes = ConstructorParameters<typeof CommandRouter>;

function router(lab: Partial<Record<'current' | 'submit', (ctx: CommandContext) => Promise<void>>> = {}) {
  const stub = new Proxy({}, { get: () => () => Promise.resolve() });
  return new CommandRouter(
    stub as Routes[0],
    { ...stub, ...lab } as Routes[1],
    stub as Routes[2],
    stub as Routes[3],
    stub as Routes[4],
    stub as Routes[5],
    stub as Routes[6],
  );
}

describe('CommandRouter', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('serves every registered command and subcommand, and nothing unregistered', () => {
    const registered = commandDefinitions().flatMap((command) => {
      const subcommands = (command.options ?? []).filter(
        (option) => option.type === ApplicationCommandOptionType.Subcommand,
      );
      return subcommands.length > 0
        ? subcommands.map((sub) => `${command.name} ${sub.name}`)
        : [command.name];
    });
    expect(router().routeNames().sort()).toEqual(registered.sort());
  });

  it('turns an unlinked account into a friendly, private answer', async () => {
    const ctx = new FakeContext('lab current');
    await router({
      current: () => Promise.reject(new ApiError(403, 'discord_not_linked', 'not linked')),
    }).dispatch(ctx);
    expect(ctx.responses).toEqual([{ content: expect.stringContaining('/join code:'), ephemeral: true }]);
  });

  it('hides unexpected failures', async () => {
    const ctx = new FakeContext('lab submit');
    await router({ submit: () => Promise.reject(new TypeError('x is undefined')) }).dispatch(ctx);
    expect(ctx.last).toContain('Something went wrong');
    expect(ctx.last).not.toContain('undefined');
  });

  it('answers an unknown command', async () => {
    const ctx = new FakeContext('teleport');
    await router().dispatch(ctx);
    expect(ctx.last).toContain('do not know that command');
  });
});
