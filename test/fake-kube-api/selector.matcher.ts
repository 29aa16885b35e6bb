/** Label selectors (equality and set-based) and field selectors (equality on dotted paths). */

import { errors } from './kube-status.errors.js';
import { getPath, type KubeObject } from './fake-kube-api.types.js';

type Requirement =
  | { op: 'eq' | 'neq'; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'exists' | 'notexists'; key: string };

export type Matcher = (object: KubeObject) => boolean;

/** Splits on commas that are not inside parentheses: "a in (x,y),b=c" -> ["a in (x,y)", "b=c"]. */
function splitTopLevel(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

function parseLabelRequirement(part: string): Requirement {
  const set = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part);
  if (set) {
    const values = set[3]!
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v.length > 0);
    return { op: set[2] === 'in' ? 'in' : 'notin', key: set[1]!, values };
  }
  const neq = /^([^!=\s]+)\s*!=\s*(\S*)$/.exec(part);
  if (neq) return { op: 'neq', key: neq[1]!, value: neq[2]! };
  const eq = /^([^!=\s]+)\s*==?\s*(\S*)$/.exec(part);
  if (eq) return { op: 'eq', key: eq[1]!, value: eq[2]! };
  const notExists = /^!\s*(\S+)$/.exec(part);
  if (notExists) return { op: 'notexists', key: notExists[1]! };
  if (/^[A-Za-z0-9._/-]+$/.test(part)) return { op: 'exists', key: part };
  throw errors.badRequest(`unable to parse requirement: ${part}`);
}

function evaluate(requirement: Requirement, lookup: (key: string) => string | undefined): boolean {
  const actual = lookup(requirement.key);
  switch (requirement.op) {
    case 'eq':
      return actual === requirement.value;
    case 'neq':
      return actual !== requirement.value;
    case 'in':
      return actual !== undefined && requirement.values.includes(actual);
    case 'notin':
      return actual === undefined || !requirement.values.includes(actual);
    case 'exists':
      return actual !== undefined;
    case 'notexists':
      return actual === undefined;
  }
}

export function labelMatcher(selector: string | undefined): Matcher {
  if (!selector) return () => true;
  const requirements = splitTopLevel(selector).map(parseLabelRequirement);
  return (object) => requirements.every((r) => evaluate(r, (key) => object.metadata.labels?.[key]));
}

/** Any dotted path works (metadata.name, metadata.namespace, status.phase, spec.nodeName, type). */
export function fieldMatcher(selector: string | undefined): Matcher {
  if (!selector) return () => true;
  const requirements = splitTopLevel(selector).map((part) => {
    const r = parseLabelRequirement(part);
    if (r.op !== 'eq' && r.op !== 'neq') throw errors.badRequest(`invalid field selector: ${part}`);
    return r;
  });
  return (object) =>
    requirements.every((r) =>
      evaluate(r, (key) => {
        const value = getPath(object, key.split('.'));
        if (value === undefined || value === null) return '';
        return typeof value === 'string' ? value : JSON.stringify(value);
      }),
    );
}

/** The label selector string a Scale's status.selector carries, from a LabelSelector object. */
export function selectorToString(selector: unknown): string {
  if (typeof selector !== 'object' || selector === null) return '';
  const s = selector as {
    matchLabels?: Record<string, string>;
    matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
  };
  const parts = Object.entries(s.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of s.matchExpressions ?? []) {
    const op = e.operator.toLowerCase();
    if (op === 'in' || op === 'notin') parts.push(`${e.key} ${op} (${(e.values ?? []).join(',')})`);
    else if (op === 'exists') parts.push(e.key);
    else if (op === 'doesnotexist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}
