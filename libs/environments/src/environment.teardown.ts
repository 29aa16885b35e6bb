import { PrismaService } from '@kubecohort/database';
import { KubeClients, type ObjectRef } from '@kubecohort/kubernetes';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { environmentNames } from './environment-names.js';
import { EnvironmentJobs } from './environment.jobs.js';
import { HELM_RELEASE_API } from './environment.manifests.js';
import { EnvironmentTransitions } from './environment.transitions.js';
import { PROVISIONING_OPTIONS, type ProvisioningOptions } from './environments.options.js';
import { HostClusterRegistry } from './host-cluster.registry.js';

export type TeardownOutcome = 'deleted' | 'skipped';

/** Provisioning still runs for this environment: teardown waits (the job retries) until it stops. */
export class ProvisioningStillRunning extends Error {
  override readonly name = 'ProvisioningStillRunning';
}

/**
 * Removes an environment from its host cluster: the HelmRelease first (so Flux uninstalls the
 * chart cleanly), then both namespaces, waiting until they are gone. Idempotent: anything
 * already gone counts as done.
 */
@Injectable()
export class EnvironmentTeardown {
  private readonly logger = new Logger(EnvironmentTeardown.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly registry: HostClusterRegistry,
    private readonly clients: KubeClients,
    private readonly transitions: EnvironmentTransitions,
    private readonly jobs: EnvironmentJobs,
    @Inject(PROVISIONING_OPTIONS) private readonly options: ProvisioningOptions,
  ) {}

  async teardown(environmentId: string): Promise<TeardownOutcome> {
    const env = await this.prisma.environment.findUnique({ where: { id: environmentId } });
    if (!env || env.state !== 'deleting') return 'skipped';
    // A provisioning run still applying objects could recreate what we delete.
    if (await this.jobs.provisioningActive(environmentId))
      throw new ProvisioningStillRunning(
        'the environment is still being provisioned; teardown waits for it to stop',
      );
    if (env.hostClusterId) {
      const kube = this.clients.forCluster(await this.registry.clusterRef(env.hostClusterId));
      const names = environmentNames(env.id);
      await this.transitions.progress(environmentId, 'deleting', 'vcluster-release', 25);
      await kube.delete({
        apiVersion: HELM_RELEASE_API,
        kind: 'HelmRelease',
        namespace: names.namespace,
        name: names.release,
      });
      await this.transitions.progress(environmentId, 'deleting', 'namespaces', 50);
      const namespaces: ObjectRef[] = [names.workbenchNamespace, names.namespace].map((name) => ({
        apiVersion: 'v1',
        kind: 'Namespace',
        name,
      }));
      for (const ns of namespaces) await kube.delete(ns, { propagationPolicy: 'Background' });
      await this.transitions.progress(environmentId, 'deleting', 'namespaces-gone', 75);
      for (const ns of namespaces) {
        await kube.waitFor(ns, (o) => o === null, {
          timeoutMs: this.options.timing.stepTimeoutMs,
          recheckMs: this.options.timing.recheckMs,
        });
      }
    }
    const deleted = await this.transitions.move(environmentId, ['deleting'], 'deleted', {
      progressStep: 'deleted',
      progressPercent: 100,
      kubeconfigEncrypted: null,
    });
    if (deleted) this.logger.log({ environmentId }, 'environment deleted');
    return deleted ? 'deleted' : 'skipped';
  }

  /** Teardown kept failing: the environment is failed (its namespaces may remain; delete it again). */
  async fail(environmentId: string, reason: string): Promise<void> {
    await this.transitions.move(environmentId, ['deleting'], 'failed', {
      stateReason: `teardown failed: ${reason}`,
    });
  }
}
