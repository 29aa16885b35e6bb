/**
 * Simulated controllers, so objects move on like in a cluster: Flux's helm-controller installs a
 * vcluster chart (StatefulSet, Services, kubeconfig Secret) and marks the HelmRelease Ready; the
 * StatefulSet controller creates pods; the "kubelet" starts pods and ephemeral containers; the
 * namespace controller empties and removes terminating namespaces. Every step waits a
 * configurable delay; the whole thing can be switched off to freeze the cluster.
 */

import { randomBytes } from 'node:crypto';
import { stringify as toYaml } from 'yaml';
import { KubeApiError } from './kube-status.errors.js';
import { storageKey, type ResourceRegistry, type ResourceType } from './resource.registry.js';
import type { ObjectStore, StoreEvent } from './object.store.js';
import type { ResourceHandlers } from './resource.handlers.js';
import {
  asArray,
  asMap,
  asString,
  deepClone,
  getPath,
  nowIso,
  type ControllerOptions,
  type EphemeralContainerHandler,
  type HelmReleaseOutcomeHandler,
  type JsonMap,
  type KubeObject,
} from './fake-kube-api.types.js';

export const DEFAULT_CONTROLLER_OPTIONS: ControllerOptions = {
  enabled: true,
  helmReleaseReadyDelayMs: 100,
  helmUninstallDelayMs: 50,
  helmRepositoryReadyDelayMs: 20,
  podReadyDelayMs: 50,
  namespaceDeletionDelayMs: 100,
  ephemeralContainerStartDelayMs: 50,
  deploymentReadyDelayMs: 50,
};

export const HELM_FINALIZER = 'finalizers.fluxcd.io';
const NAMESPACE_RECHECK_MS = 20;
const FAKE_CA = Buffer.from(
  '-----BEGIN CERTIFICATE-----\nZmFrZS1rdWJlLWFwaSBmYWtlIENB\n-----END CERTIFICATE-----\n',
).toString('base64');
const FAKE_CERT = Buffer.from(
  '-----BEGIN CERTIFICATE-----\nZmFrZS1rdWJlLWFwaSBjbGllbnQ=\n-----END CERTIFICATE-----\n',
).toString('base64');
const FAKE_KEY = Buffer.from(
  '-----BEGIN RSA PRIVATE KEY-----\nZmFrZS1rdWJlLWFwaSBrZXk=\n-----END RSA PRIVATE KEY-----\n',
).toString('base64');

/** The kubeconfig vcluster writes into its `vc-<name>` secret. */
export function vclusterKubeconfig(): string {
  return toYaml({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'my-vcluster',
        cluster: { server: 'https://localhost:8443', 'certificate-authority-data': FAKE_CA },
      },
    ],
    contexts: [{ name: 'my-vcluster', context: { cluster: 'my-vcluster', user: 'my-vcluster' } }],
    'current-context': 'my-vcluster',
    users: [
      { name: 'my-vcluster', user: { 'client-certificate-data': FAKE_CERT, 'client-key-data': FAKE_KEY } },
    ],
    preferences: {},
  });
}

function condition(
  type: string,
  status: string,
  reason: string,
  message: string,
  generation: number,
): JsonMap {
  return { type, status, reason, message, observedGeneration: generation, lastTransitionTime: nowIso() };
}

function findCondition(object: KubeObject, type: string): JsonMap | undefined {
  return asArray(asMap(object.status).conditions)
    .map(asMap)
    .find((c) => c.type === type);
}

function isPodReady(pod: KubeObject): boolean {
  return (
    asMap(pod.status).phase === 'Running' &&
    findCondition(pod, 'Ready')?.status === 'True' &&
    !pod.metadata.deletionTimestamp
  );
}

export class ClusterController {
  private readonly options: ControllerOptions;
  private readonly pending = new Map<string, NodeJS.Timeout>();
  /** Ephemeral containers already started (their status write may lag behind later pod events). */
  private readonly startedEphemeral = new Set<string>();
  private unsubscribe?: () => void;
  helmReleaseOutcome?: HelmReleaseOutcomeHandler;
  ephemeralHandler?: EphemeralContainerHandler;
  /** Logs of containers the simulation produced, keyed `namespace/pod/container`. */
  readonly containerLogs = new Map<string, string>();

  constructor(
    private readonly store: ObjectStore,
    private readonly handlers: ResourceHandlers,
    private readonly registry: ResourceRegistry,
    options: Partial<ControllerOptions> = {},
  ) {
    this.options = { ...DEFAULT_CONTROLLER_OPTIONS, ...options };
  }

  get enabled(): boolean {
    return this.options.enabled;
  }

  set enabled(on: boolean) {
    const was = this.options.enabled;
    this.options.enabled = on;
    if (!on) this.cancelAll();
    else if (!was) this.resync();
  }

  get settings(): Readonly<ControllerOptions> {
    return this.options;
  }

  configure(options: Partial<ControllerOptions>): void {
    const { enabled, ...delays } = options;
    Object.assign(this.options, delays);
    if (enabled !== undefined) this.enabled = enabled;
  }

  start(): void {
    this.unsubscribe = this.store.subscribe((event) => {
      if (this.options.enabled) this.onEvent(event);
    });
    if (this.options.enabled) this.resync();
  }

  stop(): void {
    this.unsubscribe?.();
    this.cancelAll();
  }

  /** Resolves once no controller step is scheduled (handy after toggling delays to 0). */
  async idle(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.pending.size > 0) {
      if (Date.now() > deadline)
        throw new Error(`fake-kube-api controller still busy: ${[...this.pending.keys()].join(', ')}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  private rt(group: string, plural: string): ResourceType {
    return this.registry.preferred(group, plural);
  }

  private cancelAll(): void {
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }

  /** Runs `fn` after `delayMs`, once per id: a step already scheduled under that id is kept. */
  private schedule(id: string, delayMs: number, fn: () => void | Promise<void>, replace = false): void {
    if (this.pending.has(id)) {
      if (!replace) return;
      clearTimeout(this.pending.get(id));
    }
    const timer = setTimeout(() => {
      this.pending.delete(id);
      if (!this.options.enabled) return;
      Promise.resolve()
        .then(fn)
        .catch((err: unknown) => console.error(`fake-kube-api controller step ${id} failed`, err));
    }, delayMs);
    this.pending.set(id, timer);
  }

  private resync(): void {
    for (const { key, object } of this.store.listAll()) {
      this.onEvent({ type: 'ADDED', rv: this.store.currentRv(), key, object });
    }
  }

  private onEvent(event: StoreEvent): void {
    const o = event.object;
    const id = `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    switch (event.key) {
      case 'helm.toolkit.fluxcd.io/helmreleases':
        if (event.type !== 'DELETED') this.schedule(`hr:${id}`, 0, () => this.reconcileHelmRelease(o));
        break;
      case 'source.toolkit.fluxcd.io/helmrepositories':
        if (event.type !== 'DELETED' && asMap(o.status).observedGeneration !== o.metadata.generation) {
          this.schedule(`repo:${id}`, this.options.helmRepositoryReadyDelayMs, () =>
            this.markRepositoryReady(o),
          );
        }
        break;
      case 'apps/statefulsets':
        if (event.type !== 'DELETED') this.schedule(`sts:${id}`, 0, () => this.reconcileStatefulSet(o));
        break;
      case 'apps/deployments':
        if (event.type !== 'DELETED' && asMap(o.status).observedGeneration !== o.metadata.generation) {
          this.schedule(`deploy:${id}`, this.options.deploymentReadyDelayMs, () =>
            this.markDeploymentReady(o),
          );
        }
        break;
      case '/pods':
        this.onPodEvent(event);
        break;
      case '/namespaces':
        if (event.type !== 'DELETED' && o.metadata.deletionTimestamp) {
          this.schedule(`ns:${o.metadata.name}`, this.options.namespaceDeletionDelayMs, () =>
            this.finalizeNamespace(o.metadata.name),
          );
        }
        break;
      default:
        break;
    }
  }

  // ------------------------------------------------------------ helm-controller

  private releaseNames(hr: KubeObject): { release: string; targetNamespace: string } {
    const spec = asMap(hr.spec);
    return {
      release: asString(spec.releaseName) ?? hr.metadata.name,
      targetNamespace: asString(spec.targetNamespace) ?? hr.metadata.namespace ?? 'default',
    };
  }

  private reconcileHelmRelease(seen: KubeObject): void {
    const rt = this.rt('helm.toolkit.fluxcd.io', 'helmreleases');
    const hr = this.store.get(storageKey(rt), seen.metadata.namespace, seen.metadata.name);
    if (!hr) return;
    const id = `${hr.metadata.namespace ?? ''}/${hr.metadata.name}`;
    if (hr.metadata.deletionTimestamp) {
      if ((hr.metadata.finalizers ?? []).includes(HELM_FINALIZER)) {
        this.schedule(`hr-uninstall:${id}`, this.options.helmUninstallDelayMs, () => this.uninstall(hr));
      }
      return;
    }
    if (!(hr.metadata.finalizers ?? []).includes(HELM_FINALIZER)) {
      const next = deepClone(hr);
      next.metadata.finalizers = [...(next.metadata.finalizers ?? []), HELM_FINALIZER];
      this.handlers.writeInternal(rt, next, 'helm-controller', 'main');
      return; // the write comes back as an event
    }
    const generation = hr.metadata.generation ?? 1;
    const status = asMap(hr.status);
    if (status.observedGeneration === generation) return;
    if (status.lastAttemptedGeneration !== generation) {
      const conditions = [
        condition('Reconciling', 'True', 'Progressing', `Fulfilling prerequisites`, generation),
        condition('Ready', 'Unknown', 'Progressing', 'Reconciliation in progress', generation),
      ];
      this.handlers.writeStatus(
        rt,
        hr,
        { ...status, conditions, lastAttemptedGeneration: generation },
        'helm-controller',
      );
    }
    this.schedule(`hr-install:${id}`, this.options.helmReleaseReadyDelayMs, () => this.install(hr));
  }

  private install(seen: KubeObject): void {
    const rt = this.rt('helm.toolkit.fluxcd.io', 'helmreleases');
    const hr = this.store.get(storageKey(rt), seen.metadata.namespace, seen.metadata.name);
    if (!hr || hr.metadata.deletionTimestamp) return;
    const generation = hr.metadata.generation ?? 1;
    const { release, targetNamespace } = this.releaseNames(hr);
    const spec = asMap(hr.spec);
    const chart = asMap(getPath(spec, ['chart', 'spec']));
    const chartName = asString(chart.chart) ?? 'vcluster';
    const chartVersion = asString(chart.version) ?? '0.20.0';
    const history = asArray(asMap(hr.status).history);
    const upgrade = history.length > 0;

    let outcome = this.helmReleaseOutcome?.(deepClone(hr)) ?? { ready: true };
    const nsExists = !!this.store.get('/namespaces', undefined, targetNamespace);
    if (outcome.ready && !nsExists) {
      if (getPath(spec, ['install', 'createNamespace']) === true) {
        this.handlers.create(
          this.rt('', 'namespaces'),
          undefined,
          { metadata: { name: targetNamespace } },
          { manager: 'helm-controller' },
        );
      } else {
        outcome = {
          ready: false,
          reason: 'InstallFailed',
          message: `Helm install failed for release ${targetNamespace}/${release}: namespaces "${targetNamespace}" not found`,
        };
      }
    }
    const previous = asMap(hr.status);
    if (!outcome.ready) {
      const reason = outcome.reason ?? (upgrade ? 'UpgradeFailed' : 'InstallFailed');
      const message =
        outcome.message ??
        `Helm ${upgrade ? 'upgrade' : 'install'} failed for release ${targetNamespace}/${release}`;
      this.handlers.writeStatus(
        rt,
        hr,
        {
          ...previous,
          observedGeneration: generation,
          lastAttemptedGeneration: generation,
          conditions: [
            condition('Ready', 'False', reason, message, generation),
            condition('Released', 'False', reason, message, generation),
          ],
        },
        'helm-controller',
      );
      return;
    }
    this.installChart(hr, release, targetNamespace);
    const version = history.length + 1;
    const reason = upgrade ? 'UpgradeSucceeded' : 'InstallSucceeded';
    const message = `Helm ${upgrade ? 'upgrade' : 'install'} succeeded for release ${targetNamespace}/${release}.v${version} with chart ${chartName}@${chartVersion}`;
    this.handlers.writeStatus(
      rt,
      hr,
      {
        observedGeneration: generation,
        lastAttemptedGeneration: generation,
        lastAttemptedRevision: chartVersion,
        lastAttemptedReleaseAction: upgrade ? 'upgrade' : 'install',
        storageNamespace: targetNamespace,
        conditions: [
          condition('Ready', 'True', reason, message, generation),
          condition('Released', 'True', reason, message, generation),
        ],
        history: [
          {
            name: release,
            namespace: targetNamespace,
            version,
            status: 'deployed',
            chartName,
            chartVersion,
            firstDeployed: nowIso(),
            lastDeployed: nowIso(),
          },
          ...history,
        ].slice(0, 5),
      },
      'helm-controller',
    );
  }

  /** What `helm install vcluster` leaves behind in the target namespace. */
  private installChart(hr: KubeObject, release: string, namespace: string): void {
    const labels = {
      app: 'vcluster',
      release,
      'app.kubernetes.io/managed-by': 'Helm',
      'helm.toolkit.fluxcd.io/name': hr.metadata.name,
      'helm.toolkit.fluxcd.io/namespace': hr.metadata.namespace ?? '',
    };
    const annotations = { 'meta.helm.sh/release-name': release, 'meta.helm.sh/release-namespace': namespace };
    const meta = (name: string): JsonMap => ({ name, namespace, labels, annotations });
    const selector = { app: 'vcluster', release };
    const replicas = getPath(hr.spec, [
      'values',
      'controlPlane',
      'statefulSet',
      'highAvailability',
      'replicas',
    ]);
    const objects: Array<[ResourceType, JsonMap]> = [
      [
        this.rt('', 'secrets'),
        {
          metadata: meta(`vc-${release}`),
          type: 'Opaque',
          data: {
            config: Buffer.from(vclusterKubeconfig()).toString('base64'),
            'certificate-authority': FAKE_CA,
            'client-certificate': FAKE_CERT,
            'client-key': FAKE_KEY,
          },
        },
      ],
      [
        this.rt('', 'services'),
        {
          metadata: meta(release),
          spec: {
            type: 'ClusterIP',
            selector,
            ports: [
              { name: 'https', port: 443, targetPort: 8443, protocol: 'TCP' },
              { name: 'kubelet', port: 10250, targetPort: 8443, protocol: 'TCP' },
            ],
          },
        },
      ],
      [
        this.rt('', 'services'),
        {
          metadata: meta(`${release}-headless`),
          spec: {
            clusterIP: 'None',
            selector,
            publishNotReadyAddresses: true,
            ports: [{ name: 'https', port: 443, targetPort: 8443, protocol: 'TCP' }],
          },
        },
      ],
      [
        this.rt('apps', 'statefulsets'),
        {
          metadata: meta(release),
          spec: {
            replicas: typeof replicas === 'number' ? replicas : 1,
            serviceName: `${release}-headless`,
            podManagementPolicy: 'Parallel',
            selector: { matchLabels: selector },
            template: {
              metadata: { labels: selector },
              spec: {
                containers: [
                  {
                    name: 'syncer',
                    image: 'ghcr.io/loft-sh/vcluster-pro:fake',
                    ports: [{ name: 'https', containerPort: 8443 }],
                  },
                ],
              },
            },
          },
        },
      ],
    ];
    for (const [rt, body] of objects) {
      try {
        this.handlers.create(rt, namespace, body, { manager: 'helm-controller' });
      } catch (err) {
        if (!(err instanceof KubeApiError && err.code === 409)) throw err;
      }
    }
  }

  private uninstall(seen: KubeObject): void {
    const rt = this.rt('helm.toolkit.fluxcd.io', 'helmreleases');
    const hr = this.store.get(storageKey(rt), seen.metadata.namespace, seen.metadata.name);
    if (!hr) return;
    const { targetNamespace } = this.releaseNames(hr);
    for (const { key, object } of this.store.listNamespaceContent(targetNamespace)) {
      const labels = object.metadata.labels ?? {};
      if (
        labels['helm.toolkit.fluxcd.io/name'] === hr.metadata.name &&
        labels['helm.toolkit.fluxcd.io/namespace'] === hr.metadata.namespace
      ) {
        this.handlers.deleteObject(key, object, 'Background');
      }
    }
    const next = deepClone(hr);
    next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((f) => f !== HELM_FINALIZER);
    this.handlers.writeInternal(rt, next, 'helm-controller', 'main');
  }

  private markRepositoryReady(seen: KubeObject): void {
    const rt = this.rt('source.toolkit.fluxcd.io', 'helmrepositories');
    const repo = this.store.get(storageKey(rt), seen.metadata.namespace, seen.metadata.name);
    if (!repo) return;
    const generation = repo.metadata.generation ?? 1;
    const revision = `sha256:${randomBytes(32).toString('hex')}`;
    this.handlers.writeStatus(
      rt,
      repo,
      {
        observedGeneration: generation,
        url: `http://source-controller.flux-system.svc.cluster.local./helmrepository/${repo.metadata.namespace ?? ''}/${repo.metadata.name}/index.yaml`,
        artifact: {
          revision,
          digest: revision,
          lastUpdateTime: nowIso(),
          path: `helmrepository/${repo.metadata.name}/index.yaml`,
        },
        conditions: [
          condition('Ready', 'True', 'Succeeded', `stored artifact: revision '${revision}'`, generation),
        ],
      },
      'source-controller',
    );
  }

  // ------------------------------------------------------------ workloads

  private reconcileStatefulSet(seen: KubeObject): void {
    const stsRt = this.rt('apps', 'statefulsets');
    const podRt = this.rt('', 'pods');
    const sts = this.store.get(storageKey(stsRt), seen.metadata.namespace, seen.metadata.name);
    if (!sts || sts.metadata.deletionTimestamp) return;
    const namespace = sts.metadata.namespace ?? 'default';
    const name = sts.metadata.name;
    const spec = asMap(sts.spec);
    const replicas = typeof spec.replicas === 'number' ? spec.replicas : 1;
    const template = asMap(spec.template);
    const templateLabels = asMap(asMap(template.metadata).labels) as Record<string, string>;
    const owned = () =>
      this.store
        .list('/pods', namespace)
        .filter((p) => (p.metadata.ownerReferences ?? []).some((r) => r.uid === sts.metadata.uid));

    const existing = owned();
    for (let i = 0; i < replicas; i++) {
      const podName = `${name}-${i}`;
      if (existing.some((p) => p.metadata.name === podName) || this.store.get('/pods', namespace, podName))
        continue;
      this.handlers.create(
        podRt,
        namespace,
        {
          metadata: {
            name: podName,
            labels: {
              ...templateLabels,
              'statefulset.kubernetes.io/pod-name': podName,
              'apps.kubernetes.io/pod-index': String(i),
              'controller-revision-hash': `${name}-fake`,
            },
            annotations: asMap(asMap(template.metadata).annotations),
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'StatefulSet',
                name,
                uid: sts.metadata.uid ?? '',
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          },
          spec: { ...asMap(template.spec), hostname: podName, subdomain: asString(spec.serviceName) },
        },
        { manager: 'kube-controller-manager' },
      );
    }
    for (const pod of existing) {
      const ordinal = Number(pod.metadata.name.slice(name.length + 1));
      if (Number.isInteger(ordinal) && ordinal >= replicas)
        this.handlers.deleteObject('/pods', pod, 'Background');
    }
    const labels = sts.metadata.labels ?? {};
    if (replicas === 0 && labels.app === 'vcluster') {
      // A sleeping vcluster takes down the workloads it synced into the host namespace.
      const release = labels.release ?? name;
      for (const pod of this.store.list('/pods', namespace)) {
        if (pod.metadata.labels?.['vcluster.loft.sh/managed-by'] === release)
          this.handlers.deleteObject('/pods', pod, 'Background');
      }
    }
    this.updateStatefulSetStatus(sts, owned());
  }

  private updateStatefulSetStatus(sts: KubeObject, pods: KubeObject[]): void {
    const stsRt = this.rt('apps', 'statefulsets');
    const live = this.store.get(storageKey(stsRt), sts.metadata.namespace, sts.metadata.name);
    if (!live) return;
    const ready = pods.filter(isPodReady).length;
    const count = pods.length;
    // Zero counts are omitted, as the real API omits these omitempty fields.
    const status: JsonMap = {
      observedGeneration: live.metadata.generation ?? 1,
      replicas: count,
      availableReplicas: ready,
      currentRevision: `${live.metadata.name}-fake`,
      updateRevision: `${live.metadata.name}-fake`,
      collisionCount: 0,
    };
    if (ready > 0) status.readyReplicas = ready;
    if (count > 0) {
      status.currentReplicas = count;
      status.updatedReplicas = count;
    }
    this.handlers.writeStatus(stsRt, live, status, 'kube-controller-manager');
  }

  private markDeploymentReady(seen: KubeObject): void {
    const rt = this.rt('apps', 'deployments');
    const d = this.store.get(storageKey(rt), seen.metadata.namespace, seen.metadata.name);
    if (!d) return;
    const replicas = asMap(d.spec).replicas;
    const n = typeof replicas === 'number' ? replicas : 1;
    const status: JsonMap = {
      observedGeneration: d.metadata.generation ?? 1,
      replicas: n,
      updatedReplicas: n,
      availableReplicas: n,
      conditions: [
        condition(
          'Available',
          'True',
          'MinimumReplicasAvailable',
          'Deployment has minimum availability.',
          d.metadata.generation ?? 1,
        ),
      ],
    };
    if (n > 0) status.readyReplicas = n;
    this.handlers.writeStatus(rt, d, status, 'kube-controller-manager');
  }

  // ------------------------------------------------------------ kubelet

  private onPodEvent(event: StoreEvent): void {
    const pod = event.object;
    const namespace = pod.metadata.namespace ?? 'default';
    const id = `${namespace}/${pod.metadata.name}`;
    const owner = (pod.metadata.ownerReferences ?? []).find((r) => r.kind === 'StatefulSet');
    if (owner) {
      const sts = this.store.get('apps/statefulsets', namespace, owner.name);
      if (sts) this.schedule(`sts:${namespace}/${owner.name}`, 0, () => this.reconcileStatefulSet(sts));
    }
    if (event.type === 'DELETED' || pod.metadata.deletionTimestamp) return;
    const status = asMap(pod.status);
    if (status.phase === 'Pending' || status.phase === undefined) {
      this.schedule(`pod:${id}`, this.options.podReadyDelayMs, () => this.startPod(pod));
      return;
    }
    if (status.phase !== 'Running') return;
    const known = new Set(asArray(status.ephemeralContainerStatuses).map((s) => asMap(s).name));
    for (const c of asArray(asMap(pod.spec).ephemeralContainers).map(asMap)) {
      const name = asString(c.name);
      if (!name || known.has(name) || this.startedEphemeral.has(`${pod.metadata.uid ?? id}/${name}`))
        continue;
      this.schedule(`eph:${id}/${name}`, this.options.ephemeralContainerStartDelayMs, () =>
        this.startEphemeral(pod, name),
      );
    }
  }

  private startPod(seen: KubeObject): void {
    const rt = this.rt('', 'pods');
    const pod = this.store.get('/pods', seen.metadata.namespace, seen.metadata.name);
    if (!pod || pod.metadata.deletionTimestamp) return;
    const status = asMap(pod.status);
    if (status.phase !== 'Pending' && status.phase !== undefined) return;
    const started = nowIso();
    const containerStatuses = asArray(asMap(pod.spec).containers)
      .map(asMap)
      .map((c) => ({
        name: c.name,
        image: c.image,
        imageID: `${String(c.image)}@sha256:${randomBytes(32).toString('hex')}`,
        containerID: `containerd://${randomBytes(32).toString('hex')}`,
        ready: true,
        started: true,
        restartCount: 0,
        state: { running: { startedAt: started } },
      }));
    const next = deepClone(pod);
    next.spec = { ...asMap(next.spec), nodeName: asString(asMap(next.spec).nodeName) ?? 'fake-node' };
    next.status = {
      ...status,
      phase: 'Running',
      hostIP: '10.0.0.10',
      podIP: `10.244.${randomBytes(1)[0]}.${(randomBytes(1)[0]! % 250) + 2}`,
      startTime: started,
      conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map((type) => ({
        type,
        status: 'True',
        lastTransitionTime: started,
      })),
      containerStatuses,
    };
    this.handlers.writeInternal(rt, next, 'kubelet', 'all');
  }

  private async startEphemeral(seen: KubeObject, container: string): Promise<void> {
    const rt = this.rt('', 'pods');
    const namespace = seen.metadata.namespace ?? 'default';
    const pod = this.store.get('/pods', namespace, seen.metadata.name);
    if (!pod || pod.metadata.deletionTimestamp) return;
    const spec = asArray(asMap(pod.spec).ephemeralContainers)
      .map(asMap)
      .find((c) => c.name === container);
    if (!spec) return;
    const startedKey = `${pod.metadata.uid ?? `${namespace}/${pod.metadata.name}`}/${container}`;
    if (this.startedEphemeral.has(startedKey)) return;
    this.startedEphemeral.add(startedKey);
    const outcome =
      (await this.ephemeralHandler?.({
        namespace,
        pod: pod.metadata.name,
        container: { ...spec, name: container },
      })) ?? {};
    if (outcome.logs !== undefined)
      this.containerLogs.set(`${namespace}/${pod.metadata.name}/${container}`, outcome.logs);
    const startedAt = nowIso();
    const base = {
      name: container,
      image: spec.image,
      imageID: `${String(spec.image)}@sha256:${randomBytes(32).toString('hex')}`,
      containerID: `containerd://${randomBytes(32).toString('hex')}`,
      ready: false,
      restartCount: 0,
    };
    this.setEphemeralStatus(rt, namespace, pod.metadata.name, { ...base, state: { running: { startedAt } } });
    if (outcome.exitCode !== undefined) {
      const exitCode = outcome.exitCode;
      this.schedule(`eph-exit:${namespace}/${pod.metadata.name}/${container}`, outcome.runMs ?? 0, () =>
        this.setEphemeralStatus(rt, namespace, pod.metadata.name, {
          ...base,
          state: {
            terminated: {
              exitCode,
              reason: exitCode === 0 ? 'Completed' : 'Error',
              startedAt,
              finishedAt: nowIso(),
              containerID: base.containerID,
            },
          },
        }),
      );
    }
  }

  private setEphemeralStatus(rt: ResourceType, namespace: string, podName: string, entry: JsonMap): void {
    const pod = this.store.get('/pods', namespace, podName);
    if (!pod) return;
    const status = asMap(pod.status);
    const others = asArray(status.ephemeralContainerStatuses).filter((s) => asMap(s).name !== entry.name);
    this.handlers.writeStatus(
      rt,
      pod,
      { ...status, ephemeralContainerStatuses: [...others, entry] },
      'kubelet',
    );
  }

  // ------------------------------------------------------------ namespace controller

  private finalizeNamespace(name: string): void {
    const ns = this.store.get('/namespaces', undefined, name);
    if (!ns || !ns.metadata.deletionTimestamp) return;
    for (const { key, object } of this.store.listNamespaceContent(name)) {
      this.handlers.deleteObject(key, object, 'Background');
    }
    if (this.store.listNamespaceContent(name).length > 0) {
      // Finalizers (a HelmRelease being uninstalled) still hold content: look again shortly.
      this.schedule(`ns:${name}`, NAMESPACE_RECHECK_MS, () => this.finalizeNamespace(name), true);
      return;
    }
    this.store.remove('/namespaces', undefined, name);
  }
}
