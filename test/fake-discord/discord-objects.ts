import { ChannelType } from 'discord.js';
import { snowflake } from './snowflake.js';

/*
 * Builders of the JSON objects Discord sends (users, members, channels, guilds, messages,
 * interactions), with the fields discord.js 14 reads. Shapes follow Discord's API v10 docs.
 */

export interface FakeUser {
  id: string;
  username: string;
  global_name: string | null;
  discriminator: string;
  avatar: null;
  bot?: boolean;
}

export function user(username: string, options: { bot?: boolean; id?: string } = {}): FakeUser {
  return {
    id: options.id ?? snowflake(),
    username,
    global_name: username,
    discriminator: '0',
    avatar: null,
    ...(options.bot ? { bot: true } : {}),
  };
}

export function member(of: FakeUser): Record<string, unknown> {
  return {
    user: of,
    nick: null,
    avatar: null,
    roles: [],
    joined_at: new Date(0).toISOString(),
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    permissions: '2248473465835073',
  };
}

export interface FakeChannel {
  id: string;
  type: ChannelType;
  name?: string;
  guild_id?: string;
  parent_id?: string | null;
  [key: string]: unknown;
}

export function textChannel(guildId: string, name: string, position = 0): FakeChannel {
  return {
    id: snowflake(),
    type: ChannelType.GuildText,
    guild_id: guildId,
    name,
    position,
    permission_overwrites: [],
    parent_id: null,
    topic: null,
    nsfw: false,
    last_message_id: null,
    rate_limit_per_user: 0,
    flags: 0,
  };
}

export function forumChannel(guildId: string, name: string, position = 0): FakeChannel {
  return {
    id: snowflake(),
    type: ChannelType.GuildForum,
    guild_id: guildId,
    name,
    position,
    permission_overwrites: [],
    parent_id: null,
    topic: null,
    nsfw: false,
    last_message_id: null,
    rate_limit_per_user: 0,
    flags: 0,
    available_tags: [],
    default_reaction_emoji: null,
    default_thread_rate_limit_per_user: 0,
    default_sort_order: null,
    default_forum_layout: 0,
  };
}

export function threadChannel(
  guildId: string,
  parentId: string,
  name: string,
  ownerId: string,
  id = snowflake(),
): FakeChannel {
  return {
    id,
    type: ChannelType.PublicThread,
    guild_id: guildId,
    parent_id: parentId,
    owner_id: ownerId,
    name,
    last_message_id: id,
    rate_limit_per_user: 0,
    message_count: 0,
    member_count: 1,
    total_message_sent: 0,
    flags: 0,
    applied_tags: [],
    thread_metadata: {
      archived: false,
      auto_archive_duration: 4320,
      archive_timestamp: new Date().toISOString(),
      locked: false,
      create_timestamp: new Date().toISOString(),
    },
  };
}

export function dmChannel(recipient: FakeUser): FakeChannel {
  return { id: snowflake(), type: ChannelType.DM, last_message_id: null, flags: 0, recipients: [recipient] };
}

export function guild(
  id: string,
  name: string,
  ownerId: string,
  channels: FakeChannel[],
  threads: FakeChannel[] = [],
) {
  return {
    id,
    name,
    icon: null,
    splash: null,
    discovery_splash: null,
    owner_id: ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    roles: [
      {
        id,
        name: '@everyone',
        color: 0,
        hoist: false,
        icon: null,
        unicode_emoji: null,
        position: 0,
        permissions: '2248473465835073',
        managed: false,
        mentionable: false,
        flags: 0,
      },
    ],
    emojis: [],
    features: [],
    mfa_level: 0,
    application_id: null,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    preferred_locale: 'en-US',
    public_updates_channel_id: null,
    nsfw_level: 0,
    stickers: [],
    premium_progress_bar_enabled: false,
    // GUILD_CREATE extras
    joined_at: new Date(0).toISOString(),
    large: false,
    unavailable: false,
    member_count: 1,
    voice_states: [],
    members: [],
    channels,
    threads,
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}

export interface AttachmentInfo {
  id: string;
  filename: string;
  size: number;
  url: string;
  proxy_url: string;
  content_type?: string;
}

export function message(
  channelId: string,
  author: FakeUser,
  content: string,
  extra: {
    guildId?: string;
    id?: string;
    flags?: number;
    attachments?: AttachmentInfo[];
    webhookId?: string;
  } = {},
): Record<string, unknown> {
  return {
    id: extra.id ?? snowflake(),
    channel_id: channelId,
    ...(extra.guildId ? { guild_id: extra.guildId } : {}),
    author,
    content,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: extra.attachments ?? [],
    embeds: [],
    components: [],
    pinned: false,
    type: 0,
    flags: extra.flags ?? 0,
    ...(extra.webhookId ? { webhook_id: extra.webhookId } : {}),
  };
}
