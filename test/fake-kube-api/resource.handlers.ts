/**
 * API-server semantics over the store, independent of HTTP: create/get/list/replace/patch/delete,
 * status and scale subresources, ephemeral containers, admission-like checks (namespace lifecycle,
 * name validation, pod spec immutability), optimistic concurrency and garbage collection.
 */

import { randomBytes, randomUUID } from 'node:crypto';
import { KubeApiError, errors, successStatus, type StatusCause } from './kube-status.errors.js';
import { jsonPatch, mergePatch, PATCH_TYPES, strategicMergePatch } from './patch.engine.js';
import { recordUpdate, serverSideApply, type FieldScope } from './server-side-apply.engine.js';
import { fieldMatcher, labelMatcher, selectorToString } from './selector.matcher.js';
import { rtApiVersion, storageKey, type ResourceRegistry, type ResourceType } from './resource.registry.js';
import type { ObjectStore } from './object.store.js';
import {
  asArray,
  asMap,
  deepClone,
  deepEqual,
  isPlainObject,
  nowIso,
  type JsonMap,
  type KubeObject,
} from './fake-kube-api.types.js';

export interface WriteOptions {
  /** fieldManager (or the User-Agent's product name, as the real server derives it). */
  manager: string;
  dryRun?: boolean;
}

export interface PatchOptions extends WriteOptions {
  force?: boolean;
}

export interface DeleteOptions extends WriteOptions {
  propagationPolicy?: string;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continueToken?: string;
}

export type Subresource = 'status' | 'main';

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DATA_KEY = /^[-._a-zA-Z0-9]+$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** Kinds whose object names must be DNS labels (no dots), as the real validation requires. */
const LABEL_NAMED_KINDS = new Set(['Namespace', 'Service']);
/** Pod fields a pod update may change (the real server forbids everything else). */
const MUTABLE_POD_SPEC = ['activeDeadlineSeconds', 'tolerations', 'terminationGracePeriodSeconds'];
const MUTABLE_STS_SPEC = [
  'replicas',
  'ordinals',
  'template',
  'updateStrategy',
  'persistentVolumeClaimRetentionPolicy',
  'minReadySeconds',
];

function randomSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return [...randomBytes(5)].map((b) => alphabet[b % alphabet.length]).join('');
}

function specPart(object: KubeObject): JsonMap {
  const rest: JsonMap = { ...object };
  delete rest.metadata;
  delete rest.status;
  delete rest.apiVersion;
  delete rest.kind;
  return rest;
}

export class ResourceHandlers {
  private clusterIpCounter = 10;

  /** The next ClusterIP no Service holds (seeded ones included: kube-dns is usually 10.96.0.10). */
  private allocateClusterIp(): string {
    const used = new Set(this.store.list('/services').map((service) => asMap(service.spec).clusterIP));
    for (let tries = 0; tries < 250; tries++) {
      const ip = `10.96.0.${this.clusterIpCounter++ % 250}`;
      if (!used.has(ip)) return ip;
    }
    return `10.96.0.${this.clusterIpCounter++ % 250}`;
  }

  constructor(
    readonly store: ObjectStore,
    readonly registry: ResourceRegistry,
  ) {}

  /** The object as a client of this version sees it (storage is shared between versions). */
  present(object: KubeObject, rt: ResourceType): KubeObject {
    const head = { apiVersion: rtApiVersion(rt), kind: rt.kind };
    // apiVersion and kind first, as the real server orders them; then overwritten with this version's.
    const out: KubeObject = Object.assign({ ...head }, deepClone(object), head);
    if (out.metadata.managedFields?.length === 0) delete out.metadata.managedFields;
    return out;
  }

  scopeFor(rt: ResourceType, sub: Subresource): FieldScope {
    if (sub === 'status') return 'status';
    return rt.hasStatus ? 'main' : 'all';
  }

  // ---------------------------------------------------------------- reads

  getLive(rt: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const found = this.store.get(storageKey(rt), rt.namespaced ? namespace : undefined, name);
    if (!found) throw errors.notFound(rt.plural, rt.group, name);
    return found;
  }

  get(rt: ResourceType, namespace: string | undefined, name: string): KubeObject {
    return this.present(this.getLive(rt, namespace, name), rt);
  }

  list(rt: ResourceType, namespace: string | undefined, options: ListOptions): JsonMap {
    const labels = labelMatcher(options.labelSelector);
    const fields = fieldMatcher(options.fieldSelector);
    const all = this.store
      .list(storageKey(rt), rt.namespaced ? namespace : undefined)
      .filter((o) => labels(o) && fields(o))
      .map((o) => this.present(o, rt));
    let start = 0;
    if (options.continueToken) {
      try {
        const token = JSON.parse(Buffer.from(options.continueToken, 'base64').toString('utf8')) as {
          start?: unknown;
        };
        start = typeof token.start === 'number' ? token.start : 0;
      } catch {
        throw errors.badRequest('invalid continue token');
      }
    }
    const limit = options.limit && options.limit > 0 ? options.limit : all.length;
    const items = all.slice(start, start + limit);
    const metadata: JsonMap = { resourceVersion: String(this.store.currentRv()) };
    if (start + limit < all.length) {
      metadata.continue = Buffer.from(JSON.stringify({ start: start + limit })).toString('base64');
      metadata.remainingItemCount = all.length - start - limit;
    }
    return { kind: `${rt.kind}List`, apiVersion: rtApiVersion(rt), metadata, items };
  }

  // ---------------------------------------------------------------- writes

  create(rt: ResourceType, namespace: string | undefined, body: unknown, options: WriteOptions): KubeObject {
    const object = this.normalizeBody(rt, namespace, body);
    if (!object.metadata.name && object.metadata.generateName) {
      object.metadata.name = `${object.metadata.generateName}${randomSuffix()}`;
    }
    this.validate(rt, object);
    this.admitNamespace(rt, object.metadata.namespace, object.metadata.name);
    if (this.store.get(storageKey(rt), object.metadata.namespace, object.metadata.name)) {
      throw errors.alreadyExists(rt.plural, rt.group, object.metadata.name);
    }
    const prepared = this.prepareCreate(rt, object);
    prepared.metadata.managedFields = recordUpdate(
      undefined,
      prepared,
      options.manager,
      this.scopeFor(rt, 'main'),
      rtApiVersion(rt),
    );
    if (options.dryRun) return this.present(prepared, rt);
    return this.present(this.store.create(storageKey(rt), prepared), rt);
  }

  replace(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    options: WriteOptions,
    sub: Subresource = 'main',
  ): KubeObject {
    const live = this.getLive(rt, namespace, name);
    const incoming = this.normalizeBody(rt, namespace, body);
    if (incoming.metadata.name !== name) {
      throw errors.badRequest(
        `the name of the object (${incoming.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    this.checkResourceVersion(rt, live, incoming.metadata.resourceVersion);
    const next = this.mergeForScope(rt, live, incoming, sub);
    next.metadata.managedFields = recordUpdate(
      live,
      next,
      options.manager,
      this.scopeFor(rt, sub),
      rtApiVersion(rt),
    );
    return this.commit(rt, live, next, options);
  }

  patch(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    contentType: string,
    body: unknown,
    options: PatchOptions,
    sub: Subresource = 'main',
  ): KubeObject {
    if (contentType === PATCH_TYPES.apply) return this.apply(rt, namespace, name, body, options, sub);
    if (options.force) throw errors.badRequest('force flag must be unset for non-apply patch requests');
    const live = this.getLive(rt, namespace, name);
    const patched = this.applyPatchDocument(rt, live, contentType, body);
    if (!isPlainObject(patched)) throw errors.badRequest('patch produced a non-object');
    const incoming = this.normalizeBody(rt, namespace, patched);
    if (incoming.metadata.name !== name)
      throw errors.badRequest('metadata.name may not be changed by a patch');
    if (incoming.metadata.resourceVersion !== live.metadata.resourceVersion) {
      this.checkResourceVersion(rt, live, incoming.metadata.resourceVersion);
    }
    const next = this.mergeForScope(rt, live, incoming, sub);
    next.metadata.managedFields = recordUpdate(
      live,
      next,
      options.manager,
      this.scopeFor(rt, sub),
      rtApiVersion(rt),
    );
    return this.commit(rt, live, next, options);
  }

  private apply(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    options: PatchOptions,
    sub: Subresource,
  ): KubeObject {
    if (!options.manager) throw errors.badRequest('fieldManager is required for apply requests');
    const config = this.normalizeBody(rt, namespace, body, true);
    if (config.metadata.name !== name) {
      throw errors.badRequest(
        `the name of the object (${config.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    const live = this.store.get(storageKey(rt), rt.namespaced ? namespace : undefined, name);
    if (live) this.checkResourceVersion(rt, live, config.metadata.resourceVersion);
    const scope = this.scopeFor(rt, sub);
    const applied = serverSideApply({
      live,
      config,
      manager: options.manager,
      force: !!options.force,
      scope,
      apiVersion: rtApiVersion(rt),
    });
    if (!live) {
      if (sub === 'status') throw errors.notFound(rt.plural, rt.group, name);
      this.validate(rt, applied);
      this.admitNamespace(rt, applied.metadata.namespace, name);
      const prepared = this.prepareCreate(rt, applied);
      prepared.metadata.managedFields = applied.metadata.managedFields;
      if (options.dryRun) return this.present(prepared, rt);
      return this.present(this.store.create(storageKey(rt), prepared), rt);
    }
    const next = this.mergeForScope(rt, live, applied, sub);
    next.metadata.managedFields = applied.metadata.managedFields;
    return this.commit(rt, live, next, options);
  }

  delete(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions,
  ): { code: number; body: JsonMap } {
    const live = this.getLive(rt, namespace, name);
    const pre = options.preconditions;
    if (pre?.uid && pre.uid !== live.metadata.uid) {
      throw errors.conflict(
        rt.plural,
        rt.group,
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${live.metadata.uid ?? ''}`,
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== live.metadata.resourceVersion) {
      throw errors.conflict(
        rt.plural,
        rt.group,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${live.metadata.resourceVersion ?? ''}`,
      );
    }
    if (rt.kind === 'Namespace')
      return { code: 200, body: this.present(this.terminateNamespace(live, options), rt) };
    if (options.dryRun) return { code: 200, body: this.present(live, rt) };
    const result = this.deleteObject(storageKey(rt), live, options.propagationPolicy ?? 'Background');
    if (result) return { code: 200, body: this.present(result, rt) };
    return {
      code: 200,
      body: successStatus({ name, group: rt.group || undefined, kind: rt.plural, uid: live.metadata.uid }),
    };
  }

  deleteCollection(
    rt: ResourceType,
    namespace: string | undefined,
    list: ListOptions,
    options: DeleteOptions,
  ): JsonMap {
    const found = this.list(rt, namespace, list);
    for (const item of asArray(found.items) as KubeObject[]) {
      this.delete(rt, item.metadata.namespace, item.metadata.name, options);
    }
    return successStatus({ kind: rt.plural, group: rt.group || undefined });
  }

  // ---------------------------------------------------------------- scale

  getScale(rt: ResourceType, namespace: string | undefined, name: string): JsonMap {
    return this.toScale(this.getLive(rt, namespace, name));
  }

  replaceScale(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    body: unknown,
    options: WriteOptions,
  ): JsonMap {
    const live = this.getLive(rt, namespace, name);
    const scale = asMap(body);
    this.checkResourceVersion(rt, live, asMap(scale.metadata).resourceVersion as string | undefined);
    return this.setReplicas(rt, live, asMap(scale.spec).replicas, options);
  }

  patchScale(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    contentType: string,
    body: unknown,
    options: PatchOptions,
  ): JsonMap {
    const live = this.getLive(rt, namespace, name);
    const current = this.toScale(live);
    // Apply to a Scale is treated as a merge: ownership of spec.replicas stays with the parent's managers.
    const patched = asMap(
      contentType === PATCH_TYPES.json ? jsonPatch(current, body) : mergePatch(current, body),
    );
    const rv = asMap(patched.metadata).resourceVersion;
    if (typeof rv === 'string' && rv !== live.metadata.resourceVersion)
      this.checkResourceVersion(rt, live, rv);
    return this.setReplicas(rt, live, asMap(patched.spec).replicas, options);
  }

  private setReplicas(rt: ResourceType, live: KubeObject, replicas: unknown, options: WriteOptions): JsonMap {
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw errors.invalid('Scale', 'autoscaling', live.metadata.name, [
        {
          field: 'spec.replicas',
          message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
        },
      ]);
    }
    const next = deepClone(live);
    next.spec = { ...asMap(next.spec), replicas };
    next.metadata.managedFields = recordUpdate(
      live,
      next,
      options.manager,
      this.scopeFor(rt, 'main'),
      rtApiVersion(rt),
    );
    const stored = this.commit(rt, live, next, options);
    return this.toScale(stored);
  }

  private toScale(object: KubeObject): JsonMap {
    const spec = asMap(object.spec);
    const status = asMap(object.status);
    const m = object.metadata;
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: {
        name: m.name,
        namespace: m.namespace,
        uid: m.uid,
        resourceVersion: m.resourceVersion,
        creationTimestamp: m.creationTimestamp,
      },
      spec: { replicas: typeof spec.replicas === 'number' ? spec.replicas : 1 },
      status: {
        replicas: typeof status.replicas === 'number' ? status.replicas : 0,
        selector: selectorToString(spec.selector),
      },
    };
  }

  // ---------------------------------------------------------------- ephemeral containers

  /** PATCH/PUT pods/<name>/ephemeralcontainers: only spec.ephemeralContainers may change, and only by adding. */
  updateEphemeralContainers(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    contentType: string | undefined,
    body: unknown,
    options: WriteOptions,
  ): KubeObject {
    const live = this.getLive(rt, namespace, name);
    const patched = contentType === undefined ? body : this.applyPatchDocument(rt, live, contentType, body);
    const wanted = asArray(asMap(asMap(patched).spec).ephemeralContainers);
    const existing = asArray(asMap(live.spec).ephemeralContainers);
    const causes: StatusCause[] = [];
    for (const old of existing) {
      const oldName = asMap(old).name;
      const now = wanted.find((w) => asMap(w).name === oldName);
      if (!now || !deepEqual(now, old)) {
        causes.push({
          field: 'spec.ephemeralContainers',
          reason: 'FieldValueForbidden',
          message: `Forbidden: existing ephemeral containers "${String(oldName)}" may not be changed`,
        });
      }
    }
    const regular = [
      ...asArray(asMap(live.spec).containers),
      ...asArray(asMap(live.spec).initContainers),
    ].map((c) => asMap(c).name);
    wanted.forEach((w, i) => {
      const c = asMap(w);
      if (typeof c.name !== 'string' || !DNS_LABEL.test(c.name)) {
        causes.push({
          field: `spec.ephemeralContainers[${i}].name`,
          reason: 'FieldValueRequired',
          message: 'Required value',
        });
      }
      if (typeof c.image !== 'string' || !c.image) {
        causes.push({
          field: `spec.ephemeralContainers[${i}].image`,
          reason: 'FieldValueRequired',
          message: 'Required value',
        });
      }
      if (regular.includes(c.name)) {
        causes.push({
          field: `spec.ephemeralContainers[${i}].name`,
          reason: 'FieldValueDuplicate',
          message: `Duplicate value: "${String(c.name)}"`,
        });
      }
    });
    if (causes.length > 0) throw errors.invalid('Pod', '', name, causes);
    const next = deepClone(live);
    next.spec = { ...asMap(next.spec), ephemeralContainers: wanted };
    next.metadata.managedFields = recordUpdate(live, next, options.manager, 'main', rtApiVersion(rt));
    if (options.dryRun) return this.present(next, rt);
    return this.present(this.store.update(storageKey(rt), next), rt);
  }

  // ---------------------------------------------------------------- internal writes (controllers, helpers)

  /** Writes status directly (as a controller's status update), bypassing admission. */
  writeStatus(rt: ResourceType, live: KubeObject, status: JsonMap, manager: string): KubeObject {
    const next = deepClone(live);
    next.status = status;
    if (deepEqual(live.status, status)) return live;
    next.metadata.managedFields = recordUpdate(live, next, manager, 'status', rtApiVersion(rt));
    return this.store.update(storageKey(rt), next);
  }

  /** Writes a whole object as a simulated component would (scheduler, helm-controller): no admission checks. */
  writeInternal(
    rt: ResourceType,
    next: KubeObject,
    manager: string,
    scope: FieldScope = 'all',
  ): KubeObject | undefined {
    const key = storageKey(rt);
    const live = this.store.get(key, next.metadata.namespace, next.metadata.name);
    if (!live) return undefined;
    const candidate = deepClone(next);
    candidate.metadata.managedFields = recordUpdate(live, candidate, manager, scope, rtApiVersion(rt));
    const stored = this.store.update(key, candidate);
    return live.metadata.deletionTimestamp ? this.finishIfFinalized(key, stored) : stored;
  }

  /**
   * Deletes an object for real, or marks it for deletion when finalizers hold it. Dependents (by
   * ownerReferences) are deleted too unless the policy is Orphan. Returns the object when it only
   * got a deletionTimestamp.
   */
  deleteObject(key: string, live: KubeObject, propagationPolicy: string): KubeObject | undefined {
    const finalizers = live.metadata.finalizers ?? [];
    if (finalizers.length > 0) {
      if (live.metadata.deletionTimestamp) return live;
      const marked = deepClone(live);
      marked.metadata.deletionTimestamp = nowIso();
      marked.metadata.deletionGracePeriodSeconds = 0;
      return this.store.update(key, marked);
    }
    const uid = live.metadata.uid;
    const removed = this.store.remove(key, live.metadata.namespace, live.metadata.name);
    if (removed && uid) this.collectDependents(uid, propagationPolicy);
    return undefined;
  }

  private collectDependents(ownerUid: string, propagationPolicy: string): void {
    for (const { key, object } of this.store.listAll()) {
      const refs = object.metadata.ownerReferences ?? [];
      if (!refs.some((r) => r.uid === ownerUid)) continue;
      if (propagationPolicy === 'Orphan') {
        const orphan = deepClone(object);
        orphan.metadata.ownerReferences = refs.filter((r) => r.uid !== ownerUid);
        if (orphan.metadata.ownerReferences.length === 0) delete orphan.metadata.ownerReferences;
        this.store.update(key, orphan);
      } else {
        this.deleteObject(key, object, propagationPolicy);
      }
    }
  }

  /** Removes finalizer-held objects whose last finalizer went away (called after every update). */
  private finishIfFinalized(key: string, object: KubeObject): KubeObject | undefined {
    if (
      object.metadata.deletionTimestamp &&
      (object.metadata.finalizers ?? []).length === 0 &&
      object.kind !== 'Namespace'
    ) {
      return this.deleteObject(key, object, 'Background');
    }
    return object;
  }

  private terminateNamespace(live: KubeObject, options: DeleteOptions): KubeObject {
    if (live.metadata.deletionTimestamp) {
      throw errors.conflict(
        'namespaces',
        '',
        live.metadata.name,
        'The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system.',
      );
    }
    const next = deepClone(live);
    next.metadata.deletionTimestamp = nowIso();
    next.metadata.deletionGracePeriodSeconds = 0;
    next.status = { ...asMap(next.status), phase: 'Terminating' };
    if (options.dryRun) return next;
    return this.store.update('/namespaces', next);
  }

  // ---------------------------------------------------------------- helpers

  private applyPatchDocument(
    rt: ResourceType,
    live: KubeObject,
    contentType: string,
    body: unknown,
  ): unknown {
    const current = this.present(live, rt);
    switch (contentType) {
      case PATCH_TYPES.json:
        return jsonPatch(current, body);
      case PATCH_TYPES.merge:
        return mergePatch(current, body);
      case PATCH_TYPES.strategic:
        // Custom resources have no strategic-merge schema: treated as a JSON merge patch.
        return rt.group.endsWith('fluxcd.io')
          ? mergePatch(current, body)
          : strategicMergePatch(current, body);
      default:
        throw errors.unsupportedMediaType(contentType);
    }
  }

  private normalizeBody(
    rt: ResourceType,
    namespace: string | undefined,
    body: unknown,
    isApply = false,
  ): KubeObject {
    if (!isPlainObject(body)) throw errors.badRequest('the request body must be a JSON object');
    const object = deepClone(body) as KubeObject;
    const expected = rtApiVersion(rt);
    if (object.apiVersion !== undefined && object.apiVersion !== expected) {
      throw errors.badRequest(
        `the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${expected})`,
      );
    }
    if (object.kind !== undefined && object.kind !== rt.kind) {
      throw errors.badRequest(
        `the kind in the data (${String(object.kind)}) does not match the expected kind (${rt.kind})`,
      );
    }
    if (isApply && (object.apiVersion === undefined || object.kind === undefined)) {
      throw errors.badRequest('apiVersion and kind must be set in an apply configuration');
    }
    object.apiVersion = expected;
    object.kind = rt.kind;
    object.metadata = isPlainObject(object.metadata) ? object.metadata : { name: '' };
    object.metadata.name ??= '';
    if (rt.namespaced) {
      if (object.metadata.namespace && namespace && object.metadata.namespace !== namespace) {
        throw errors.badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      object.metadata.namespace = namespace ?? object.metadata.namespace;
    } else {
      delete object.metadata.namespace;
    }
    return object;
  }

  private validate(rt: ResourceType, object: KubeObject): void {
    const name = object.metadata.name;
    const causes: StatusCause[] = [];
    if (!name) {
      causes.push({
        field: 'metadata.name',
        reason: 'FieldValueRequired',
        message: 'Required value: name or generateName is required',
      });
    } else if (
      LABEL_NAMED_KINDS.has(rt.kind)
        ? !DNS_LABEL.test(name) || name.length > 63
        : !SUBDOMAIN.test(name) || name.length > 253
    ) {
      causes.push({
        field: 'metadata.name',
        message: `Invalid value: "${name}": a lowercase RFC 1123 ${LABEL_NAMED_KINDS.has(rt.kind) ? 'label' : 'subdomain'} must consist of lower case alphanumeric characters, '-'${LABEL_NAMED_KINDS.has(rt.kind) ? '' : " or '.'"}, and must start and end with an alphanumeric character`,
      });
    }
    for (const [k, v] of Object.entries(object.metadata.labels ?? {})) {
      const [prefix, base] = k.includes('/')
        ? [k.slice(0, k.indexOf('/')), k.slice(k.indexOf('/') + 1)]
        : ['', k];
      if (!LABEL_NAME.test(base) || base.length > 63 || (prefix && !SUBDOMAIN.test(prefix))) {
        causes.push({
          field: 'metadata.labels',
          message: `Invalid value: "${k}": name part must consist of alphanumeric characters, '-', '_' or '.'`,
        });
      }
      if (typeof v !== 'string' || !LABEL_VALUE.test(v) || v.length > 63) {
        causes.push({
          field: 'metadata.labels',
          message: `Invalid value: "${String(v)}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must be no more than 63 characters`,
        });
      }
    }
    if (rt.kind === 'Secret' || rt.kind === 'ConfigMap') {
      for (const key of [
        ...Object.keys(asMap(object.data)),
        ...Object.keys(asMap(object.stringData)),
        ...Object.keys(asMap(object.binaryData)),
      ]) {
        if (!DATA_KEY.test(key))
          causes.push({
            field: `data[${key}]`,
            message: `Invalid value: "${key}": a valid config key must consist of alphanumeric characters, '-', '_' or '.'`,
          });
      }
    }
    if (causes.length > 0) throw errors.invalid(rt.kind, rt.group, name, causes);
    if (rt.kind === 'Secret') {
      for (const [key, value] of Object.entries(asMap(object.data))) {
        if (typeof value !== 'string' || value.length % 4 !== 0 || !BASE64.test(value)) {
          throw errors.badRequest(
            `Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 0 (key ${key})`,
          );
        }
      }
    }
  }

  /** NamespaceLifecycle admission: content needs an existing namespace that is not terminating. */
  private admitNamespace(rt: ResourceType, namespace: string | undefined, name: string): void {
    if (!rt.namespaced || !namespace) return;
    const ns = this.store.get('/namespaces', undefined, namespace);
    if (!ns) throw errors.notFound('namespaces', '', namespace);
    if (ns.metadata.deletionTimestamp) {
      throw errors.forbidden(
        `${rt.plural} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
        {
          kind: rt.plural,
          group: rt.group || undefined,
          causes: [
            {
              reason: 'NamespaceTerminating',
              message: `namespace ${namespace} is being terminated`,
              field: 'metadata.namespace',
            },
          ],
        },
      );
    }
  }

  private checkResourceVersion(rt: ResourceType, live: KubeObject, rv: string | undefined): void {
    if (rv !== undefined && rv !== '' && rv !== live.metadata.resourceVersion) {
      throw errors.staleResourceVersion(rt.plural, rt.group, live.metadata.name);
    }
  }

  /** Builds the next stored object from the live one and a client's full object, per subresource. */
  private mergeForScope(
    rt: ResourceType,
    live: KubeObject,
    incoming: KubeObject,
    sub: Subresource,
  ): KubeObject {
    if (sub === 'status') {
      const next = deepClone(live);
      next.status = deepClone(incoming.status);
      if (next.status === undefined) delete next.status;
      return next;
    }
    const next = deepClone(incoming);
    const keep = live.metadata;
    next.metadata = {
      ...next.metadata,
      uid: keep.uid,
      creationTimestamp: keep.creationTimestamp,
      generation: keep.generation,
      resourceVersion: keep.resourceVersion,
      managedFields: keep.managedFields,
    };
    if (keep.namespace !== undefined) next.metadata.namespace = keep.namespace;
    if (keep.deletionTimestamp) {
      next.metadata.deletionTimestamp = keep.deletionTimestamp;
      next.metadata.deletionGracePeriodSeconds = keep.deletionGracePeriodSeconds;
    } else {
      delete next.metadata.deletionTimestamp;
    }
    if (rt.hasStatus) {
      if (live.status === undefined) delete next.status;
      else next.status = deepClone(live.status);
    }
    this.applyKindRulesOnUpdate(rt, live, next);
    if (!deepEqual(specPart(live), specPart(next))) next.metadata.generation = (keep.generation ?? 1) + 1;
    return next;
  }

  private applyKindRulesOnUpdate(rt: ResourceType, live: KubeObject, next: KubeObject): void {
    if (rt.kind === 'Secret') this.foldStringData(next);
    if (rt.kind === 'Service') {
      const spec = asMap(next.spec);
      const liveSpec = asMap(live.spec);
      if (spec.clusterIP === undefined && liveSpec.clusterIP !== undefined) {
        spec.clusterIP = liveSpec.clusterIP;
        spec.clusterIPs = liveSpec.clusterIPs;
      }
      next.spec = spec;
    }
    if (rt.kind === 'Namespace') {
      next.spec = live.spec;
      next.metadata.labels = {
        ...(next.metadata.labels ?? {}),
        'kubernetes.io/metadata.name': live.metadata.name,
      };
    }
    if (rt.kind === 'Pod') {
      const strip = (spec: unknown): JsonMap => {
        const s = deepClone(asMap(spec));
        for (const k of MUTABLE_POD_SPEC) delete s[k];
        for (const list of ['containers', 'initContainers']) {
          s[list] = asArray(s[list]).map((c) => ({ ...asMap(c), image: undefined }));
        }
        return s;
      };
      if (!deepEqual(strip(live.spec), strip(next.spec))) {
        throw errors.invalid('Pod', '', live.metadata.name, [
          {
            field: 'spec',
            reason: 'FieldValueForbidden',
            message:
              'Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
          },
        ]);
      }
    }
    if (rt.kind === 'StatefulSet') {
      const strip = (spec: unknown): JsonMap => {
        const s = deepClone(asMap(spec));
        for (const k of MUTABLE_STS_SPEC) delete s[k];
        return s;
      };
      if (!deepEqual(strip(live.spec), strip(next.spec))) {
        throw errors.invalid('StatefulSet', 'apps', live.metadata.name, [
          {
            field: 'spec',
            reason: 'FieldValueForbidden',
            message:
              "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
          },
        ]);
      }
    }
  }

  /** Metadata, defaults and initial status of a new object (what the real server's strategies do). */
  private prepareCreate(rt: ResourceType, object: KubeObject): KubeObject {
    const next = deepClone(object);
    next.metadata.uid = randomUUID();
    next.metadata.creationTimestamp = nowIso();
    next.metadata.generation = 1;
    delete next.metadata.resourceVersion;
    delete next.metadata.deletionTimestamp;
    delete next.metadata.deletionGracePeriodSeconds;
    if (rt.hasStatus) delete next.status;
    const spec = asMap(next.spec);
    switch (rt.kind) {
      case 'Namespace':
        next.spec = { finalizers: ['kubernetes'] };
        next.status = { phase: 'Active' };
        next.metadata.labels = {
          ...(next.metadata.labels ?? {}),
          'kubernetes.io/metadata.name': next.metadata.name,
        };
        break;
      case 'Secret':
        this.foldStringData(next);
        next.type ??= 'Opaque';
        break;
      case 'Service': {
        spec.type ??= 'ClusterIP';
        if (spec.clusterIP !== 'None') spec.clusterIP ??= this.allocateClusterIp();
        spec.clusterIPs ??= [spec.clusterIP];
        spec.sessionAffinity ??= 'None';
        spec.ports = asArray(spec.ports).map((p) => {
          const port = asMap(p);
          return { protocol: 'TCP', targetPort: port.port, ...port };
        });
        next.spec = spec;
        next.status = { loadBalancer: {} };
        break;
      }
      case 'Pod':
        spec.restartPolicy ??= 'Always';
        spec.serviceAccountName ??= 'default';
        spec.dnsPolicy ??= 'ClusterFirst';
        next.spec = spec;
        next.status = { phase: 'Pending', qosClass: 'BestEffort' };
        break;
      case 'StatefulSet':
      case 'Deployment':
        spec.replicas ??= 1;
        next.spec = spec;
        next.status = { replicas: 0, availableReplicas: 0 };
        break;
      default:
        break;
    }
    return next;
  }

  private foldStringData(object: KubeObject): void {
    const stringData = asMap(object.stringData);
    if (Object.keys(stringData).length === 0) {
      delete object.stringData;
      return;
    }
    const data = { ...asMap(object.data) };
    for (const [k, v] of Object.entries(stringData))
      data[k] = Buffer.from(String(v), 'utf8').toString('base64');
    object.data = data;
    delete object.stringData;
  }

  private commit(rt: ResourceType, live: KubeObject, next: KubeObject, options: WriteOptions): KubeObject {
    if (options.dryRun) return this.present(next, rt);
    const stored = this.store.update(storageKey(rt), next);
    const after = live.metadata.deletionTimestamp ? this.finishIfFinalized(storageKey(rt), stored) : stored;
    return this.present(after ?? stored, rt);
  }
}

export function isKubeApiError(err: unknown): err is KubeApiError {
  return err instanceof KubeApiError;
}
