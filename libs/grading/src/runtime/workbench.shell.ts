import type { CommandResult, CommandRunner } from './command-runner.port.js';
import { InfrastructureError } from './infrastructure.error.js';
import { parseIpAddr, parseNetnsList, parseRoutes, type IpLink, type IpRoute } from './ip-json.parser.js';

/** What graders call the workbench's own network namespace in messages. */
export const ROOT_NAMESPACE = "the workbench's root namespace";

export function describeNetns(netns: string | undefined): string {
  return netns ?? ROOT_NAMESPACE;
}

export type Lookup<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * Typed access to the workbench over a CommandRunner: every command carries the check's signal and
 * never outlives the check. Argv only, never a shell, so names from specs cannot inject commands.
 */
export class WorkbenchShell {
  constructor(
    private readonly runner: CommandRunner,
    private readonly signal: AbortSignal,
    private readonly timeLeft: () => number,
  ) {}

  run(
    argv: readonly string[],
    options: { stdin?: string; env?: Record<string, string>; timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<CommandResult> {
    const left = Math.max(1, this.timeLeft());
    return this.runner.run(argv, {
      stdin: options.stdin,
      env: options.env,
      timeoutMs: Math.min(options.timeoutMs ?? left, left),
      signal: options.signal ? AbortSignal.any([this.signal, options.signal]) : this.signal,
    });
  }

  /** argv run inside a named network namespace (`ip netns exec`), or as is for the root one. */
  inNetns(netns: string | undefined, argv: readonly string[]): string[] {
    return netns === undefined ? [...argv] : ['ip', 'netns', 'exec', netns, ...argv];
  }

  /** Throws when a tool the graders rely on is missing from the workbench image. */
  requireTool(result: CommandResult, tool: string): CommandResult {
    if (
      result.exitCode === 126 ||
      result.exitCode === 127 ||
      result.stderr.includes(`exec of "${tool}" failed`)
    ) {
      throw new InfrastructureError(
        `cannot run ${tool} in the workbench: ${firstLine(result.stderr)}`,
        'missing-tool',
      );
    }
    return result;
  }

  /** `ip` itself is part of the workbench image; when it does not run, the environment is broken. */
  private async ip(args: string[]): Promise<CommandResult> {
    return this.requireTool(await this.run(['ip', ...args]), 'ip');
  }

  async namespaces(): Promise<string[]> {
    const result = await this.ip(['-j', 'netns', 'list']);
    if (result.exitCode !== 0)
      throw new InfrastructureError(`ip netns list failed: ${firstLine(result.stderr)}`);
    return parseNetnsList(result.stdout);
  }

  async links(netns: string | undefined): Promise<Lookup<IpLink[]>> {
    const result = await this.ip([...nsArgs(netns), '-j', '-d', 'addr', 'show']);
    if (result.exitCode !== 0) return { ok: false, error: firstLine(result.stderr) };
    return { ok: true, value: parseIpAddr(result.stdout) };
  }

  async defaultRoutes(netns: string | undefined): Promise<Lookup<IpRoute[]>> {
    const result = await this.ip([...nsArgs(netns), '-j', 'route', 'show', 'default']);
    if (result.exitCode !== 0) return { ok: false, error: firstLine(result.stderr) };
    return { ok: true, value: parseRoutes(result.stdout) };
  }

  /** The route the kernel picks for `address`; an error such as `Network is unreachable` otherwise. */
  async routeGet(netns: string | undefined, address: string): Promise<Lookup<IpRoute>> {
    const result = await this.ip([...nsArgs(netns), '-j', 'route', 'get', address]);
    if (result.exitCode !== 0)
      return { ok: false, error: firstLine(result.stderr).replace(/^RTNETLINK answers: /, '') };
    const [route] = parseRoutes(result.stdout);
    return route ? { ok: true, value: route } : { ok: false, error: 'no route' };
  }

  /** Pings with a few packets; ok when any reply came back. */
  async ping(
    netns: string | undefined,
    address: string,
  ): Promise<{ ok: boolean; sent: number; received: number; error?: string }> {
    const argv = this.inNetns(netns, ['ping', '-n', '-q', '-c', '3', '-i', '0.2', '-W', '1', address]);
    const result = await this.run(argv, { timeoutMs: 8000 });
    const stats = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(result.stdout);
    if (!stats) this.requireTool(result, 'ping');
    const sent = Number(stats?.[1] ?? 0);
    const received = Number(stats?.[2] ?? 0);
    return {
      ok: result.exitCode === 0 && received > 0,
      sent,
      received,
      ...(stats ? {} : { error: firstLine(result.stderr) || `exit ${result.exitCode}` }),
    };
  }
}

function nsArgs(netns: string | undefined): string[] {
  return netns === undefined ? [] : ['-n', netns];
}

export function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.trim() ?? '';
}
