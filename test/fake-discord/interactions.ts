import { ApplicationCommandOptionType, InteractionType } from 'discord.js';
import { type FakeChannel, type FakeUser, member } from './discord-objects.js';
import { snowflake } from './snowflake.js';

export type OptionValue = string | number | boolean | FakeUser;

/** Where an interaction happens: a guild channel (or thread), or the user's DMs with the bot. */
export type InteractionPlace = { guildId: string; channel: FakeChannel } | { dm: FakeChannel };

const commandIds = new Map<string, string>();

function optionOf(name: string, value: OptionValue, focused = false): Record<string, unknown> {
  if (typeof value === 'object')
    return {
      name,
      type: ApplicationCommandOptionType.User,
      value: value.id,
      ...(focused ? { focused } : {}),
    };
  const type =
    typeof value === 'boolean'
      ? ApplicationCommandOptionType.Boolean
      : typeof value === 'number'
        ? ApplicationCommandOptionType.Integer
        : ApplicationCommandOptionType.String;
  return { name, type, value, ...(focused ? { focused } : {}) };
}

/**
 * An INTERACTION_CREATE payload for a chat input command (`name` may be `command subcommand`) or,
 * with `focused`, an autocomplete request for that option.
 */
export function commandInteraction(
  applicationId: string,
  user: FakeUser,
  name: string,
  options: Record<string, OptionValue>,
  place: InteractionPlace,
  focused?: string,
): Record<string, unknown> & { id: string; token: string } {
  const [command, subcommand] = name.split(' ') as [string, string | undefined];
  const commandId = commandIds.get(command) ?? snowflake();
  commandIds.set(command, commandId);
  const leafOptions = Object.entries(options).map(([key, value]) => optionOf(key, value, key === focused));
  const users = Object.values(options).filter((value): value is FakeUser => typeof value === 'object');
  const inGuild = 'guildId' in place;
  const resolved =
    users.length > 0
      ? {
          users: Object.fromEntries(users.map((u) => [u.id, u])),
          ...(inGuild
            ? {
                members: Object.fromEntries(
                  users.map((u) => {
                    const { user: _user, ...rest } = member(u);
                    return [u.id, rest];
                  }),
                ),
              }
            : {}),
        }
      : undefined;
  const id = snowflake();
  return {
    id,
    application_id: applicationId,
    type: focused ? InteractionType.ApplicationCommandAutocomplete : InteractionType.ApplicationCommand,
    token: `fake-token-${id}`,
    version: 1,
    data: {
      id: commandId,
      name: command,
      type: 1,
      options: subcommand
        ? [{ name: subcommand, type: ApplicationCommandOptionType.Subcommand, options: leafOptions }]
        : leafOptions,
      ...(resolved ? { resolved } : {}),
      ...(inGuild ? { guild_id: place.guildId } : {}),
    },
    ...(inGuild
      ? {
          guild_id: place.guildId,
          channel_id: place.channel.id,
          channel: place.channel,
          member: member(user),
        }
      : { channel_id: place.dm.id, channel: place.dm, user }),
    app_permissions: '2248473465835073',
    locale: 'en-US',
    ...(inGuild ? { guild_locale: 'en-US' } : {}),
    entitlements: [],
    authorizing_integration_owners: inGuild ? { '0': place.guildId } : { '1': user.id },
    context: inGuild ? 0 : 1,
    attachment_size_limit: 10 * 1024 * 1024,
  };
}
