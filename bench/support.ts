import { execFileSync } from 'node:child_process';
import os from 'node:os';

/** Shared by the benchmarks' run.ts files: settings from the environment, latency summaries, the machine. */

/** A numeric setting from the environment, or its default. */
export const knob = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);

/** The p-th percentile (nearest rank) of sorted samples; NaN when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export interface Summary {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

/** Count, p50, p99 and max of latency samples (ms), optionally rounded to `decimals`. */
export function summary(samples: readonly number[], decimals?: number): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (value: number) =>
    decimals === undefined ? value : Math.round(value * 10 ** decimals) / 10 ** decimals;
  return {
    n: sorted.length,
    p50: round(percentile(sorted, 50)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? NaN),
  };
}

/** The machine a benchmark ran on, for docs/benchmarks.md. */
export function machine(): { nproc: number; cpu: string; node: string; free: string } {
  const cpus = os.cpus();
  let free: string;
  try {
    free = execFileSync('free', ['-h'], { encoding: 'utf8' }).trimEnd();
  } catch {
    free = `${Math.round(os.totalmem() / 2 ** 30)} GiB total`;
  }
  return { nproc: cpus.length, cpu: cpus[0]?.model ?? 'unknown', node: process.version, free };
}
