import { describe, expect, it } from '@jest/globals';
import { ApiError } from '../../api/api.error.js';
import type { EnvironmentView } from '../../api/api.types.js';
import { BotConfig } from '../../bot.config.js';
import { CohortDirectory } from '../../cohort.directory.js';
import type { Sleeper } from '../../sleeper.js';
import { FakeContext, FakeDiscordActions, fakeApi, STUDENT } from '../../testing/bot.fakes.js';
import type { ApiClient } from '../../api/api.client.js';
import { EnvHandler } from './env.handler.js';

const KUBECONFIG = 'apiVersion: v1\nkind: Config\nusers:\n- name: ada\n  user: {token: s3cr3t}\n';

const env = (overrides: Partial<EnvironmentView> = {}): EnvironmentView => ({
  id: 'env-1',
  state: 'provisioning',
  stateReason: null,
  progressStep: 'vcluster',
  progressPercent: 20,
  serverUrl: null,
  kubeconfigAvailable: false,
  requestedAt: '2026-01-01T10:00:00Z',
  readyAt: null,
  ...overrides,
});

const noSleep = { wait: () => Promise.resolve() } as unknown as Sleeper;

function handler(api: ApiClient, actions: FakeDiscordActions, config = BotConfig.load({})) {
  return new EnvHandler(api, actions.asActions(), config, noSleep, new CohortDirectory(api));
}

describe('EnvHandler', () => {
  describe('/env kubeconfig', () => {
    it('sends the kubeconfig by DM as a file; the (ephemeral) reply only says so', async () => {
      const actions = new FakeDiscordActions();
      const { api } = fakeApi({ kubeconfig: () => Promise.resolve(KUBECONFIG) });
      const ctx = new FakeContext('env kubeconfig');
      await handler(api, actions).kubeconfig(ctx);

      expect(ctx.deferred).toEqual({ ephemeral: true });
      expect(actions.dms).toHaveLength(1);
      expect(actions.dms[0]!.userId).toBe(STUDENT.id);
      expect(actions.dms[0]!.message.files?.[0]?.data.toString()).toBe(KUBECONFIG);
      expect(ctx.responses.every((response) => !response.files?.length)).toBe(true);
      expect(JSON.stringify(ctx.responses)).not.toContain('s3cr3t');
      expect(actions.posts).toEqual([]);
    });

    it('falls back to a file in the ephemeral reply when DMs are closed', async () => {
      const actions = new FakeDiscordActions();
      actions.dmsClosed.add(STUDENT.id);
      const { api } = fakeApi({ kubeconfig: () => Promise.resolve(KUBECONFIG) });
      const ctx = new FakeContext('env kubeconfig');
      await handler(api, actions).kubeconfig(ctx);

      expect(ctx.deferred).toEqual({ ephemeral: true });
      expect(ctx.last).toContain('only you can see');
      expect(ctx.responses.at(-1)?.files?.[0]?.data.toString()).toBe(KUBECONFIG);
      expect(actions.posts).toEqual([]);
    });

    it('says there is no environment yet', async () => {
      const { api } = fakeApi({
        kubeconfig: () => Promise.reject(new ApiError(404, 'not_found', 'environment not found')),
      });
      await expect(
        handler(api, new FakeDiscordActions()).kubeconfig(new FakeContext('env kubeconfig')),
      ).rejects.toThrow(/\/env create/);
    });
  });

  it('/env status keeps the progress bar moving until the environment is ready', async () => {
    const states = [
      env({ progressPercent: 20 }),
      env({ progressPercent: 20 }),
      env({ progressPercent: 60, progressStep: 'workbench' }),
      env({ state: 'ready', progressPercent: 100, serverUrl: 'https://vc-ada.example' }),
    ];
    const { api } = fakeApi({
      environment: () => Promise.resolve(states.shift() ?? env({ state: 'ready' })),
    });
    const ctx = new FakeContext('env status');
    await handler(api, new FakeDiscordActions()).status(ctx);
    const contents = ctx.responses.map((response) => response.content);
    expect(contents).toHaveLength(3); // 20 %, 60 %, ready (the unchanged 20 % is not re-sent)
    expect(contents[0]).toContain('[██░░░░░░░░] 20 %');
    expect(contents[1]).toContain('[██████░░░░] 60 %');
    expect(contents[2]).toContain('ready');
  });

  it('/env create shows the environment being set up', async () => {
    const { api } = fakeApi({ createEnvironment: () => Promise.resolve(env({ progressPercent: 5 })) });
    const ctx = new FakeContext('env create');
    await handler(api, new FakeDiscordActions()).create(ctx);
    expect(ctx.last).toContain('being set up');
    expect(ctx.last).toContain('5 %');
  });

  describe('/env reset', () => {
    it('asks for confirmation', async () => {
      const { api, calls } = fakeApi({});
      const ctx = new FakeContext('env reset', { confirm: false });
      await handler(api, new FakeDiscordActions()).reset(ctx);
      expect(ctx.last).toContain('confirm:True');
      expect(calls).toEqual([]);
    });

    it('asks the instructors when students may not reset their environment themselves', async () => {
      const actions = new FakeDiscordActions();
      const { api } = fakeApi({
        resetEnvironment: () =>
          Promise.reject(new ApiError(404, 'not_found', 'Cannot POST /api/v1/me/environment/reset')),
        me: () =>
          Promise.resolve({
            id: 'u',
            email: null,
            displayName: 'Ada',
            role: 'student',
            discord: null,
            enrollment: { id: 'e', cohortId: 'c1', cohortName: 'Cohort', status: 'active', currentStep: 1 },
          }),
        cohort: () =>
          Promise.resolve({
            discord: {
              guildId: 'g',
              forumChannelId: null,
              instructorChannelId: '555000000000000001',
              announceChannelId: null,
            },
          } as never),
      });
      const ctx = new FakeContext('env reset', { confirm: true });
      await handler(api, actions).reset(ctx);
      expect(actions.posts).toEqual([
        {
          channelId: '555000000000000001',
          message: { content: expect.stringContaining('asks for their environment to be reset') },
        },
      ]);
      expect(ctx.last).toContain('asked yours');
    });
  });
});
