import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  AttachmentBuilder,
  ChannelType,
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  MessageFlags,
  type ChatInputCommandInteraction,
  type Message,
} from 'discord.js';
import { FakeDiscord } from './index.js';

/** The fake itself, driven by a bare discord.js client: what the bot's end-to-end suite relies on. */
describe('fake Discord (REST and gateway) with the real discord.js client', () => {
  let fake: FakeDiscord;
  let client: Client;
  const interactions: ChatInputCommandInteraction[] = [];
  const messages: Message[] = [];

  beforeAll(async () => {
    fake = await FakeDiscord.start();
    client = new Client({
      intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
      rest: { api: fake.restBase },
    });
    client.on(Events.InteractionCreate, (interaction) => {
      if (interaction.isChatInputCommand()) interactions.push(interaction);
    });
    client.on(Events.MessageCreate, (message) => messages.push(message));
    const ready = new Promise((resolve) => client.once(Events.ClientReady, resolve));
    await client.login('fake-bot-token');
    await ready;
  });

  afterAll(async () => {
    await client?.destroy();
    await fake?.stop();
  });

  it('logs in over the gateway: READY with the application, then the guild and its channels', async () => {
    const session = await fake.connected();
    expect(session.intents).toBe(
      GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages | GatewayIntentBits.MessageContent,
    );
    expect(client.application?.id).toBe(fake.application.id);
    expect(client.user?.id).toBe(fake.botUser.id);
    const guild = client.guilds.cache.get(fake.guildId);
    expect(guild?.channels.cache.get(fake.channels.forum.id)?.type).toBe(ChannelType.GuildForum);
    expect(fake.requests.find((request) => request.path === '/gateway/bot')?.authorization).toBe(
      'Bot fake-bot-token',
    );
  });

  it('delivers a slash command; records the deferred ephemeral reply and its edit with a file', async () => {
    const ada = fake.addUser('ada');
    const interaction = await fake.command(ada, 'lab submit', { task: 'lab-1', confirm: true });
    const received = await fake.until(
      () => interactions.find((candidate) => candidate.id === interaction.id),
      5000,
      'the interaction',
    );
    expect(received.options.getSubcommand()).toBe('submit');
    expect(received.options.getString('task')).toBe('lab-1');
    expect(received.options.getBoolean('confirm')).toBe(true);
    expect(received.user.id).toBe(ada.id);

    await received.deferReply({ flags: MessageFlags.Ephemeral });
    const edited = await received.editReply({
      content: 'here',
      files: [new AttachmentBuilder(Buffer.from('secret: yes\n'), { name: 'file.yaml' })],
    });
    expect(edited.flags.has(MessageFlags.Ephemeral)).toBe(true);
    expect(await interaction.ephemeral()).toBe(true);
    const edit = await interaction.edit(/here/);
    expect(edit.files).toEqual([expect.objectContaining({ name: 'file.yaml', content: 'secret: yes\n' })]);
    expect(interaction.content()).toBe('here');
  });

  it('opens DMs, and refuses them like Discord once the user closed them', async () => {
    const grace = fake.addUser('grace');
    const fetched = await client.users.fetch(grace.id);
    await fetched.send('hello');
    const dm = fake.dmChannelOf(grace.id)!;
    expect(fake.channelPosts(dm.id).map((request) => request.body.content)).toEqual(['hello']);

    fake.closeDms(grace.id);
    const refused = await fetched.send('again').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DiscordAPIError);
    expect((refused as DiscordAPIError).code).toBe(50007);
  });

  it('creates forum posts and delivers messages posted in them', async () => {
    const forum = client.channels.cache.get(fake.channels.forum.id);
    if (forum?.type !== ChannelType.GuildForum) throw new Error('no forum');
    const thread = await forum.threads.create({ name: 'Why DNS?', message: { content: 'details' } });
    expect(thread.parentId).toBe(fake.channels.forum.id);
    const id = await fake.say(fake.addUser('linus'), fake.channel(thread.id)!, 'an answer');
    const received = await fake.until(
      () => messages.find((message) => message.id === id),
      5000,
      'the message',
    );
    expect(received.channel.isThread()).toBe(true);
    expect(received.content).toBe('an answer');
  });
});
