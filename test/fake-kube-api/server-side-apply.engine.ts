/**
 * Server-side apply and managedFields bookkeeping at leaf-path granularity: every scalar, list
 * (lists are atomic here) or empty map is one owned field. Enough to reproduce ownership,
 * conflicts between managers, force, and field removal when an applier drops a field.
 */

import { KubeApiError } from './kube-status.errors.js';
import {
  deepClone,
  deepEqual,
  getPath,
  isPlainObject,
  nowIso,
  type JsonMap,
  type KubeObject,
  type ManagedFieldsEntry,
} from './fake-kube-api.types.js';

/** Which part of an object a write may touch: the main resource (not status) or the status subresource. */
export type FieldScope = 'main' | 'status' | 'all';

type Path = string[];

const IGNORED_METADATA = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
  'generateName',
]);

function pathKey(path: Path): string {
  return JSON.stringify(path);
}

function fromKey(key: string): Path {
  return JSON.parse(key) as Path;
}

function leaves(value: unknown, prefix: Path, out: Path[]): void {
  if (isPlainObject(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) leaves(v, [...prefix, k], out);
    }
    return;
  }
  out.push(prefix);
}

/** Leaf paths of an object that field management tracks, within a scope. */
export function trackedPaths(object: unknown, scope: FieldScope): Path[] {
  const out: Path[] = [];
  if (!isPlainObject(object)) return out;
  for (const [k, v] of Object.entries(object)) {
    if (k === 'apiVersion' || k === 'kind' || v === undefined) continue;
    if (scope === 'main' && k === 'status') continue;
    if (scope === 'status' && k !== 'status') continue;
    if (k === 'metadata' && isPlainObject(v)) {
      for (const [mk, mv] of Object.entries(v)) {
        if (!IGNORED_METADATA.has(mk) && mv !== undefined) leaves(mv, ['metadata', mk], out);
      }
      continue;
    }
    leaves(v, [k], out);
  }
  return out;
}

export function pathsToFieldsV1(paths: Iterable<Path>): JsonMap {
  const root: JsonMap = {};
  for (const path of paths) {
    let node = root;
    for (const segment of path) {
      const key = `f:${segment}`;
      const next = isPlainObject(node[key]) ? node[key] : {};
      node[key] = next;
      node = next;
    }
    node['.'] = {};
  }
  return stripDots(root);
}

/** A "." marker is only needed where a node is both owned itself and has owned children. */
function stripDots(node: JsonMap): JsonMap {
  const keys = Object.keys(node).filter((k) => k !== '.');
  if (keys.length === 0) return {};
  const out: JsonMap = {};
  for (const k of keys) out[k] = stripDots(node[k] as JsonMap);
  if ('.' in node) out['.'] = {};
  return out;
}

export function fieldsV1ToPaths(fields: unknown, prefix: Path = []): Path[] {
  if (!isPlainObject(fields)) return [];
  const keys = Object.keys(fields).filter((k) => k.startsWith('f:'));
  if (keys.length === 0) return prefix.length > 0 ? [prefix] : [];
  const out: Path[] = '.' in fields && prefix.length > 0 ? [prefix] : [];
  for (const k of keys) out.push(...fieldsV1ToPaths(fields[k], [...prefix, k.slice(2)]));
  return out;
}

interface Owner {
  entry: ManagedFieldsEntry;
  paths: Set<string>;
}

function owners(object: KubeObject | undefined): Owner[] {
  return (object?.metadata.managedFields ?? []).map((entry) => ({
    entry: deepClone(entry),
    paths: new Set(fieldsV1ToPaths(entry.fieldsV1).map(pathKey)),
  }));
}

function isPrefix(a: Path, b: Path): boolean {
  return a.length <= b.length && a.every((s, i) => s === b[i]);
}

function overlaps(a: Path, b: Path): boolean {
  return isPrefix(a, b) || isPrefix(b, a);
}

function deleteAt(root: unknown, path: Path): void {
  const parent = getPath(root, path.slice(0, -1));
  if (isPlainObject(parent)) delete parent[path[path.length - 1]!];
}

function setAt(root: JsonMap, path: Path, value: unknown): void {
  let node = root;
  for (const segment of path.slice(0, -1)) {
    if (!isPlainObject(node[segment])) node[segment] = {};
    node = node[segment] as JsonMap;
  }
  node[path[path.length - 1]!] = deepClone(value);
}

function isEmptyMap(value: unknown): boolean {
  return isPlainObject(value) && Object.keys(value).length === 0;
}

function formatPath(path: Path): string {
  return `.${path.join('.')}`;
}

function serialize(list: Owner[]): ManagedFieldsEntry[] {
  return list
    .filter((o) => o.paths.size > 0)
    .map((o) => ({ ...o.entry, fieldsV1: pathsToFieldsV1([...o.paths].map(fromKey)) }));
}

function sameEntry(a: ManagedFieldsEntry, manager: string, operation: string, subresource?: string): boolean {
  return a.manager === manager && a.operation === operation && (a.subresource ?? '') === (subresource ?? '');
}

export interface ApplyInput {
  live: KubeObject | undefined;
  config: KubeObject;
  manager: string;
  force: boolean;
  scope: FieldScope;
  apiVersion: string;
}

/** Returns the object after applying `config` for `manager`, or throws a 409 listing conflicts. */
export function serverSideApply(input: ApplyInput): KubeObject {
  const { live, config, manager, force, scope, apiVersion } = input;
  const subresource = scope === 'status' ? 'status' : undefined;
  const list = owners(live);
  const configPaths = trackedPaths(config, scope);
  const configKeys = new Set(configPaths.map(pathKey));

  // Conflicts: a field another manager owns, that this apply would set to a different value.
  const conflicts: Array<{ owner: Owner; path: Path }> = [];
  for (const owner of list) {
    if (owner.entry.manager === manager) continue;
    for (const ownedKey of owner.paths) {
      const owned = fromKey(ownedKey);
      const clash = configPaths.find((p) => overlaps(p, owned) && !isEmptyMap(getPath(config, p)));
      if (!clash) continue;
      const at = clash.length >= owned.length ? clash : owned;
      if (!deepEqual(getPath(live, at), getPath(config, at))) conflicts.push({ owner, path: owned });
    }
  }
  if (conflicts.length > 0 && !force) throw conflictError(conflicts, apiVersion);
  for (const { owner, path } of conflicts) owner.paths.delete(pathKey(path));

  const base: KubeObject = live
    ? deepClone(live)
    : {
        apiVersion: config.apiVersion,
        kind: config.kind,
        metadata: {
          name: config.metadata.name,
          ...(config.metadata.namespace ? { namespace: config.metadata.namespace } : {}),
        },
      };

  // Fields this manager applied before but dropped now are removed, unless someone else still owns them.
  const mine = list.find((o) => sameEntry(o.entry, manager, 'Apply', subresource));
  for (const key of mine?.paths ?? []) {
    if (configKeys.has(key)) continue;
    const path = fromKey(key);
    const stillOwned = list.some((o) => o !== mine && [...o.paths].some((k) => overlaps(fromKey(k), path)));
    if (!stillOwned) deleteAt(base, path);
  }
  for (const path of configPaths) {
    const value = getPath(config, path);
    if (value === null) deleteAt(base, path);
    else if (isEmptyMap(value) && isPlainObject(getPath(base, path)))
      continue; // `labels: {}` claims nothing
    else setAt(base, path, value);
  }

  const changed =
    !live ||
    !deepEqual(
      { ...live, metadata: { ...live.metadata, managedFields: undefined } },
      { ...base, metadata: { ...base.metadata, managedFields: undefined } },
    );
  const previousPaths = mine ? [...mine.paths].sort() : [];
  const samePaths = deepEqual(previousPaths, [...configKeys].sort());
  const entry: ManagedFieldsEntry = {
    manager,
    operation: 'Apply',
    apiVersion,
    time: mine && !changed && samePaths ? mine.entry.time : nowIso(),
    fieldsType: 'FieldsV1',
    fieldsV1: {},
    ...(subresource ? { subresource } : {}),
  };
  const rest = list.filter((o) => o !== mine);
  const updated: Owner[] = mine
    ? list.map((o) => (o === mine ? { entry, paths: configKeys } : o))
    : [...rest, { entry, paths: configKeys }];
  base.metadata.managedFields = serialize(updated);
  return base;
}

/**
 * Records an Update-operation write (create, replace, patch) by `manager`: it takes ownership of
 * every field it changed, and fields it removed are dropped from every manager.
 */
export function recordUpdate(
  previous: KubeObject | undefined,
  next: KubeObject,
  manager: string,
  scope: FieldScope,
  apiVersion: string,
): ManagedFieldsEntry[] {
  const subresource = scope === 'status' ? 'status' : undefined;
  const list = owners(previous);
  const nextPaths = trackedPaths(next, scope);
  const nextKeys = new Set(nextPaths.map(pathKey));
  const changedKeys = new Set(
    nextPaths
      .filter((p) => previous === undefined || !deepEqual(getPath(previous, p), getPath(next, p)))
      .map(pathKey),
  );
  const prevKeys = trackedPaths(previous, scope).map(pathKey);
  const removed = prevKeys.filter((k) => !nextKeys.has(k));

  for (const owner of list) {
    for (const key of [...owner.paths]) {
      const path = fromKey(key);
      const isRemoved = removed.some((r) => overlaps(fromKey(r), path)) && !nextKeys.has(key);
      const takenOver =
        !sameEntry(owner.entry, manager, 'Update', subresource) &&
        [...changedKeys].some((c) => overlaps(fromKey(c), path));
      if (isRemoved || takenOver) owner.paths.delete(key);
    }
  }
  if (changedKeys.size > 0) {
    const mine = list.find((o) => sameEntry(o.entry, manager, 'Update', subresource));
    if (mine) {
      for (const k of changedKeys) mine.paths.add(k);
      mine.entry.time = nowIso();
      mine.entry.apiVersion = apiVersion;
    } else {
      list.push({
        entry: {
          manager,
          operation: 'Update',
          apiVersion,
          time: nowIso(),
          fieldsType: 'FieldsV1',
          fieldsV1: {},
          ...(subresource ? { subresource } : {}),
        },
        paths: changedKeys,
      });
    }
  }
  return serialize(list);
}

function conflictError(conflicts: Array<{ owner: Owner; path: Path }>, apiVersion: string): KubeApiError {
  const byManager = new Map<string, { entry: ManagedFieldsEntry; paths: Path[] }>();
  for (const c of conflicts) {
    const id = `${c.owner.entry.manager}\u0000${c.owner.entry.operation}`;
    const group = byManager.get(id) ?? { entry: c.owner.entry, paths: [] };
    group.paths.push(c.path);
    byManager.set(id, group);
  }
  const n = conflicts.length;
  const lines = [...byManager.values()].map(({ entry, paths }) => {
    const who = `"${entry.manager}"${entry.operation === 'Apply' ? ` using ${entry.apiVersion || apiVersion}` : ''}`;
    return paths.length === 1
      ? `conflict with ${who}: ${formatPath(paths[0]!)}`
      : `conflicts with ${who}:\n${paths.map((p) => `- ${formatPath(p)}`).join('\n')}`;
  });
  const message = `Apply failed with ${n} conflict${n === 1 ? '' : 's'}: ${lines.join('\n')}`;
  return new KubeApiError(409, 'Conflict', message, {
    causes: conflicts.map((c) => ({
      type: 'FieldManagerConflict',
      message: `conflict with "${c.owner.entry.manager}"${c.owner.entry.operation === 'Apply' ? ` using ${c.owner.entry.apiVersion}` : ''}`,
      field: formatPath(c.path),
    })),
  });
}
