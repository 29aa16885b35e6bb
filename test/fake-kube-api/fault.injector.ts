/** Fault injection for tests: canned error answers, dropped connections, added latency, killed watches. */

import { KubeApiError, reasonForCode } from './kube-status.errors.js';

export interface FaultSpec {
  /** HTTP method to match (any when omitted). */
  method?: string;
  /** RegExp tested against the path, or a string the path must contain. */
  pathPattern: RegExp | string;
  /** Status code to answer with (default 500). */
  status?: number;
  /** Sets the Retry-After header and details.retryAfterSeconds (429/503 usually). */
  retryAfterSeconds?: number;
  /** How many matching requests fail (default 1; Infinity for all). */
  times?: number;
  reason?: string;
  message?: string;
  /** Destroys the connection instead of answering (a network failure, not an HTTP error). */
  dropConnection?: boolean;
  /** Only watch requests (true) or only non-watch requests (false). */
  watch?: boolean;
}

export interface FaultHandle {
  readonly spec: FaultSpec;
  /** Requests this fault answered so far. */
  readonly hits: number;
  readonly remaining: number;
  remove(): void;
}

interface ActiveFault extends FaultHandle {
  hits: number;
  remaining: number;
}

export type FaultAction = { kind: 'error'; error: KubeApiError } | { kind: 'drop' };

function defaultMessage(status: number): string {
  switch (status) {
    case 429:
      return 'Too many requests, please try again later.';
    case 500:
      return 'Internal error occurred: fake-kube-api injected fault';
    case 503:
      return 'the server is currently unable to handle the request';
    case 504:
      return 'the server was unable to return a response in the time allotted, but may still be processing the request';
    case 409:
      return 'Operation cannot be fulfilled: fake-kube-api injected conflict';
    default:
      return `fake-kube-api injected fault (${status})`;
  }
}

export class FaultInjector {
  private faults: ActiveFault[] = [];
  private latencyMs = 0;

  constructor(private readonly watchKiller: () => number) {}

  add(spec: FaultSpec): FaultHandle {
    const fault: ActiveFault = {
      spec,
      hits: 0,
      remaining: spec.times ?? 1,
      remove: () => {
        this.faults = this.faults.filter((f) => f !== fault);
      },
    };
    this.faults.push(fault);
    return fault;
  }

  /** Adds this many milliseconds before every request is handled (0 turns it off). */
  latency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }

  get currentLatencyMs(): number {
    return this.latencyMs;
  }

  /** Ends every open watch stream abruptly; returns how many were dropped. */
  dropWatches(): number {
    return this.watchKiller();
  }

  clear(): void {
    this.faults = [];
    this.latencyMs = 0;
  }

  get active(): readonly FaultHandle[] {
    return this.faults;
  }

  /** The action for a request, consuming one use of the first matching fault. */
  take(method: string, path: string, isWatch: boolean): FaultAction | undefined {
    const fault = this.faults.find((f) => {
      const s = f.spec;
      if (f.remaining <= 0) return false;
      if (s.method && s.method.toUpperCase() !== method.toUpperCase()) return false;
      if (s.watch !== undefined && s.watch !== isWatch) return false;
      if (typeof s.pathPattern === 'string') return path.includes(s.pathPattern);
      s.pathPattern.lastIndex = 0; // a /g pattern is stateful
      return s.pathPattern.test(path);
    });
    if (!fault) return undefined;
    fault.hits++;
    fault.remaining--;
    if (fault.remaining <= 0) fault.remove();
    if (fault.spec.dropConnection) return { kind: 'drop' };
    const status = fault.spec.status ?? 500;
    const retry = fault.spec.retryAfterSeconds;
    const headers: Record<string, string> = retry !== undefined ? { 'Retry-After': String(retry) } : {};
    const error = new KubeApiError(
      status,
      fault.spec.reason ?? reasonForCode(status),
      fault.spec.message ?? defaultMessage(status),
      retry !== undefined ? { retryAfterSeconds: retry } : undefined,
      headers,
    );
    return { kind: 'error', error };
  }
}
