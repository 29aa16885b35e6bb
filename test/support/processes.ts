import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

export const DIST = {
  api: 'dist/apps/api/src/main.js',
  worker: 'dist/apps/worker/src/main.js',
  bot: 'dist/apps/bot/src/main.js',
} as const;

export function assertBuilt(): void {
  for (const file of Object.values(DIST)) {
    if (!existsSync(file))
      throw new Error(`${file} is missing: run "npm run build" first (scripts/test does)`);
  }
}

/** A real process of ours, with its output captured and its logged port discovered. */
export class RunningProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static start(file: string, env: NodeJS.ProcessEnv, args: string[] = []): RunningProcess {
    return new RunningProcess(
      spawn(process.execPath, [file, ...args], {
        env: { PATH: process.env.PATH, TZ: 'UTC', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
  }

  /** Waits for a log line matching the pattern; returns its first capture group. */
  async waitForLog(pattern: RegExp, timeoutMs = 90000): Promise<string> {
    const started = Date.now();
    while (Date.now() - started < timeoutMs) {
      const match = pattern.exec(this.stdout);
      if (match) return match[1] ?? match[0];
      if (this.child.exitCode !== null)
        throw new Error(`process exited (${this.child.exitCode}): ${this.stderr}${this.stdout}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`no log line ${pattern} within ${timeoutMs} ms:\n${this.stdout}\n${this.stderr}`);
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill(signal);
    return this.exited;
  }
}
