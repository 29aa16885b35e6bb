/** JSON merge patch (RFC 7386), a strategic-merge subset, and JSON patch (RFC 6902). */

import { KubeApiError, errors } from './kube-status.errors.js';
import { deepClone, deepEqual, isPlainObject, type JsonMap } from './fake-kube-api.types.js';

export const PATCH_TYPES = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return deepClone(patch);
  const result: JsonMap = isPlainObject(target) ? deepClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/**
 * List fields that strategic merge patch merges item by item (by their merge key) instead of
 * replacing. A subset of the real patchMergeKey annotations: enough for pods and workloads.
 */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  env: 'name',
  imagePullSecrets: 'name',
  conditions: 'type',
  ownerReferences: 'uid',
  tolerations: 'key',
  hostAliases: 'ip',
};

function portKey(items: unknown[]): string | undefined {
  const first = items.find(isPlainObject);
  if (!first) return undefined;
  return 'containerPort' in first ? 'containerPort' : 'port' in first ? 'port' : undefined;
}

function mergeList(live: unknown[], patch: unknown[], key: string): unknown[] {
  const result = deepClone(live);
  for (const item of patch) {
    if (!isPlainObject(item)) continue;
    const directive = item.$patch;
    const index = result.findIndex((r) => isPlainObject(r) && r[key] === item[key]);
    if (directive === 'delete') {
      if (index >= 0) result.splice(index, 1);
      continue;
    }
    const clean = { ...item };
    delete clean.$patch;
    if (index >= 0) result[index] = strategicMergePatch(result[index], clean);
    else result.push(strategicMergePatch({}, clean));
  }
  return result;
}

export function strategicMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return deepClone(patch);
  if (patch.$patch === 'replace') {
    const clean = { ...patch };
    delete clean.$patch;
    return clean;
  }
  const result: JsonMap = isPlainObject(target) ? deepClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue; // $retainKeys, $setElementOrder...: ordering hints, ignored
    if (value === null) {
      delete result[key];
      continue;
    }
    const current = result[key];
    const mergeKey = key === 'ports' && Array.isArray(value) ? portKey(value) : MERGE_KEYS[key];
    if (Array.isArray(value) && Array.isArray(current) && mergeKey) {
      result[key] = mergeList(current, value, mergeKey);
    } else if (key === 'finalizers' && Array.isArray(value) && Array.isArray(current)) {
      // finalizers merge as a set of strings
      result[key] = [...new Set([...current, ...value])];
    } else {
      result[key] = strategicMergePatch(current, value);
    }
  }
  return result;
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw errors.badRequest(`invalid JSON pointer: ${pointer}`);
  return pointer.slice(1).split('/').map(unescapePointer);
}

interface Located {
  parent: JsonMap | unknown[];
  key: string;
}

function locate(root: unknown, path: string[], pointer: string): Located {
  let current: unknown = root;
  for (const segment of path.slice(0, -1)) {
    if (Array.isArray(current)) current = current[Number(segment)];
    else if (isPlainObject(current)) current = current[segment];
    else current = undefined;
    if (current === undefined) throw patchFailure(`doc is missing path: "${pointer}"`);
  }
  if (!Array.isArray(current) && !isPlainObject(current))
    throw patchFailure(`doc is missing path: "${pointer}"`);
  return { parent: current, key: path[path.length - 1]! };
}

function patchFailure(message: string): KubeApiError {
  return new KubeApiError(
    422,
    'Invalid',
    `the server rejected our request due to an error in our request: ${message}`,
  );
}

function readAt(root: unknown, pointer: string): unknown {
  const path = parsePointer(pointer);
  if (path.length === 0) return root;
  const { parent, key } = locate(root, path, pointer);
  const value = Array.isArray(parent) ? parent[Number(key)] : parent[key];
  if (value === undefined) throw patchFailure(`doc is missing path: "${pointer}"`);
  return value;
}

function removeAt(root: unknown, pointer: string): unknown {
  const { parent, key } = locate(root, parsePointer(pointer), pointer);
  if (Array.isArray(parent)) {
    const index = Number(key);
    if (!Number.isInteger(index) || index < 0 || index >= parent.length)
      throw patchFailure(`unable to remove nonexistent index: "${pointer}"`);
    return parent.splice(index, 1)[0];
  }
  if (!(key in parent)) throw patchFailure(`unable to remove nonexistent key: "${pointer}"`);
  const value = parent[key];
  delete parent[key];
  return value;
}

function addAt(root: unknown, pointer: string, value: unknown, replace: boolean): unknown {
  const path = parsePointer(pointer);
  if (path.length === 0) return deepClone(value);
  const { parent, key } = locate(root, path, pointer);
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(index) || index < 0 || index > parent.length)
      throw patchFailure(`index out of bounds: "${pointer}"`);
    if (replace) {
      if (index >= parent.length) throw patchFailure(`index out of bounds: "${pointer}"`);
      parent[index] = deepClone(value);
    } else {
      parent.splice(index, 0, deepClone(value));
    }
  } else {
    if (replace && !(key in parent)) throw patchFailure(`doc is missing key: "${pointer}"`);
    parent[key] = deepClone(value);
  }
  return root;
}

export function jsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw errors.badRequest('json patch must be an array of operations');
  let doc = deepClone(target);
  for (const raw of operations) {
    if (!isPlainObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw errors.badRequest('each json patch operation needs "op" and "path"');
    }
    const { op, path } = raw;
    const from = typeof raw.from === 'string' ? raw.from : '';
    switch (op) {
      case 'add':
        doc = addAt(doc, path, raw.value, false);
        break;
      case 'replace':
        doc = addAt(doc, path, raw.value, true);
        break;
      case 'remove':
        removeAt(doc, path);
        break;
      case 'move': {
        const value = removeAt(doc, from);
        doc = addAt(doc, path, value, false);
        break;
      }
      case 'copy':
        doc = addAt(doc, path, readAt(doc, from), false);
        break;
      case 'test':
        if (!deepEqual(readAt(doc, path), raw.value)) throw patchFailure(`testing value ${path} failed`);
        break;
      default:
        throw errors.badRequest(`unknown json patch operation: ${op}`);
    }
  }
  return doc;
}
