import { SecretBox } from '@kubecohort/auth';
import { Clock } from '@kubecohort/config';
import { type Environment, PrismaService } from '@kubecohort/database';
import { KubeClients, type KubeClient, type KubeObject, type ObjectRef } from '@kubecohort/kubernetes';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { environmentNames, WORKBENCH_NAME, type EnvironmentNames } from './environment-names.js';
import { EnvironmentJobs } from './environment.jobs.js';
import { VCLUSTER_MANAGED_BY } from './environment.manifests.js';
import { statefulSetReady } from './environment.provisioner.js';
import { EnvironmentTransitions } from './environment.transitions.js';
import { PROVISIONING_OPTIONS, type ProvisioningOptions } from './environments.options.js';
import { HostClusterRegistry } from './host-cluster.registry.js';
import { ProvisioningFailed } from './provisioning.errors.js';
import { VclusterApiProbe } from './vcluster-api.probe.js';

/** A sleep job is still scaling down: the wake job waits (it retries) so the two never interleave. */
export class SleepStillRunning extends Error {
  override readonly name = 'SleepStillRunning';
}

export type PowerOutcome = 'asleep' | 'awake' | 'skipped';

/**
 * Sleep and wake without vcluster's paid platform: the vcluster StatefulSet (and the workbench)
 * scaled to zero and back. Everything else stays (namespaces, PVCs, the vcluster's own state in
 * its volume, the kubeconfig), so waking gives the student the cluster they left.
 *
 * Replicas are set through the scale subresource. Flux (Helm's three-way merge) leaves a live
 * field alone as long as the chart's value does not change, so an upgrade of the release does not
 * wake a sleeping environment.
 */
@Injectable()
export class EnvironmentPower {
  private readonly logger = new Logger(EnvironmentPower.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly registry: HostClusterRegistry,
    private readonly clients: KubeClients,
    private readonly transitions: EnvironmentTransitions,
    private readonly jobs: EnvironmentJobs,
    private readonly probe: VclusterApiProbe,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    @Inject(PROVISIONING_OPTIONS) private readonly options: ProvisioningOptions,
  ) {}

  /**
   * Scales a `sleeping` environment down: the vcluster to zero, then every pod it synced into the
   * host namespace is deleted (a stopped syncer deletes nothing itself; the vcluster recreates
   * them on wake from its own state), then the workbench. Idempotent; skipped in any other state.
   */
  async sleep(environmentId: string): Promise<PowerOutcome> {
    const env = await this.prisma.environment.findUnique({ where: { id: environmentId } });
    if (!env || env.state !== 'sleeping' || !env.hostClusterId) return 'skipped';
    const { kube, names } = await this.target(env);
    const stillSleeping = () => this.stillIn(environmentId, 'sleeping');

    await this.transitions.progress(environmentId, 'sleeping', 'scaling-down', 30);
    await this.scale(kube, this.vclusterRef(names), 0);
    if (!(await this.waitScaled(kube, this.vclusterRef(names), 0, stillSleeping))) return 'skipped';
    await this.transitions.progress(environmentId, 'sleeping', 'workloads-removed', 60);
    const synced = await kube.list({
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: names.namespace,
      labelSelector: `${VCLUSTER_MANAGED_BY}=${names.release}`,
    });
    for (const pod of synced) {
      await kube.delete({
        apiVersion: 'v1',
        kind: 'Pod',
        namespace: names.namespace,
        name: pod.metadata.name,
      });
    }
    await this.transitions.progress(environmentId, 'sleeping', 'workbench', 80);
    await this.scale(kube, this.workbenchRef(names), 0);
    if (!(await this.waitScaled(kube, this.workbenchRef(names), 0, stillSleeping))) return 'skipped';
    const done = await this.transitions.progress(environmentId, 'sleeping', 'asleep', 100);
    if (done) this.logger.log({ environmentId, syncedPodsRemoved: synced.length }, 'environment asleep');
    return done ? 'asleep' : 'skipped';
  }

  /**
   * Wakes a sleeping environment and waits for it, for work that reads the vcluster's API (an
   * export before a reset or an expiry): the same idempotent wake a wake job runs, so whichever
   * finishes first moves it to ready. Returns the row as it is then.
   */
  async awaken(environmentId: string, progressStep: string): Promise<Environment> {
    await this.transitions.move(environmentId, ['sleeping'], 'waking', { progressStep, progressPercent: 0 });
    const env = await this.prisma.environment.findUniqueOrThrow({ where: { id: environmentId } });
    if (env.state !== 'waking') return env;
    await this.wake(environmentId);
    return this.prisma.environment.findUniqueOrThrow({ where: { id: environmentId } });
  }

  /**
   * Scales a `waking` environment back up and moves it to ready once its StatefulSets are ready
   * and the vcluster API answers. Waits (throws SleepStillRunning) while a sleep job still runs.
   */
  async wake(environmentId: string): Promise<PowerOutcome> {
    const env = await this.prisma.environment.findUnique({ where: { id: environmentId } });
    if (!env || env.state !== 'waking' || !env.hostClusterId) return 'skipped';
    if (await this.jobs.sleepActive(environmentId))
      throw new SleepStillRunning('the environment is still going to sleep; waking waits for it');
    if (!env.kubeconfigEncrypted)
      throw new ProvisioningFailed('the environment has no kubeconfig to wake with');
    const { kube, names } = await this.target(env);
    const stillWaking = () => this.stillIn(environmentId, 'waking');

    await this.transitions.progress(environmentId, 'waking', 'scaling-up', 30);
    await this.scale(kube, this.vclusterRef(names), 1);
    await this.scale(kube, this.workbenchRef(names), 1);
    await this.transitions.progress(environmentId, 'waking', 'vcluster-ready', 60);
    for (const ref of [this.vclusterRef(names), this.workbenchRef(names)]) {
      await kube.waitFor(ref, (o) => statefulSetReady(o), {
        timeoutMs: this.options.timing.stepTimeoutMs,
        recheckMs: this.options.timing.recheckMs,
      });
      if (!(await stillWaking())) return 'skipped';
    }
    await this.transitions.progress(environmentId, 'waking', 'vcluster-api', 85);
    const deadline = Date.now() + this.options.timing.stepTimeoutMs;
    for (;;) {
      const result = await this.probe.answers({
        host: kube,
        namespace: names.namespace,
        release: names.release,
        kubeconfig: this.box.decrypt(env.kubeconfigEncrypted),
      });
      if (result.ok) break;
      if (Date.now() > deadline)
        throw new Error(`the vcluster API did not answer after waking: ${result.detail}`);
      if (!(await stillWaking())) return 'skipped';
      await sleep(this.options.timing.recheckMs);
    }
    const ready = await this.transitions.move(environmentId, ['waking'], 'ready', {
      progressStep: 'ready',
      progressPercent: 100,
      stateReason: null,
      // A fresh idle window: the counter is re-read from the restarted API server.
      lastActivityAt: this.clock.now(),
      lastApiRequestCount: null,
    });
    if (ready) this.logger.log({ environmentId }, 'environment awake');
    return ready ? 'awake' : 'skipped';
  }

  /** The sleep job gave up: the environment stays asleep-in-name; the reason says what is left. */
  async sleepFailed(environmentId: string, reason: string): Promise<void> {
    await this.transitions.note(environmentId, 'sleeping', {
      stateReason: `going to sleep failed: ${reason}`,
    });
  }

  async wakeFailed(environmentId: string, reason: string): Promise<void> {
    await this.transitions.move(environmentId, ['waking'], 'failed', {
      stateReason: `waking failed: ${reason}`,
    });
  }

  private async target(env: Environment): Promise<{ kube: KubeClient; names: EnvironmentNames }> {
    const kube = this.clients.forCluster(await this.registry.clusterRef(env.hostClusterId!));
    return { kube, names: environmentNames(env.id) };
  }

  private vclusterRef(names: EnvironmentNames): ObjectRef {
    return { apiVersion: 'apps/v1', kind: 'StatefulSet', namespace: names.namespace, name: names.release };
  }

  private workbenchRef(names: EnvironmentNames): ObjectRef {
    return {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      namespace: names.workbenchNamespace,
      name: WORKBENCH_NAME,
    };
  }

  private async scale(kube: KubeClient, ref: ObjectRef, replicas: number): Promise<void> {
    if (!(await kube.get(ref)))
      throw new ProvisioningFailed(
        `${ref.kind} ${ref.namespace}/${ref.name} is missing: the environment needs a reset`,
      );
    await kube.scaleStatefulSet(ref.namespace!, ref.name, replicas);
  }

  private async waitScaled(
    kube: KubeClient,
    ref: ObjectRef,
    replicas: number,
    stillWanted: () => Promise<boolean>,
  ): Promise<boolean> {
    await kube.waitFor(ref, (o) => scaledTo(o, replicas), {
      timeoutMs: this.options.timing.stepTimeoutMs,
      recheckMs: this.options.timing.recheckMs,
    });
    // Woken (or deleted) meanwhile: the next state's job owns the replicas now.
    return stillWanted();
  }

  private async stillIn(environmentId: string, state: Environment['state']): Promise<boolean> {
    const row = await this.prisma.environment.findUnique({
      where: { id: environmentId },
      select: { state: true },
    });
    return row?.state === state;
  }
}

/** The StatefulSet runs exactly `replicas` pods (as observed by its controller). */
export function scaledTo(sts: KubeObject | null, replicas: number): boolean {
  if (!sts) return false;
  const status = sts.status as { replicas?: number; observedGeneration?: number } | undefined;
  return (
    (status?.replicas ?? 0) === replicas &&
    (status?.observedGeneration ?? 0) >= (sts.metadata.generation ?? 0)
  );
}
