import { describe, expect, it } from '@jest/globals';
import { ConfigError } from '@kubecohort/config';
import { WorkerConfig } from '../worker.config.js';

const base = { DATABASE_URL: 'postgresql://localhost/x', WORKER_QUEUES: 'grading' };

describe('worker grading configuration', () => {
  it('has production defaults: test graders off, limits set', () => {
    expect(WorkerConfig.load(base)).toMatchObject({
      GRADING_TEST_GRADERS: false,
      GRADING_CONCURRENCY_PER_HOST_CLUSTER: 4,
      GRADING_MAX_ATTEMPTS: 5,
    });
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
