import { Injectable } from '@nestjs/common';

/** Something whose reachability decides readiness (PostgreSQL, Redis). */
export interface ReadinessProbe {
  readonly name: string;
  check(): Promise<void>;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { ok: boolean; error?: string; ms: number }>;
}

const PROBE_TIMEOUT_MS = 2000;

@Injectable()
export class HealthService {
  private readonly probes: ReadinessProbe[] = [];
  private shuttingDown = false;

  register(probe: ReadinessProbe): void {
    this.probes.push(probe);
  }

  /** Once shutdown begins, readiness fails so load balancers stop sending new work. */
  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  async readiness(): Promise<ReadinessReport> {
    const entries = await Promise.all(
      this.probes.map(async (probe): Promise<[string, ReadinessReport['checks'][string]]> => {
        const started = performance.now();
        try {
          await withTimeout(
            probe.check(),
            PROBE_TIMEOUT_MS,
            `${probe.name} did not answer in ${PROBE_TIMEOUT_MS} ms`,
          );
          return [probe.name, { ok: true, ms: Math.round(performance.now() - started) }];
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          return [
            probe.name,
            { ok: false, error: message.slice(0, 200), ms: Math.round(performance.now() - started) },
          ];
        }
      }),
    );
    const checks: ReadinessReport['checks'] = Object.fromEntries(entries);
    const ready = !this.shuttingDown && entries.every(([, result]) => result.ok);
    return { ready, checks };
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
