import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';

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

const BENCHMARKS_HEADER =
  "# Benchmarks\n\nMeasured figures of kubecohort's performance-sensitive paths, each with the machine it ran on.\n";

/**
 * Puts `section` (which starts with `<!-- name:start -->` and ends with `<!-- name:end -->`) into
 * docs/benchmarks.md in place of that section's previous run, or at the end, and formats the file
 * as the repository's Prettier config says (CI checks it). Re-reads the file right before writing:
 * each benchmark owns one section. Returns the file's path.
 */
export async function writeBenchmarksSection(name: string, section: string): Promise<string> {
  const file = resolve(dirname(fileURLToPath(import.meta.url)), '../docs/benchmarks.md');
  const current = existsSync(file) ? readFileSync(file, 'utf8') : BENCHMARKS_HEADER;
  const pattern = new RegExp(`<!-- ${name}:start -->[\\s\\S]*?<!-- ${name}:end -->\\n?`);
  const text = section.endsWith('\n') ? section : `${section}\n`;
  const next = pattern.test(current) ? current.replace(pattern, text) : `${current.trimEnd()}\n\n${text}`;
  const options = (await prettier.resolveConfig(file)) ?? {};
  writeFileSync(file, await prettier.format(next, { ...options, filepath: file }));
  return file;
}
