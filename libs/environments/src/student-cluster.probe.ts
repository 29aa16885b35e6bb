import {
  InfrastructureError,
  type ClusterProbe,
  type DnsOutcome,
  type HttpOutcome,
  type KubeObject,
  type ListQuery,
  type NetworkProbe,
  type ObjectRef,
  type PodRef,
  type ProbeCallOptions,
  type ProbeOutcome,
} from '@kubecohort/grading';
import { isKubeApiError, type CommandResult, type KubeClient } from '@kubecohort/kubernetes';
import { randomBytes } from 'node:crypto';

/** Prefix of the probe containers we add; a running one of ours may be reused by later gradings. */
export const PROBE_CONTAINER_PREFIX = 'kc-probe-';
/** Marks the HTTP status on curl's stderr, after whatever it printed there. */
const HTTP_STATUS_MARK = 'KC_HTTP_STATUS=';
const BODY_CHARS = 4096;
const ERROR_CHARS = 160;
/** Exec round trip on top of the probe's own timeout before the transport gives up. */
const EXEC_GRACE_MS = 5000;

export interface StudentClusterProbeOptions {
  /**
   * Image of the probe container: needs `nc` (OpenBSD netcat: `-z`, `-u`, `-w`), `dig` and `curl`,
   * e.g. nicolaka/netshoot. It runs with no privileges, as nobody.
   */
  image: string;
  /** A probe container that is not running after this long (image pull, quota...) is an infrastructure error. */
  startTimeoutMs: number;
  /** A probe container sleeps this long, then exits: later gradings reuse it while at least half remains. */
  lifetimeSeconds: number;
  /** Waits re-read the pod at least this often. */
  recheckMs: number;
}

export const DEFAULT_STUDENT_CLUSTER_PROBE_OPTIONS: StudentClusterProbeOptions = {
  image: 'nicolaka/netshoot:v0.13',
  startTimeoutMs: 60_000,
  lifetimeSeconds: 600,
  recheckMs: 1000,
};

type Json = Record<string, unknown>;

function record(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.map(record) : [];
}

/**
 * The ClusterProbe of one student's vcluster, through its API with the student's kubeconfig:
 * reads, and network probes from inside a source pod's network namespace. A probe adds an
 * ephemeral container (the pods/ephemeralcontainers subresource, as `kubectl debug` does) to the
 * source pod: it shares the pod's network namespace, so the traffic carries the pod's IP and is
 * subject to the NetworkPolicies that select the pod. The container sleeps; each probe is one exec
 * into it (`nc`, `dig`, `curl`). Pods only ever gain ephemeral containers, so one container serves
 * every probe from that pod while it has time left, in this grading and the next ones.
 */
export class StudentClusterProbe implements ClusterProbe {
  private readonly containers = new Map<string, Promise<string>>();

  constructor(
    private readonly kube: KubeClient,
    private readonly options: StudentClusterProbeOptions = DEFAULT_STUDENT_CLUSTER_PROBE_OPTIONS,
    private readonly now: () => number = Date.now,
  ) {}

  async get(ref: ObjectRef, options?: ProbeCallOptions): Promise<KubeObject | null> {
    options?.signal?.throwIfAborted();
    return this.infrastructure(`read ${ref.kind} ${ref.name}`, () => this.kube.get(ref));
  }

  async list(query: ListQuery, options?: ProbeCallOptions): Promise<KubeObject[]> {
    options?.signal?.throwIfAborted();
    const labelSelector = Object.entries(query.labels ?? {})
      .map(([key, value]) => `${key}=${value}`)
      .join(',');
    return this.infrastructure(`list ${query.kind}`, () =>
      this.kube.list({
        apiVersion: query.apiVersion,
        kind: query.kind,
        ...(query.namespace ? { namespace: query.namespace } : {}),
        ...(labelSelector ? { labelSelector } : {}),
      }),
    );
  }

  async probeFromPod(source: PodRef, probe: NetworkProbe, options?: ProbeCallOptions): Promise<ProbeOutcome> {
    const container = await this.probeContainer(source, options?.signal);
    const runner = this.kube.execRunner({ namespace: source.namespace, pod: source.pod, container });
    // Transport failures reject with ExecTransportError, which graders see as an InfrastructureError.
    const result = await runner.run(probeCommand(probe), {
      timeoutMs: probe.timeoutMs + EXEC_GRACE_MS,
      signal: options?.signal,
    });
    return probeOutcome(probe, result);
  }

  /** The name of a running probe container in the pod: one of ours with time left, or a new one. */
  private probeContainer(source: PodRef, signal?: AbortSignal): Promise<string> {
    const key = `${source.namespace}/${source.pod}`;
    let container = this.containers.get(key);
    if (!container) {
      container = this.startContainer(source, signal);
      this.containers.set(key, container);
      container.catch(() => this.containers.delete(key));
    }
    return container;
  }

  private async startContainer(source: PodRef, signal?: AbortSignal): Promise<string> {
    const ref = { apiVersion: 'v1', kind: 'Pod', namespace: source.namespace, name: source.pod };
    const pod = await this.get(ref, { signal });
    if (!pod)
      throw new InfrastructureError(`pod ${source.namespace}/${source.pod} is gone`, 'probe-source-gone');
    const reusable = this.reusableContainer(pod);
    if (reusable) return reusable;

    const name = `${PROBE_CONTAINER_PREFIX}${randomBytes(4).toString('hex')}`;
    await this.infrastructure(`add a probe container to ${source.namespace}/${source.pod}`, () =>
      this.kube.addEphemeralContainer(
        { namespace: source.namespace, name: source.pod },
        {
          name,
          image: this.options.image,
          command: ['sleep', String(this.options.lifetimeSeconds)],
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 65534,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
          },
        },
      ),
    );
    let state: Json = {};
    try {
      await this.kube.waitFor(
        ref,
        (seen) => {
          state = containerState(seen, name);
          return !seen || 'running' in state || 'terminated' in state;
        },
        { timeoutMs: this.options.startTimeoutMs, recheckMs: this.options.recheckMs, signal },
      );
    } catch (error) {
      if (signal?.aborted) throw error;
      const waiting = record(state.waiting);
      const why = typeof waiting.reason === 'string' ? `: ${waiting.reason}` : '';
      throw new InfrastructureError(
        `the probe container in ${source.namespace}/${source.pod} did not start${why}`,
        'probe-start',
        { cause: error },
      );
    }
    if (!('running' in state))
      throw new InfrastructureError(
        `the probe container in ${source.namespace}/${source.pod} ${'terminated' in state ? 'exited at once' : 'vanished with its pod'}`,
        'probe-start',
      );
    return name;
  }

  private reusableContainer(pod: KubeObject): string | undefined {
    const halfLifeMs = (this.options.lifetimeSeconds * 1000) / 2;
    for (const status of list(record(pod.status).ephemeralContainerStatuses)) {
      const name = status.name;
      if (typeof name !== 'string' || !name.startsWith(PROBE_CONTAINER_PREFIX)) continue;
      const startedAt = record(record(status.state).running).startedAt;
      if (typeof startedAt !== 'string') continue;
      if (this.now() - Date.parse(startedAt) < halfLifeMs) return name;
    }
    return undefined;
  }

  private async infrastructure<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (isKubeApiError(error))
        throw new InfrastructureError(
          `cannot ${what} in the student's cluster (${error.kind})`,
          `kube-${error.kind}`,
          { cause: error },
        );
      throw error;
    }
  }
}

function containerState(pod: KubeObject | null, name: string): Json {
  const status = list(record(pod?.status).ephemeralContainerStatuses).find((each) => each.name === name);
  return record(status?.state);
}

function seconds(timeoutMs: number): string {
  return String(Math.max(1, Math.ceil(timeoutMs / 1000)));
}

/** The probe as argv (no shell but for UDP's pipe; every value is an argument, never parsed). */
export function probeCommand(probe: NetworkProbe): string[] {
  switch (probe.kind) {
    case 'tcp':
      return ['nc', '-z', '-w', seconds(probe.timeoutMs), probe.host, String(probe.port)];
    case 'udp':
      return [
        'sh',
        '-c',
        'printf %s "$1" | nc -u -w "$2" "$3" "$4"',
        'kc-probe',
        probe.payload,
        seconds(probe.timeoutMs),
        probe.host,
        String(probe.port),
      ];
    case 'dns':
      return [
        'dig',
        '+search',
        `+time=${seconds(probe.timeoutMs)}`,
        '+tries=1',
        '+noall',
        '+comments',
        '+answer',
        '-t',
        probe.recordType,
        probe.name,
      ];
    case 'http':
      return [
        'curl',
        '-sS',
        '--max-time',
        seconds(probe.timeoutMs),
        ...(probe.method === 'HEAD' ? ['--head'] : []),
        ...Object.entries(probe.headers ?? {}).flatMap(([name, value]) => ['-H', `${name}: ${value}`]),
        '-w',
        `%{stderr}${HTTP_STATUS_MARK}%{http_code}\\n`,
        '--',
        probe.url,
      ];
  }
}

function lastLine(text: string): string {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith(HTTP_STATUS_MARK));
  return (lines.at(-1) ?? '').slice(0, ERROR_CHARS);
}

/** A probe tool's complaint, in the words graders show: `connection refused`, `timeout`... */
function connectError(result: CommandResult): string {
  if (result.timedOut) return 'timeout';
  const said = lastLine(result.stderr);
  if (/refused/i.test(said)) return 'connection refused';
  if (/timed? ?out/i.test(said)) return 'timeout';
  if (/no route|unreachable/i.test(said)) return 'no route to host';
  return said || `exit code ${result.exitCode}`;
}

/** Reads the tool's output. What it says about the student's network is a value; never throws. */
export function probeOutcome(probe: NetworkProbe, result: CommandResult): ProbeOutcome {
  switch (probe.kind) {
    case 'tcp':
      return result.exitCode === 0
        ? { kind: 'tcp', ok: true }
        : { kind: 'tcp', ok: false, error: connectError(result) };
    case 'udp':
      // No handshake: a reply from the (echo) server is the only proof the datagram arrived.
      return result.stdout.trim() !== ''
        ? { kind: 'udp', ok: true }
        : {
            kind: 'udp',
            ok: false,
            error: result.exitCode === 0 || result.timedOut ? 'no reply' : connectError(result),
          };
    case 'dns':
      return dnsOutcome(probe.recordType, result);
    case 'http':
      return httpOutcome(result);
  }
}

function dnsOutcome(recordType: 'A' | 'AAAA', result: CommandResult): DnsOutcome {
  // dig exits 9 when no server answered.
  if (result.timedOut || result.exitCode === 9)
    return { kind: 'dns', ok: false, addresses: [], error: 'timeout' };
  const status = /status: ([A-Z]+)/.exec(result.stdout)?.[1];
  const addresses = result.stdout
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith(';'))
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[3] === recordType && fields[4] !== undefined)
    .map((fields) => fields[4]!);
  if (addresses.length > 0) return { kind: 'dns', ok: true, addresses };
  const error =
    status && status !== 'NOERROR'
      ? status
      : result.exitCode !== 0
        ? lastLine(result.stderr) || `exit code ${result.exitCode}`
        : `no ${recordType} record`;
  return { kind: 'dns', ok: false, addresses: [], error };
}

function httpOutcome(result: CommandResult): HttpOutcome {
  const marked = new RegExp(`${HTTP_STATUS_MARK}(\\d{3})`).exec(result.stderr);
  const status = marked ? Number(marked[1]) : 0;
  const body = result.stdout.slice(0, BODY_CHARS);
  if (status > 0) return { kind: 'http', ok: true, status, body };
  // curl: 28 timed out, 7 could not connect, 6 could not resolve the host.
  const error = result.timedOut || result.exitCode === 28 ? 'timeout' : connectError(result);
  return { kind: 'http', ok: false, error };
}
