/**
 * The exec transport into a student's workbench: runs one command (an argv, no shell) and reports
 * how it ended. Production runs it in the workbench pod through the Kubernetes API (libs/kubernetes);
 * tests use LocalCommandRunner on real network namespaces.
 *
 * Contract: a command that ran resolves, whatever its exit code (a missing program is exit 127, a
 * program that cannot be executed 126, as a shell reports them). Only a transport failure rejects,
 * with an InfrastructureError.
 */
export interface CommandRunner {
  run(argv: readonly string[], options?: RunOptions): Promise<CommandResult>;
}

export interface RunOptions {
  /** Written to the command's stdin, which is then closed. Empty stdin when absent. */
  stdin?: string;
  /** Added to (and overriding) the transport's base environment. */
  env?: Readonly<Record<string, string>>;
  /** The command is killed after this long; the result then has `timedOut: true` and exit code 124. */
  timeoutMs?: number;
  /** Kills the command when aborted (the check it belongs to timed out or the grading stopped). */
  signal?: AbortSignal;
}

export interface CommandResult {
  stdout: string;
  stderr: string;
  /** 128 + signal number when killed by a signal; 124 when timed out. */
  exitCode: number;
  timedOut: boolean;
}

/** Exit code of a command killed at its deadline (as coreutils `timeout` reports it). */
export const TIMED_OUT_EXIT_CODE = 124;
