import { createHash } from 'node:crypto';
import type { CurriculumDefinition } from './curriculum.types.js';

/**
 * JSON with object keys sorted at every level and undefined properties dropped, so equal data
 * always serialises to the same text whatever order its properties were written in.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

/** sha256 (hex) of the canonical JSON of a definition: the identity of a published version. */
export function curriculumChecksum(definition: CurriculumDefinition): string {
  return createHash('sha256').update(canonicalJson(definition)).digest('hex');
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : sortKeys(item)));
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const child = (value as Record<string, unknown>)[key];
      if (child !== undefined) sorted[key] = sortKeys(child);
    }
    return sorted;
  }
  return value;
}
