/**
 * In-memory object storage with one global resourceVersion counter (like etcd's revision), and an
 * event history so watches can resume from a resourceVersion.
 */

import { deepClone, deepEqual, type KubeObject } from './fake-kube-api.types.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: WatchEventType;
  rv: number;
  /** Storage key of the resource (group/plural). */
  key: string;
  object: KubeObject;
  /** The object before a MODIFIED, so watches with selectors can turn it into ADDED/DELETED. */
  oldObject?: KubeObject;
}

export type StoreListener = (event: StoreEvent) => void;

function itemKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

/** Fields the store owns: equal objects apart from these are "unchanged" and keep their resourceVersion. */
function withoutVolatile(obj: KubeObject): KubeObject {
  const copy = { ...obj, metadata: { ...obj.metadata } };
  delete copy.metadata.resourceVersion;
  delete copy.metadata.managedFields;
  return copy;
}

export class ObjectStore {
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly listeners = new Set<StoreListener>();
  private history: StoreEvent[] = [];
  private revision = 1000;
  /** Events at or below this revision are no longer replayable. */
  private compactedRevision = 1000;

  constructor(private readonly historyLimit = 10000) {}

  currentRv(): number {
    return this.revision;
  }

  get(key: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.objects.get(key)?.get(itemKey(namespace, name));
    return found ? deepClone(found) : undefined;
  }

  /** Objects of one resource, optionally in one namespace, ordered by namespace then name. */
  list(key: string, namespace?: string): KubeObject[] {
    const bucket = this.objects.get(key);
    if (!bucket) return [];
    return [...bucket.values()]
      .filter((o) => namespace === undefined || o.metadata.namespace === namespace)
      .sort((a, b) =>
        itemKey(a.metadata.namespace, a.metadata.name).localeCompare(
          itemKey(b.metadata.namespace, b.metadata.name),
        ),
      )
      .map((o) => deepClone(o));
  }

  /** Every stored object in a namespace, whatever its resource (for namespace finalization). */
  listNamespaceContent(namespace: string): Array<{ key: string; object: KubeObject }> {
    const out: Array<{ key: string; object: KubeObject }> = [];
    for (const [key, bucket] of this.objects) {
      for (const object of bucket.values()) {
        if (object.metadata.namespace === namespace) out.push({ key, object: deepClone(object) });
      }
    }
    return out;
  }

  /** Every stored object, whatever its resource (for owner-reference garbage collection). */
  listAll(): Array<{ key: string; object: KubeObject }> {
    const out: Array<{ key: string; object: KubeObject }> = [];
    for (const [key, bucket] of this.objects) {
      for (const object of bucket.values()) out.push({ key, object: deepClone(object) });
    }
    return out;
  }

  create(key: string, object: KubeObject): KubeObject {
    const bucket = this.objects.get(key) ?? new Map<string, KubeObject>();
    this.objects.set(key, bucket);
    const id = itemKey(object.metadata.namespace, object.metadata.name);
    if (bucket.has(id)) throw new Error(`fake-kube-api store: ${key} ${id} already exists`);
    const stored = deepClone(object);
    stored.metadata.resourceVersion = String(++this.revision);
    bucket.set(id, stored);
    this.emit({ type: 'ADDED', rv: this.revision, key, object: deepClone(stored) });
    return deepClone(stored);
  }

  /** Replaces the stored object; a no-op (same resourceVersion, no event) when nothing changed. */
  update(key: string, object: KubeObject): KubeObject {
    const bucket = this.objects.get(key);
    const id = itemKey(object.metadata.namespace, object.metadata.name);
    const previous = bucket?.get(id);
    if (!bucket || !previous) throw new Error(`fake-kube-api store: ${key} ${id} does not exist`);
    if (
      deepEqual(withoutVolatile(previous), withoutVolatile(object)) &&
      deepEqual(previous.metadata.managedFields, object.metadata.managedFields)
    ) {
      return deepClone(previous);
    }
    const stored = deepClone(object);
    stored.metadata.resourceVersion = String(++this.revision);
    bucket.set(id, stored);
    this.emit({
      type: 'MODIFIED',
      rv: this.revision,
      key,
      object: deepClone(stored),
      oldObject: deepClone(previous),
    });
    return deepClone(stored);
  }

  remove(key: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const bucket = this.objects.get(key);
    const id = itemKey(namespace, name);
    const previous = bucket?.get(id);
    if (!bucket || !previous) return undefined;
    bucket.delete(id);
    previous.metadata.resourceVersion = String(++this.revision);
    this.emit({ type: 'DELETED', rv: this.revision, key, object: deepClone(previous) });
    return deepClone(previous);
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Events after `rv`, or 'expired' when some of them were compacted away (a watch must then relist). */
  eventsSince(rv: number): StoreEvent[] | 'expired' {
    if (rv < this.compactedRevision) return 'expired';
    return this.history.filter((e) => e.rv > rv).map((e) => deepClone(e));
  }

  /** Forgets the event history, as etcd compaction does: older resourceVersions then answer 410 Gone. */
  compact(): void {
    this.history = [];
    this.compactedRevision = this.revision;
  }

  private emit(event: StoreEvent): void {
    this.history.push(event);
    if (this.history.length > this.historyLimit) {
      const dropped = this.history.splice(0, this.history.length - this.historyLimit);
      this.compactedRevision = dropped[dropped.length - 1]?.rv ?? this.compactedRevision;
    }
    for (const listener of [...this.listeners]) {
      try {
        listener(deepClone(event));
      } catch (err) {
        // A broken listener (a watch whose socket died) must not fail the write that triggered it.
        console.error('fake-kube-api: store listener failed', err);
      }
    }
  }
}
