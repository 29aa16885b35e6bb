import { SecretBox } from '@kubecohort/auth';
import { Clock } from '@kubecohort/config';
import { type Environment, PrismaService } from '@kubecohort/database';
import { KubeClients, KubeconfigDocument, type KubeClient, type KubeObject } from '@kubecohort/kubernetes';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { environmentNames, type EnvironmentNames } from './environment-names.js';
import { EnvironmentManifests, HELM_RELEASE_API, studentServerUrl } from './environment.manifests.js';
import { EnvironmentTransitions } from './environment.transitions.js';
import {
  ENVIRONMENT_SIZING,
  PROVISIONING_OPTIONS,
  type AddressOptions,
  type EnvironmentSizing,
  type ProvisioningOptions,
} from './environments.options.js';
import { HostClusterRegistry } from './host-cluster.registry.js';
import { ProvisioningFailed } from './provisioning.errors.js';
import { VclusterApiProbe } from './vcluster-api.probe.js';
import { VclusterValuesTemplate } from './vcluster-values.template.js';

/** What one run of the steps shares. */
interface StepContext {
  env: Environment;
  names: EnvironmentNames;
  kube: KubeClient;
  manifests: EnvironmentManifests;
  /** The address options with the node address resolved for this host cluster. */
  address: AddressOptions;
  signal: AbortSignal;
  /** From the `vc-<release>` Secret. */
  vclusterKubeconfig?: string;
  serverUrl?: string;
  /** The vcluster's kubeconfig rewritten to `serverUrl`: what the student gets. */
  studentKubeconfig?: string;
}

interface Step {
  key: string;
  percent: number;
  run(ctx: StepContext): Promise<void>;
}

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

export type ProvisionOutcome = 'ready' | 'skipped' | 'stopped';

/**
 * Provisions one environment on its host cluster. Every step is idempotent (server-side apply of
 * objects with names derived from the environment id, then waits on observed state), so a job
 * that crashed half-way simply runs all steps again: finished ones cost one API call each and
 * nothing is created twice. Progress is persisted (and announced) as the steps advance.
 */
@Injectable()
export class EnvironmentProvisioner {
  private readonly logger = new Logger(EnvironmentProvisioner.name);
  readonly template: VclusterValuesTemplate;

  readonly steps: readonly Step[] = [
    {
      key: 'namespace',
      percent: 10,
      run: async ({ kube, manifests }) => {
        await kube.apply(manifests.namespace());
        await kube.apply(manifests.resourceQuota());
        await kube.apply(manifests.limitRange());
      },
    },
    {
      key: 'network-policies',
      percent: 20,
      run: async ({ kube, manifests }) => {
        for (const policy of manifests.networkPolicies()) await kube.apply(policy);
      },
    },
    {
      key: 'vcluster-release',
      percent: 30,
      run: async ({ kube, manifests }) => {
        await kube.apply(manifests.helmRelease());
      },
    },
    { key: 'release-ready', percent: 45, run: (ctx) => this.releaseReady(ctx) },
    {
      key: 'statefulset-ready',
      percent: 60,
      run: async (ctx) => {
        await this.wait(
          ctx,
          {
            apiVersion: 'apps/v1',
            kind: 'StatefulSet',
            namespace: ctx.names.namespace,
            name: ctx.names.release,
          },
          statefulSetReady,
        );
      },
    },
    {
      key: 'kubeconfig-secret',
      percent: 70,
      run: async (ctx) => {
        const secret = await this.wait(
          ctx,
          {
            apiVersion: 'v1',
            kind: 'Secret',
            namespace: ctx.names.namespace,
            name: ctx.names.kubeconfigSecret,
          },
          (o) => typeof (o?.data as Record<string, string> | undefined)?.config === 'string',
        );
        ctx.vclusterKubeconfig = Buffer.from(
          (secret.data as Record<string, string>).config!,
          'base64',
        ).toString('utf8');
      },
    },
    {
      key: 'vcluster-address',
      percent: 75,
      run: async (ctx) => {
        const address = ctx.address;
        const service =
          address.mode === 'passthrough'
            ? null
            : await this.wait(
                ctx,
                {
                  apiVersion: 'v1',
                  kind: 'Service',
                  namespace: ctx.names.namespace,
                  name: ctx.names.release,
                },
                (o) => studentServerUrl(address, ctx.names, o) !== null,
              );
        ctx.serverUrl = studentServerUrl(address, ctx.names, service)!;
        ctx.studentKubeconfig = KubeconfigDocument.parse(ctx.vclusterKubeconfig!).withServer(ctx.serverUrl, {
          contextName: 'kubecohort',
        });
      },
    },
    { key: 'vcluster-api', percent: 85, run: (ctx) => this.apiAnswers(ctx) },
    {
      key: 'workbench',
      percent: 95,
      run: async (ctx) => {
        const { kube, manifests, names } = ctx;
        await kube.apply(manifests.workbenchNamespace());
        await kube.apply(manifests.workbenchQuota());
        await kube.apply(manifests.workbenchNetworkPolicy());
        const workbench = manifests.workbench();
        await kube.apply(workbench);
        await this.wait(
          ctx,
          {
            apiVersion: 'apps/v1',
            kind: 'StatefulSet',
            namespace: names.workbenchNamespace,
            name: workbench.metadata.name,
          },
          statefulSetReady,
        );
      },
    },
  ];

  constructor(
    private readonly prisma: PrismaService,
    private readonly registry: HostClusterRegistry,
    private readonly clients: KubeClients,
    private readonly transitions: EnvironmentTransitions,
    private readonly probe: VclusterApiProbe,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    @Inject(ENVIRONMENT_SIZING) private readonly sizing: EnvironmentSizing,
    @Inject(PROVISIONING_OPTIONS) private readonly options: ProvisioningOptions,
  ) {
    // A broken template stops the worker at boot instead of failing every environment.
    this.template = VclusterValuesTemplate.load(options.vcluster.valuesFile);
  }

  async provision(environmentId: string): Promise<ProvisionOutcome> {
    let env = await this.prisma.environment.findUnique({ where: { id: environmentId } });
    if (env?.state === 'requested') {
      env =
        (await this.transitions.move(environmentId, ['requested'], 'provisioning', {
          progressStep: 'starting',
          progressPercent: 2,
        })) ?? (await this.prisma.environment.findUnique({ where: { id: environmentId } }));
    }
    if (!env || env.state !== 'provisioning') return 'skipped';
    if (!env.hostClusterId) throw new ProvisioningFailed('the environment has no host cluster');

    const names = environmentNames(env.id);
    const kube = this.clients.forCluster(await this.registry.clusterRef(env.hostClusterId));
    const stop = new AbortController();
    const watcher = this.stopWhenStateChanges(environmentId, stop);
    const options = this.forHost(kube.server);
    const ctx: StepContext = {
      env,
      names,
      kube,
      manifests: new EnvironmentManifests(env, names, this.sizing, options, this.template),
      address: options.address,
      signal: stop.signal,
    };
    try {
      for (const step of this.steps) {
        if (stop.signal.aborted) return 'stopped';
        await this.transitions.progress(environmentId, 'provisioning', step.key, step.percent);
        this.logger.log({ environmentId, step: step.key }, 'provisioning step');
        await step.run(ctx);
      }
    } catch (error) {
      if (stop.signal.aborted) return 'stopped';
      throw error;
    } finally {
      clearInterval(watcher);
    }
    const ready = await this.transitions.move(environmentId, ['provisioning'], 'ready', {
      progressStep: 'ready',
      progressPercent: 100,
      stateReason: null,
      serverUrl: ctx.serverUrl,
      kubeconfigEncrypted: this.box.encrypt(ctx.studentKubeconfig!),
      readyAt: this.clock.now(),
    });
    if (!ready) return 'stopped';
    this.logger.log({ environmentId }, 'environment ready');
    return 'ready';
  }

  /**
   * The environment's manifests as provisioning applies them (with its current cohort and
   * student labels): a claimed pool environment is relabelled from these.
   */
  manifestsFor(env: Environment, server: string): EnvironmentManifests {
    return new EnvironmentManifests(
      env,
      environmentNames(env.id),
      this.sizing,
      this.forHost(server),
      this.template,
    );
  }

  /** Gives up on an environment for good (reason for students and staff; no credentials in it). */
  async fail(environmentId: string, reason: string): Promise<void> {
    const failed = await this.transitions.move(environmentId, ['requested', 'provisioning'], 'failed', {
      stateReason: reason,
    });
    if (failed) this.logger.warn({ environmentId, reason }, 'environment failed');
  }

  /** NodePort mode without ENV_NODE_ADDRESS: students reach nodes where they reach the API server. */
  private forHost(server: string): ProvisioningOptions {
    const { address } = this.options;
    if (address.mode !== 'nodeport' || address.nodeAddress) return this.options;
    const nodeAddress = new URL(server).hostname.replace(/^\[(.*)\]$/, '$1');
    return { ...this.options, address: { ...address, nodeAddress } };
  }

  private async releaseReady(ctx: StepContext): Promise<void> {
    const release = await this.wait(
      ctx,
      {
        apiVersion: HELM_RELEASE_API,
        kind: 'HelmRelease',
        namespace: ctx.names.namespace,
        name: ctx.names.release,
      },
      (o) => releaseState(o).state !== 'pending',
    );
    const state = releaseState(release);
    if (state.state === 'failed')
      throw new ProvisioningFailed(`the vcluster could not be installed: ${state.message}`);
  }

  private async apiAnswers(ctx: StepContext): Promise<void> {
    const deadline = Date.now() + this.options.timing.stepTimeoutMs;
    for (;;) {
      ctx.signal.throwIfAborted();
      const result = await this.probe.answers({
        host: ctx.kube,
        namespace: ctx.names.namespace,
        release: ctx.names.release,
        kubeconfig: ctx.studentKubeconfig!,
      });
      if (result.ok) return;
      if (Date.now() > deadline)
        throw new Error(`the vcluster API did not answer at ${ctx.serverUrl} in time: ${result.detail}`);
      await sleep(this.options.timing.recheckMs, undefined, { signal: ctx.signal });
    }
  }

  private async wait(
    ctx: StepContext,
    ref: { apiVersion: string; kind: string; namespace: string; name: string },
    done: (object: KubeObject | null) => boolean,
  ): Promise<KubeObject> {
    const found = await ctx.kube.waitFor(ref, (o) => o !== null && done(o), {
      timeoutMs: this.options.timing.stepTimeoutMs,
      recheckMs: this.options.timing.recheckMs,
      signal: ctx.signal,
    });
    return found!;
  }

  /** Aborts the run when someone deletes the environment (or anything else moves it) meanwhile. */
  private stopWhenStateChanges(environmentId: string, stop: AbortController): NodeJS.Timeout {
    const timer = setInterval(
      () => {
        this.prisma.environment
          .findUnique({ where: { id: environmentId }, select: { state: true } })
          .then((row) => {
            if (row?.state !== 'provisioning') stop.abort(new Error('the environment left provisioning'));
          })
          .catch(() => undefined);
      },
      Math.max(this.options.timing.recheckMs, 500),
    );
    timer.unref();
    return timer;
  }
}

function conditions(object: KubeObject | null): Condition[] {
  return (object?.status as { conditions?: Condition[] } | undefined)?.conditions ?? [];
}

/** Flux's verdict on the release: Ready=True, or given up on (Stalled, retries exhausted). */
export function releaseState(
  release: KubeObject | null,
): { state: 'ready' } | { state: 'failed'; message: string } | { state: 'pending' } {
  if (!release) return { state: 'pending' };
  const generation = release.metadata.generation ?? 0;
  const observed = (release.status as { observedGeneration?: number } | undefined)?.observedGeneration ?? 0;
  const ready = conditions(release).find((c) => c.type === 'Ready');
  const stalled = conditions(release).find((c) => c.type === 'Stalled' && c.status === 'True');
  if (observed < generation) return { state: 'pending' };
  if (ready?.status === 'True') return { state: 'ready' };
  if (stalled || (ready?.status === 'False' && ready.reason === 'RetriesExceeded')) {
    const cause = stalled ?? ready!;
    return { state: 'failed', message: `${cause.reason ?? 'Failed'}: ${cause.message ?? 'no message'}` };
  }
  return { state: 'pending' };
}

export function statefulSetReady(sts: KubeObject | null): boolean {
  if (!sts) return false;
  const spec = sts.spec as { replicas?: number } | undefined;
  const status = sts.status as { readyReplicas?: number; observedGeneration?: number } | undefined;
  const wanted = Math.max(1, spec?.replicas ?? 1);
  return (
    (status?.readyReplicas ?? 0) >= wanted &&
    (status?.observedGeneration ?? 0) >= (sts.metadata.generation ?? 0)
  );
}
