import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  InfrastructureError,
  LocalCommandRunner,
  type CommandResult,
  type CommandRunner,
  type RunOptions,
} from '@kubecohort/grading';

/**
 * A private Linux "workbench" for one lab scenario: a process in its own network AND mount
 * namespaces (`unshare --net --mount`), with fresh tmpfs on /run (so `ip netns` names such as
 * ns1 or kc-grade-a live in a private /run/netns), /opt and /var/lib (the CNI lab's plugin and
 * IPAM state) and a sysfs of its own. Commands enter it with nsenter. The fixed names the
 * curriculum promises therefore never collide with parallel tests or with the machine's own
 * namespaces, and nothing outside the sandbox is touched.
 *
 * Everything inside goes away with the holder process: the named namespaces are bind mounts in the
 * private mount namespace, the bridges and veths live in the private network namespace. The holder
 * also exits when its stdin closes, i.e. when the test process dies without cleaning up.
 */
export class NetnsSandbox {
  private closed = false;

  private constructor(
    private readonly holder: ChildProcessWithoutNullStreams,
    private readonly local: LocalCommandRunner,
  ) {}

  static async create(): Promise<NetnsSandbox> {
    const script = [
      'set -e',
      'mount -t tmpfs -o mode=755 kc-sandbox-run /run',
      'mount -t tmpfs -o mode=755 kc-sandbox-opt /opt',
      'mount -t tmpfs -o mode=755 kc-sandbox-var-lib /var/lib',
      'mount -t sysfs kc-sandbox-sys /sys',
      'ip link set lo up',
      'echo ready',
      'read -r _ || true',
    ].join('\n');
    const holder = spawn(
      'unshare',
      ['--net', '--mount', '--propagation', 'private', '--', 'sh', '-c', script],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    await new Promise<void>((resolve, reject) => {
      let stderr = '';
      holder.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      holder.stdout.once('data', () => resolve());
      holder.once('exit', (code) =>
        reject(new Error(`netns sandbox did not start (exit ${code}): ${stderr.trim()}`)),
      );
      holder.once('error', reject);
    });
    const prefix = ['nsenter', `--target=${holder.pid}`, '--net', '--mount', '--'];
    return new NetnsSandbox(holder, new LocalCommandRunner({ prefix }));
  }

  /** The exec transport into this sandbox, as the grader sees a workbench. */
  get runner(): CommandRunner {
    return {
      run: (argv: readonly string[], options?: RunOptions): Promise<CommandResult> => {
        // Like a workbench pod that is gone: the transport, not the student's work, failed.
        if (this.closed || this.holder.exitCode !== null || this.holder.signalCode !== null) {
          return Promise.reject(new InfrastructureError('the sandbox workbench is gone', 'transport-down'));
        }
        return this.local.run(argv, options);
      },
    };
  }

  /** Runs a shell script inside, failing loudly (a broken fixture must not look like a grading result). */
  async script(text: string): Promise<CommandResult> {
    const result = await this.local.run(['sh', '-s'], { stdin: text, timeoutMs: 30_000 });
    if (result.exitCode !== 0) {
      throw new Error(`fixture script failed (exit ${result.exitCode}):\n${result.stderr}${result.stdout}`);
    }
    return result;
  }

  /** Installs an executable file inside (e.g. the CNI plugin at /opt/cni/bin/kc-cni). */
  async install(target: string, content: string, mode = '755'): Promise<void> {
    const dir = path.posix.dirname(target);
    const result = await this.local.run(
      ['sh', '-c', 'mkdir -p "$1" && cat > "$2" && chmod "$3" "$2"', 'install', dir, target, mode],
      {
        stdin: content,
        timeoutMs: 10_000,
      },
    );
    if (result.exitCode !== 0) throw new Error(`install ${target} failed: ${result.stderr}`);
  }

  /** Kills the holder (and with it every namespace, link and mount made inside). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.holder.exitCode !== null || this.holder.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.holder.once('exit', () => resolve()));
    this.holder.kill('SIGKILL');
    await exited;
  }
}

/** Runs `fn` in a fresh sandbox and always tears it down. */
export async function withNetnsSandbox<T>(fn: (sandbox: NetnsSandbox) => Promise<T>): Promise<T> {
  const sandbox = await NetnsSandbox.create();
  try {
    return await fn(sandbox);
  } finally {
    await sandbox.close();
  }
}

/** Programs the Linux-lab tests run, and the Debian packages that provide them. */
const TOOLS: Record<string, string> = {
  ip: 'iproute2',
  ss: 'iproute2',
  bridge: 'iproute2',
  ping: 'iputils-ping',
  socat: 'socat',
  sysctl: 'procps',
  unshare: 'util-linux',
  nsenter: 'util-linux',
};

function has(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes sure this machine can run the sandboxes: root, and the tools above (installed with apt-get
 * when missing, so CI on a fresh Debian/Ubuntu runner needs no manual step).
 */
export function ensureNetnsTools(): void {
  if (process.getuid?.() !== 0) {
    throw new Error('the Linux-lab grader tests create real network namespaces and must run as root');
  }
  const missing = Object.keys(TOOLS).filter((tool) => !has(tool));
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((tool) => TOOLS[tool]!))];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], {
      stdio: 'ignore',
      env,
    });
  } catch {
    execFileSync('apt-get', ['update'], { stdio: 'ignore', env });
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], {
      stdio: 'ignore',
      env,
    });
  }
  const still = Object.keys(TOOLS).filter((tool) => !has(tool));
  if (still.length > 0) throw new Error(`missing tools after apt-get install: ${still.join(', ')}`);
}

/** A lab fixture script from libs/grading/src/linux/fixtures. */
export function linuxFixture(name: string): string {
  return readFileSync(path.join(process.cwd(), 'libs/grading/src/linux/fixtures', name), 'utf8');
}
