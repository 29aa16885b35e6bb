export { type FakeChannel, type FakeUser } from './discord-objects.js';
export { FakeDiscord, FakeInteraction, type Place } from './fake-discord.server.js';
export type { RecordedRequest } from './request-recorder.js';
