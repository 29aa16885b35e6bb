import { describe, expect, it } from '@jest/globals';
import type { CheckSpec, GraderSpec, SysctlCheck } from './check-spec.types.js';
import type { CommandResult, CommandRunner, RunOptions } from './command-runner.port.js';
import { gradeTask } from './grader.runtime.js';
import { InvalidGraderError } from './grader.validator.js';
import { InfrastructureError } from './infrastructure.error.js';

/** A value to answer, or one of the special words `hang`, `infra` and `bug`. */
type Behaviour = string | ((options: RunOptions) => Promise<CommandResult>);

/**
 * A workbench whose /proc/sys values are scripted: `cat /proc/sys/<path>` answers the value, hangs
 * until aborted, or fails as a transport or a buggy port would. Other commands answer exit 0.
 */
class FakeWorkbench implements CommandRunner {
  readonly calls: { argv: string[]; options: RunOptions }[] = [];
  constructor(private readonly values: Record<string, Behaviour>) {}

  run(argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    this.calls.push({ argv: [...argv], options });
    const path = argv[0] === 'cat' ? argv[1] : undefined;
    const key = path?.replace('/proc/sys/', '').replaceAll('/', '.');
    const behaviour = key === undefined ? '' : this.values[key];
    if (behaviour === undefined) return Promise.resolve(result(`cat: ${path}: No such file or directory`, 1));
    if (typeof behaviour === 'function') return behaviour(options);
    if (behaviour === 'hang') {
      return new Promise((resolve) =>
        options.signal?.addEventListener('abort', () => resolve(result('killed', 137)), { once: true }),
      );
    }
    if (behaviour === 'infra') return Promise.reject(new InfrastructureError('exec channel closed'));
    if (behaviour === 'bug') return Promise.reject(new TypeError('cannot read properties of undefined'));
    return Promise.resolve({ stdout: `${behaviour}\n`, stderr: '', exitCode: 0, timedOut: false });
  }

  ran(key: string): boolean {
    return this.calls.some((call) => call.argv[1] === `/proc/sys/${key.replaceAll('.', '/')}`);
  }
}

function result(stderr: string, exitCode: number): CommandResult {
  return { stdout: '', stderr, exitCode, timedOut: false };
}

function sysctl(id: string, key: string, extra: Partial<SysctlCheck> = {}): SysctlCheck {
  return {
    id,
    kind: 'linux.sysctl',
    title: `${key} is 1`,
    points: 2,
    failureMessage: `${key} must be 1`,
    hint: `sysctl -w ${key}=1`,
    key,
    value: '1',
    ...extra,
  };
}

function grader(checks: CheckSpec[], extra: Partial<GraderSpec> = {}): GraderSpec {
  return { taskId: 'task', graderId: 'grader', timeoutMs: 10_000, checks, ...extra };
}

describe('gradeTask', () => {
  it('scores passed checks, and words a failure as its message plus the finding, with hint and evidence', async () => {
    const workbench = new FakeWorkbench({ 'net.a': '1', 'net.b': '0' });
    const result = await gradeTask(grader([sysctl('a', 'net.a', { points: 3 }), sysctl('b', 'net.b')]), {
      workbench,
    });
    expect(result).toMatchObject({
      taskId: 'task',
      graderId: 'grader',
      status: 'failed',
      score: 3,
      maxScore: 5,
    });
    expect(result.error).toBeUndefined();
    expect(result.checks).toEqual([
      {
        id: 'a',
        title: 'net.a is 1',
        passed: true,
        skipped: false,
        points: 3,
        maxPoints: 3,
        message: null,
        hint: null,
        evidence: { key: 'net.a', netns: null, value: '1', expected: '1' },
        durationMs: expect.any(Number),
      },
      {
        id: 'b',
        title: 'net.b is 1',
        passed: false,
        skipped: false,
        points: 0,
        maxPoints: 2,
        message: "net.b must be 1: net.b is 0 in the workbench's root namespace",
        hint: 'sysctl -w net.b=1',
        evidence: { key: 'net.b', netns: null, value: '0', expected: '1' },
        durationMs: expect.any(Number),
      },
    ]);
  });

  it('passes with full score when every check passes', async () => {
    const workbench = new FakeWorkbench({ 'net.a': '1', 'net.b': '1' });
    const result = await gradeTask(grader([sysctl('a', 'net.a'), sysctl('b', 'net.b')]), { workbench });
    expect(result).toMatchObject({ status: 'passed', score: 4, maxScore: 4 });
  });

  it('skips a check whose dependency failed (transitively), with a message, and runs nothing for it', async () => {
    const workbench = new FakeWorkbench({
      'net.a': '1',
      'net.b': '0',
      'net.c': '1',
      'net.d': '1',
      'net.e': '1',
    });
    const result = await gradeTask(
      grader([
        sysctl('a', 'net.a'),
        sysctl('b', 'net.b'),
        sysctl('c', 'net.c', { needs: ['a', 'b'] }),
        sysctl('d', 'net.d', { needs: ['c'] }),
        sysctl('e', 'net.e', { needs: ['a'] }),
      ]),
      { workbench },
    );
    const byId = Object.fromEntries(result.checks.map((check) => [check.id, check]));
    expect(byId.c).toMatchObject({
      passed: false,
      skipped: true,
      points: 0,
      maxPoints: 2,
      message: 'Not checked: first fix "net.b is 1"',
      hint: null,
      evidence: {},
    });
    expect(byId.d).toMatchObject({ skipped: true, message: 'Not checked: first fix "net.c is 1"' });
    expect(byId.e).toMatchObject({ passed: true, skipped: false });
    expect(workbench.ran('net.c')).toBe(false);
    expect(workbench.ran('net.d')).toBe(false);
    expect(result).toMatchObject({ status: 'failed', score: 4, maxScore: 10 });
  });

  it('fails a check that exceeds its own timeout, kills its command, and goes on', async () => {
    const workbench = new FakeWorkbench({ 'net.slow': 'hang', 'net.b': '1' });
    const result = await gradeTask(
      grader([sysctl('slow', 'net.slow', { timeoutMs: 100 }), sysctl('b', 'net.b')]),
      { workbench },
    );
    expect(result.checks[0]).toMatchObject({
      passed: false,
      skipped: false,
      message: 'net.slow must be 1: no answer within 0.1 s',
      hint: 'sysctl -w net.slow=1',
      evidence: { timedOutAfterMs: 100 },
    });
    expect(result.checks[0]!.durationMs).toBeGreaterThanOrEqual(90);
    const slowCall = workbench.calls.find((call) => call.argv[1] === '/proc/sys/net/slow')!;
    expect(slowCall.options.signal?.aborted).toBe(true);
    expect(slowCall.options.timeoutMs).toBeLessThanOrEqual(100);
    expect(result.checks[1]).toMatchObject({ passed: true });
    expect(result.status).toBe('failed');
  });

  it('stops at the grading time limit: the running check fails, the rest are not checked', async () => {
    const workbench = new FakeWorkbench({ 'net.slow': 'hang', 'net.b': '1' });
    const result = await gradeTask(
      grader([sysctl('slow', 'net.slow'), sysctl('b', 'net.b')], { timeoutMs: 300 }),
      {
        workbench,
      },
    );
    expect(result.checks[0]).toMatchObject({
      passed: false,
      message: 'net.slow must be 1: the grading time limit of 0.3 s was reached',
    });
    expect(result.checks[1]).toMatchObject({
      skipped: true,
      message: 'Not checked: the grading time limit of 0.3 s was reached',
    });
    expect(workbench.ran('net.b')).toBe(false);
    expect(result.status).toBe('failed');
  });

  it('turns an InfrastructureError into status error (to retry), never into a failed check', async () => {
    const teardown = { argv: ['teardown'] };
    const workbench = new FakeWorkbench({ 'net.a': '1', 'net.b': 'infra', 'net.c': '1' });
    const result = await gradeTask(
      grader([sysctl('a', 'net.a'), sysctl('b', 'net.b'), sysctl('c', 'net.c')], { teardown: [teardown] }),
      { workbench },
    );
    expect(result).toMatchObject({
      status: 'error',
      score: 0,
      maxScore: 6,
      error: { kind: 'infrastructure', code: 'transport-down', message: 'exec channel closed', checkId: 'b' },
    });
    expect(result.checks[0]).toMatchObject({ passed: true });
    for (const check of result.checks.slice(1)) {
      expect(check).toMatchObject({
        passed: false,
        skipped: true,
        message: 'Not checked: the grading stopped on an infrastructure problem; it will be retried',
      });
    }
    expect(workbench.ran('net.c')).toBe(false);
    expect(workbench.calls.at(-1)!.argv).toEqual(['teardown']);
  });

  it('reports a bug in a port or check as an internal error, not as the student failing', async () => {
    const workbench = new FakeWorkbench({ 'net.a': 'bug' });
    const result = await gradeTask(grader([sysctl('a', 'net.a')]), { workbench });
    expect(result).toMatchObject({
      status: 'error',
      error: { kind: 'internal', code: 'grader-bug', checkId: 'a' },
      checks: [{ id: 'a', skipped: true, message: 'Not checked: the grader itself failed, not your work' }],
    });
  });

  it('is an infrastructure error when the environment lacks the port the checks need', async () => {
    const setup = [{ argv: ['setup'] }];
    const result = await gradeTask(grader([sysctl('a', 'net.a')], { setup }), {});
    expect(result).toMatchObject({
      status: 'error',
      error: { kind: 'infrastructure', code: 'missing-port' },
      checks: [{ id: 'a', skipped: true }],
    });
  });

  it('is an infrastructure error when a required setup step fails; teardown still runs', async () => {
    const workbench = new FakeWorkbench({ 'net.a': '1' });
    const runs = workbench.run.bind(workbench);
    workbench.run = (argv, options) => {
      if (argv[0] !== 'prepare') return runs(argv, options);
      workbench.calls.push({ argv: [...argv], options: options ?? {} });
      return Promise.resolve(result('no space left', 1));
    };
    const result_ = await gradeTask(
      grader([sysctl('a', 'net.a')], {
        setup: [{ argv: ['prepare'], mustSucceed: true }],
        teardown: [{ argv: ['teardown'] }],
      }),
      { workbench },
    );
    expect(result_).toMatchObject({
      status: 'error',
      error: { kind: 'infrastructure', code: 'setup-failed' },
    });
    expect(result_.error!.message).toContain('no space left');
    expect(workbench.ran('net.a')).toBe(false);
    expect(workbench.calls.map((call) => call.argv[0])).toEqual(['prepare', 'teardown']);
  });

  it('ignores a failing teardown: the verdict stands', async () => {
    const workbench = new FakeWorkbench({ 'net.a': '1' });
    const runs = workbench.run.bind(workbench);
    workbench.run = (argv, options) =>
      argv[0] === 'teardown' ? Promise.reject(new InfrastructureError('gone')) : runs(argv, options);
    const result = await gradeTask(grader([sysctl('a', 'net.a')], { teardown: [{ argv: ['teardown'] }] }), {
      workbench,
    });
    expect(result.status).toBe('passed');
  });

  it('stops as a retryable error when the caller cancels (worker shutdown)', async () => {
    const workbench = new FakeWorkbench({ 'net.slow': 'hang', 'net.b': '1' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const result = await gradeTask(
      grader([sysctl('slow', 'net.slow'), sysctl('b', 'net.b')]),
      { workbench },
      {
        signal: controller.signal,
      },
    );
    expect(result).toMatchObject({ status: 'error', error: { kind: 'infrastructure', code: 'cancelled' } });
    expect(result.checks.map((check) => check.skipped)).toEqual([true, true]);
    expect(workbench.calls[0]!.options.signal?.aborted).toBe(true);
  });

  it('keeps every message within 200 characters, however long the finding', async () => {
    const workbench = new FakeWorkbench({ 'net.a': 'x'.repeat(500) });
    const result = await gradeTask(grader([sysctl('a', 'net.a')]), { workbench });
    const message = result.checks[0]!.message!;
    expect(message).toHaveLength(200);
    expect(message.startsWith('net.a must be 1: net.a is xxx')).toBe(true);
    expect(message.endsWith('…')).toBe(true);
  });

  it('refuses an invalid spec before touching the environment', async () => {
    const workbench = new FakeWorkbench({});
    const invalid = grader([
      sysctl('a', 'net.a', { needs: ['b'], failureMessage: 'x'.repeat(201) }),
      sysctl('b', 'net.b'),
      sysctl('b', 'net.c'),
    ]);
    await expect(gradeTask(invalid, { workbench })).rejects.toThrow(InvalidGraderError);
    await expect(gradeTask(invalid, { workbench })).rejects.toMatchObject({
      problems: [
        'grader/a: failure message is 201 characters (max 200)',
        'grader/a: needs b, which is not an earlier check',
        'grader/b: duplicate id',
      ],
    });
    expect(workbench.calls).toEqual([]);
  });
});
