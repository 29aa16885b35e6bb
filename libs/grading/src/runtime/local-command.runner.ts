import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import {
  TIMED_OUT_EXIT_CODE,
  type CommandResult,
  type CommandRunner,
  type RunOptions,
} from './command-runner.port.js';
import { InfrastructureError } from './infrastructure.error.js';

export interface LocalCommandRunnerOptions {
  /**
   * Put before every argv, e.g. `['nsenter', '--target=<pid>', '--net', '--mount', '--']` to run in
   * another process's namespaces (the tests' sandboxes) instead of this machine's own.
   */
  prefix?: readonly string[];
  /** The environment commands start from (PATH included); `process.env` by default. */
  baseEnv?: NodeJS.ProcessEnv;
  /** stdout and stderr are each cut at this many bytes. */
  maxOutputBytes?: number;
}

/** Beyond this the command's output is dropped: graders read small JSON documents and one-line errors. */
const DEFAULT_MAX_OUTPUT_BYTES = 4 * 1024 * 1024;

/**
 * The exec transport for commands on this machine (tests on real network namespaces, a local
 * workbench). Each command runs in its own process group so a timeout or an abort kills the whole
 * tree (`ip netns exec` -> ping, `sh -c` -> children).
 */
export class LocalCommandRunner implements CommandRunner {
  private readonly prefix: readonly string[];
  private readonly baseEnv: NodeJS.ProcessEnv;
  private readonly maxOutputBytes: number;

  constructor(options: LocalCommandRunnerOptions = {}) {
    this.prefix = options.prefix ?? [];
    this.baseEnv = options.baseEnv ?? process.env;
    this.maxOutputBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  }

  run(argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    const full = [...this.prefix, ...argv];
    const [file, ...args] = full;
    if (file === undefined) return Promise.reject(new Error('empty argv'));
    return new Promise<CommandResult>((resolve, reject) => {
      const child = spawn(file, args, {
        env: { ...this.baseEnv, ...options.env },
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
      });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      const sizes = { stdout: 0, stderr: 0 };
      const collect = (into: Buffer[], key: 'stdout' | 'stderr') => (chunk: Buffer) => {
        if (sizes[key] >= this.maxOutputBytes) return;
        into.push(chunk.subarray(0, this.maxOutputBytes - sizes[key]));
        sizes[key] += chunk.length;
      };
      child.stdout.on('data', collect(stdout, 'stdout'));
      child.stderr.on('data', collect(stderr, 'stderr'));

      let timedOut = false;
      let settled = false;
      const killGroup = (): void => {
        if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      };
      const timer =
        options.timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              timedOut = true;
              killGroup();
            }, options.timeoutMs);
      const onAbort = (): void => killGroup();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.signal?.aborted) killGroup();

      const finish = (result: CommandResult | Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        if (result instanceof Error) reject(result);
        else resolve(result);
      };
      child.on('error', (error: NodeJS.ErrnoException) => {
        // A program that is not there or not executable is an answer, as a shell would give it.
        if (error.code === 'ENOENT' || error.code === 'EACCES') {
          finish({
            stdout: '',
            stderr: `${file}: ${error.code === 'ENOENT' ? 'command not found' : 'permission denied'}\n`,
            exitCode: error.code === 'ENOENT' ? 127 : 126,
            timedOut: false,
          });
        } else {
          finish(
            new InfrastructureError(`cannot start ${file}: ${error.message}`, 'transport-down', {
              cause: error,
            }),
          );
        }
      });
      child.on('close', (code, signal) => {
        const signalNumber = signal ? ((constants.signals as Record<string, number>)[signal] ?? 0) : 0;
        finish({
          stdout: Buffer.concat(stdout).toString('utf8'),
          stderr: Buffer.concat(stderr).toString('utf8'),
          exitCode: timedOut ? TIMED_OUT_EXIT_CODE : (code ?? 128 + signalNumber),
          timedOut,
        });
      });
      // A command that exits without reading its stdin closes the pipe under us: not an error.
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.stdin ?? '');
    });
  }
}
