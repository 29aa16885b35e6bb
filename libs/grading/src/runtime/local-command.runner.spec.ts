import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LocalCommandRunner } from './local-command.runner.js';

/** Running or sleeping; a killed process waiting to be reaped (zombie) does not count. */
const alive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
};

describe('LocalCommandRunner', () => {
  const runner = new LocalCommandRunner();

  it('runs an argv with stdin and extra environment, and reports output and exit code', async () => {
    const result = await runner.run(['sh', '-c', 'read line; echo "$line $KC_WORD"; echo oops >&2; exit 3'], {
      stdin: 'hello\n',
      env: { KC_WORD: 'world' },
    });
    expect(result).toEqual({ stdout: 'hello world\n', stderr: 'oops\n', exitCode: 3, timedOut: false });
  });

  it('answers 127 for a missing program and 126 for one it cannot execute, as a shell would', async () => {
    expect(await runner.run(['/nonexistent/kc-tool'])).toMatchObject({ exitCode: 127, timedOut: false });
    const dir = mkdtempSync(path.join(tmpdir(), 'kc-runner-'));
    try {
      const notExecutable = path.join(dir, 'script.sh');
      writeFileSync(notExecutable, '#!/bin/sh\necho hi\n', { mode: 0o644 });
      expect(await runner.run([notExecutable])).toMatchObject({ exitCode: 126 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('kills the whole process tree at the timeout', async () => {
    const started = Date.now();
    const result = await runner.run(['sh', '-c', 'sleep 30 & echo $!; wait'], { timeoutMs: 200 });
    expect(result).toMatchObject({ exitCode: 124, timedOut: true });
    expect(Date.now() - started).toBeLessThan(5000);
    const grandchild = Number(result.stdout.trim());
    expect(grandchild).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(alive(grandchild)).toBe(false);
  });

  it('kills the command when the signal aborts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const result = await runner.run(['sleep', '30'], { signal: controller.signal });
    expect(result.exitCode).toBe(128 + 9);
    expect(result.timedOut).toBe(false);
  });

  it('puts its prefix before every argv', async () => {
    const prefixed = new LocalCommandRunner({ prefix: ['env', 'KC_PREFIXED=yes'] });
    expect((await prefixed.run(['sh', '-c', 'echo $KC_PREFIXED'])).stdout).toBe('yes\n');
  });
});
