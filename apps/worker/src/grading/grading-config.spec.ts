import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '@kubecohort/config';
import { WorkerConfig } from '../worker.config.js';

const keys = `k:${Buffer.alloc(32, 1).toString('base64')}`;
const base = { DATABASE_URL: 'postgresql://localhost/x', WORKER_QUEUES: 'grading', ENCRYPTION_KEYS: keys };

describe('worker grading configuration', () => {
  it('has production defaults: test graders off, limits set', () => {
    expect(WorkerConfig.load(base)).toMatchObject({
      GRADING_TEST_GRADERS: false,
      GRADING_CONCURRENCY_PER_HOST_CLUSTER: 4,
      GRADING_MAX_ATTEMPTS: 5,
    });
  });

  it('needs ENCRYPTION_KEYS to serve the grading queue (host cluster credentials), except under NODE_ENV=test', () => {
    const { ENCRYPTION_KEYS: _keys, ...withoutKeys } = base;
    expect(() => WorkerConfig.load({ ...withoutKeys, NODE_ENV: 'production' })).toThrow(
      /ENCRYPTION_KEYS: .*grading/,
    );
    expect(WorkerConfig.load({ ...withoutKeys, NODE_ENV: 'test' }).ENCRYPTION_KEYS).toBeUndefined();
    expect(() =>
      WorkerConfig.load({ ...withoutKeys, NODE_ENV: 'production', WORKER_QUEUES: 'maintenance' }),
    ).not.toThrow();
  });

  it('refuses GRADING_TEST_GRADERS unless NODE_ENV=test', () => {
    for (const NODE_ENV of ['production', 'development', undefined]) {
      expect(() => WorkerConfig.load({ ...base, NODE_ENV, GRADING_TEST_GRADERS: '1' })).toThrow(ConfigError);
    }
    try {
      WorkerConfig.load({ ...base, NODE_ENV: 'production', GRADING_TEST_GRADERS: 'true' });
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([
        expect.stringMatching(/^GRADING_TEST_GRADERS: .*NODE_ENV=test/),
      ]);
    }
    expect(
      WorkerConfig.load({ ...base, NODE_ENV: 'test', GRADING_TEST_GRADERS: '1' }).GRADING_TEST_GRADERS,
    ).toBe(true);
  });
});
