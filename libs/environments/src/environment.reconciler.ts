import { Clock } from '@kubecohort/config';
import { PrismaService } from '@kubecohort/database';
import { KubeClients } from '@kubecohort/kubernetes';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { environmentNames, LABELS, MANAGED_BY } from './environment-names.js';
import { EnvironmentExpiry } from './environment.expiry.js';
import { EnvironmentJobs } from './environment.jobs.js';
import { EnvironmentTransitions } from './environment.transitions.js';
import { RECONCILE_OPTIONS, type ReconcileOptions } from './environments.options.js';
import { HostClusterRegistry } from './host-cluster.registry.js';

export interface ReconcileResult {
  provisioning: number;
  teardown: number;
  sleep: number;
  wake: number;
  exportsPurged: number;
  operations: number;
  expired: number;
  stuck: number;
  orphanNamespaces: number;
  repaired: number;
  unreachableHosts: number;
}

/**
 * Converges the database and the host clusters, often and idempotently (deterministic job ids):
 * - environments on their way somewhere without a job (a lost enqueue, a job that died) get it back;
 * - environments stuck in a transition far longer than any job takes are marked failed;
 * - environments past their expiry or their cohort's end are exported and torn down;
 * - namespaces labelled as ours (one of our cohorts) that no live environment owns are deleted;
 * - a ready environment whose namespace vanished is provisioned again;
 * - cohort-wide operations without a job get it back, and expired exports are deleted.
 */
@Injectable()
export class EnvironmentReconciler {
  private readonly logger = new Logger(EnvironmentReconciler.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly jobs: EnvironmentJobs,
    private readonly transitions: EnvironmentTransitions,
    private readonly expiry: EnvironmentExpiry,
    private readonly registry: HostClusterRegistry,
    private readonly clients: KubeClients,
    private readonly clock: Clock,
    @Inject(RECONCILE_OPTIONS) private readonly options: ReconcileOptions,
  ) {}

  async reconcile(staleAfterSeconds: number): Promise<ReconcileResult> {
    const now = this.clock.now();
    const result: ReconcileResult = {
      provisioning: 0,
      teardown: 0,
      sleep: 0,
      wake: 0,
      exportsPurged: 0,
      operations: 0,
      expired: 0,
      stuck: 0,
      orphanNamespaces: 0,
      repaired: 0,
      unreachableHosts: 0,
    };
    result.stuck = await this.failStuck(now);
    await this.requeue(now, staleAfterSeconds, result);

    // A running cohort operation touches its row every loop: a quiet one lost its job.
    const operations = await this.prisma.environmentOperation.findMany({
      where: { state: 'running', updatedAt: { lt: new Date(now.getTime() - staleAfterSeconds * 1000) } },
      select: { id: true },
      take: 100,
    });
    for (const operation of operations) await this.jobs.ensureCohortProvisioning(operation.id);
    result.operations = operations.length;

    result.expired = await this.expiry.enqueueExpired();
    const purged = await this.prisma.environmentExport.deleteMany({ where: { expiresAt: { lte: now } } });
    result.exportsPurged = purged.count;

    const hosts = await this.prisma.hostCluster.findMany({
      where: { status: { not: 'unreachable' } },
      select: { id: true },
    });
    for (const host of hosts) {
      try {
        const { orphans, repaired } = await this.convergeHost(host.id, now);
        result.orphanNamespaces += orphans;
        result.repaired += repaired;
      } catch (error) {
        result.unreachableHosts++;
        this.logger.warn(
          { hostClusterId: host.id, err: (error as Error).message },
          'host cluster not reconciled',
        );
      }
    }
    return result;
  }

  private async requeue(now: Date, staleAfterSeconds: number, result: ReconcileResult): Promise<void> {
    const stale = await this.prisma.environment.findMany({
      where: {
        updatedAt: { lt: new Date(now.getTime() - staleAfterSeconds * 1000) },
        OR: [
          { state: { in: ['requested', 'provisioning', 'deleting', 'waking'] } },
          // Asleep in the database, but its vcluster may still run.
          { state: 'sleeping', progressPercent: { lt: 100 } },
        ],
      },
      select: { id: true, state: true, progressPercent: true },
      orderBy: { updatedAt: 'asc' },
      take: 500,
    });
    for (const env of stale) {
      switch (env.state) {
        case 'deleting':
          await this.jobs.ensureTeardown(env);
          result.teardown++;
          break;
        case 'sleeping':
          await this.jobs.ensureSleep(env);
          result.sleep++;
          break;
        case 'waking':
          await this.jobs.ensureWake(env);
          result.wake++;
          break;
        case 'requested':
        case 'provisioning':
          await this.jobs.ensureProvisioning(env);
          result.provisioning++;
          break;
        case 'ready':
        case 'deleted':
        case 'failed':
          break; // not selected above: nothing to bring back
      }
    }
  }

  /** In a transition far longer than its jobs and their retries can take: failed, with the reason. */
  private async failStuck(now: Date): Promise<number> {
    const limit = this.options.stuckAfterSeconds;
    const stuck = await this.prisma.environment.findMany({
      where: {
        state: { in: ['provisioning', 'waking', 'deleting'] },
        stateChangedAt: { lt: new Date(now.getTime() - limit * 1000) },
      },
      select: { id: true, state: true, progressStep: true },
      take: 500,
    });
    let failed = 0;
    for (const env of stuck) {
      const moved = await this.transitions.move(env.id, [env.state], 'failed', {
        stateReason: `stuck ${env.state} (at ${env.progressStep ?? 'its first step'}) for more than ${Math.round(limit / 60)} min: marked failed; delete it (or ask your instructor) to start over`,
      });
      if (moved) failed++;
    }
    if (failed > 0) this.logger.warn({ failed }, 'stuck environments marked failed');
    return failed;
  }

  /**
   * One host cluster: our namespaces (by label) against the database. A namespace whose
   * environment does not exist or is deleted is an orphan (a teardown that lost its row, a
   * database restored from backup) and is deleted; a ready environment without its namespace is
   * provisioned again.
   */
  private async convergeHost(
    hostClusterId: string,
    now: Date,
  ): Promise<{ orphans: number; repaired: number }> {
    const kube = this.clients.forCluster(await this.registry.clusterRef(hostClusterId));
    const namespaces = await kube.list({
      apiVersion: 'v1',
      kind: 'Namespace',
      labelSelector: `${LABELS.managedBy}=${MANAGED_BY}`,
    });
    const ids = [
      ...new Set(
        namespaces
          .map((ns) => ns.metadata.labels?.[LABELS.environment])
          .filter((id): id is string => typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id)),
      ),
    ];
    const owners = await this.prisma.environment.findMany({
      where: { id: { in: ids }, state: { not: 'deleted' } },
      select: { id: true },
    });
    const owned = new Set(owners.map((o) => o.id));
    // Only namespaces of our own cohorts: another installation sharing the host cluster labels
    // its namespaces the same way, and its environments are not in this database.
    const cohortIds = [
      ...new Set(
        namespaces
          .map((ns) => ns.metadata.labels?.[LABELS.cohort])
          .filter((id): id is string => typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id)),
      ),
    ];
    const known = new Set(
      (await this.prisma.cohort.findMany({ where: { id: { in: cohortIds } }, select: { id: true } })).map(
        (c) => c.id,
      ),
    );
    const graceMs = this.options.orphanGraceSeconds * 1000;
    let orphans = 0;
    for (const ns of namespaces) {
      const id = ns.metadata.labels?.[LABELS.environment];
      if (id && owned.has(id)) continue;
      if (!known.has(ns.metadata.labels?.[LABELS.cohort] ?? '')) continue;
      if (ns.metadata.deletionTimestamp) continue;
      const stamp = ns.metadata.creationTimestamp;
      const created = typeof stamp === 'string' ? Date.parse(stamp) : Number.NaN;
      if (Number.isFinite(created) && now.getTime() - created < graceMs) continue;
      await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns.metadata.name });
      orphans++;
      this.logger.warn(
        { hostClusterId, namespace: ns.metadata.name, environmentId: id },
        'orphan namespace deleted',
      );
    }

    const present = new Set(
      namespaces.filter((ns) => !ns.metadata.deletionTimestamp).map((ns) => ns.metadata.name),
    );
    const ready = await this.prisma.environment.findMany({
      where: { hostClusterId, state: 'ready', readyAt: { lt: new Date(now.getTime() - graceMs) } },
      select: { id: true },
    });
    let repaired = 0;
    for (const env of ready) {
      const names = environmentNames(env.id);
      if (present.has(names.namespace) && present.has(names.workbenchNamespace)) continue;
      const moved = await this.transitions.move(env.id, ['ready'], 'provisioning', {
        progressStep: 'repair-queued',
        progressPercent: 0,
        stateReason: 'its namespace was missing on the host cluster: provisioning it again',
      });
      if (!moved) continue;
      await this.jobs.ensureProvisioning(moved);
      repaired++;
      this.logger.warn(
        { environmentId: env.id },
        'environment missing on its host cluster: provisioning again',
      );
    }
    return { orphans, repaired };
  }
}
