import { Clock } from '@kubecohort/config';
import { type Environment, PrismaService, type Prisma, uuidv7 } from '@kubecohort/database';
import { KubeClients } from '@kubecohort/kubernetes';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { environmentNames } from './environment-names.js';
import { EnvironmentJobs } from './environment.jobs.js';
import { EnvironmentProvisioner } from './environment.provisioner.js';
import { EnvironmentTransitions } from './environment.transitions.js';
import {
  ENVIRONMENT_SIZING,
  environmentCost,
  POOL_OPTIONS,
  type EnvironmentSizing,
  type PoolOptions,
} from './environments.options.js';
import { HostClusterAllocator, usageByHost } from './host-cluster.allocator.js';
import { HostClusterRegistry } from './host-cluster.registry.js';

export interface PoolRefillResult {
  target: number;
  demand: number;
  pooled: number;
  added: number;
  removed: number;
  /** Each active host cluster's share of the target and what it holds (requested to ready). */
  hosts: Record<string, { target: number; pooled: number }>;
}

export interface PoolHost {
  id: string;
  /** Environments the host cluster still has room for, leaving its pool environments out. */
  free: number;
}

/**
 * Splits the pool's target over the host clusters by their free capacity (largest remainder, ties
 * to the earlier host), never giving one more than it has room for: a host cluster with twice the
 * room keeps twice the ready vclusters, so claims land where there is room to run them.
 */
export function poolShares(target: number, hosts: readonly PoolHost[]): Map<string, number> {
  const shares = new Map(hosts.map((h) => [h.id, 0]));
  const room = hosts.map((h) => ({ id: h.id, free: Math.max(0, h.free) }));
  const totalFree = room.reduce((sum, h) => sum + h.free, 0);
  let left = Math.min(target, totalFree);
  if (left <= 0) return shares;
  const exact = room.map((h) => ({ ...h, exact: (h.free * left) / totalFree }));
  for (const h of exact) shares.set(h.id, Math.min(h.free, Math.floor(h.exact)));
  left -= [...shares.values()].reduce((sum, n) => sum + n, 0);
  const byRemainder = exact
    .map((h, index) => ({ ...h, index, remainder: h.exact - Math.floor(h.exact) }))
    .sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  while (left > 0) {
    const before = left;
    for (const h of byRemainder) {
      if (left === 0) break;
      if (shares.get(h.id)! < h.free) {
        shares.set(h.id, shares.get(h.id)! + 1);
        left--;
      }
    }
    if (left === before) break;
  }
  return shares;
}

/** At most this many pool environments are added per refill run (the rest on the next runs). */
const MAX_ADDED_PER_RUN = 20;

/**
 * Claims an unclaimed, ready pool environment for a student, inside the caller's transaction:
 * the row is locked (SKIP LOCKED, so concurrent claims take different ones and never wait on each
 * other) and becomes the student's at once. Its namespaces are relabelled afterwards (a job).
 * Null when the pool has nothing ready.
 */
export async function claimPooled(
  tx: Prisma.TransactionClient,
  claim: { cohortId: string; userId: string; now: Date },
): Promise<Environment | null> {
  const [row] = await tx.$queryRaw<{ id: string }[]>`
    SELECT id::text AS id FROM environments
     WHERE pooled AND state = 'ready' AND active_user_id IS NULL
     ORDER BY ready_at, id
     LIMIT 1
       FOR UPDATE SKIP LOCKED`;
  if (!row) return null;
  return tx.environment.update({
    where: { id: row.id },
    data: {
      cohortId: claim.cohortId,
      userId: claim.userId,
      activeUserId: claim.userId,
      pooled: false,
      claimedAt: claim.now,
      progressStep: 'ready',
      lastActivityAt: claim.now,
      lastApiRequestCount: null,
      // Time spent waiting in the pool is nobody's budget; the cohort pays from now on.
      billedSeconds: 0,
      billingSince: claim.now,
    },
  });
}

/**
 * The warm pool: unclaimed environments provisioned ahead of demand, so a student who asks gets
 * a ready vcluster at once. Its size follows the rosters of cohorts running or starting within
 * the lead time (students without an environment yet), between the configured minimum and
 * maximum, and split over the host clusters by their free capacity (poolShares): each host cluster
 * keeps its own share of ready vclusters, filled on that host cluster. Refills run in the worker (a
 * repeatable job); claims run in the api (claimPooled) and the relabel job follows.
 */
@Injectable()
export class WarmPool {
  private readonly logger = new Logger(WarmPool.name);
  private refilling: Promise<PoolRefillResult> | undefined;

  constructor(
    private readonly prisma: PrismaService,
    private readonly allocator: HostClusterAllocator,
    private readonly transitions: EnvironmentTransitions,
    private readonly jobs: EnvironmentJobs,
    private readonly registry: HostClusterRegistry,
    private readonly clients: KubeClients,
    private readonly provisioner: EnvironmentProvisioner,
    private readonly clock: Clock,
    @Inject(ENVIRONMENT_SIZING) private readonly sizing: EnvironmentSizing,
    @Inject(POOL_OPTIONS) private readonly options: PoolOptions,
  ) {}

  /** Students of cohorts running or starting within the lead time who have no environment yet. */
  async demand(): Promise<number> {
    const now = this.clock.now();
    const soon = new Date(now.getTime() + this.options.leadHours * 3600_000);
    const [row] = await this.prisma.$queryRaw<{ students: number }[]>`
      SELECT count(*)::int AS students
        FROM enrollments e
        JOIN cohorts c ON c.id = e.cohort_id
       WHERE e.status = 'active' AND e.active_user_id IS NOT NULL
         AND c.deleted_at IS NULL AND c.status IN ('draft', 'active')
         AND (c.starts_at IS NULL OR c.starts_at <= ${soon})
         AND (c.ends_at IS NULL OR c.ends_at > ${now})
         AND NOT EXISTS (SELECT 1 FROM environments v WHERE v.active_user_id = e.user_id)`;
    return row?.students ?? 0;
  }

  /**
   * One refill at a time in this process: the repeatable job fires every interval, and a refill
   * still running when the next one starts (a slow host cluster, a loaded machine) would count the
   * same pool and add the same environments twice. The later call gets the running one's result.
   */
  refill(): Promise<PoolRefillResult> {
    this.refilling ??= this.refillOnce().finally(() => {
      this.refilling = undefined;
    });
    return this.refilling;
  }

  private async refillOnce(): Promise<PoolRefillResult> {
    const demand = await this.demand();
    const target = Math.min(this.options.max, Math.max(this.options.min, demand));
    const pooled = await this.prisma.environment.findMany({
      where: { pooled: true, state: { in: ['requested', 'provisioning', 'ready'] } },
      select: { id: true, state: true, hostClusterId: true },
      orderBy: { requestedAt: 'asc' },
    });
    const result: PoolRefillResult = {
      target,
      demand,
      pooled: pooled.length,
      added: 0,
      removed: 0,
      hosts: {},
    };
    // Environments still on their way up get their job back if it was lost.
    for (const env of pooled) await this.jobs.ensureProvisioning(env);
    // Per host cluster: its share of the target by free capacity, filled on that host cluster.
    const shares = poolShares(target, await this.poolHosts());
    for (const [hostId, share] of shares) {
      const held = pooled.filter((e) => e.hostClusterId === hostId).length;
      result.hosts[hostId] = { target: share, pooled: held };
      for (let i = held; i < share && result.added < MAX_ADDED_PER_RUN; i++) {
        const env = await this.add(hostId);
        if (!env) break; // the host cluster filled up meanwhile: the next run shares again
        await this.jobs.ensureProvisioning(env);
        result.hosts[hostId].pooled++;
        result.added++;
      }
    }
    // Shrink only past the maximum (a lowered setting): demand going down is what claims do.
    const excess = pooled
      .filter((e) => e.state === 'ready')
      .slice(0, Math.max(0, pooled.length - this.options.max));
    for (const env of excess) {
      const moved = await this.transitions.move(env.id, ['ready'], 'deleting', {
        progressStep: 'teardown-queued',
        progressPercent: 0,
        stateReason: 'warm pool above its maximum',
      });
      if (moved) {
        await this.jobs.ensureTeardown(moved);
        result.removed++;
      }
    }
    if (result.added > 0 || result.removed > 0) this.logger.log(result, 'warm pool refilled');
    return result;
  }

  /** Gives a claimed pool environment's namespaces its cohort and student labels. */
  async relabel(environmentId: string): Promise<'relabelled' | 'skipped'> {
    const env = await this.prisma.environment.findUnique({ where: { id: environmentId } });
    if (!env?.hostClusterId || !env.cohortId || !env.userId || env.pooled) return 'skipped';
    if (!['ready', 'sleeping', 'waking'].includes(env.state)) return 'skipped';
    const kube = this.clients.forCluster(await this.registry.clusterRef(env.hostClusterId));
    const manifests = this.provisioner.manifestsFor(env, kube.server);
    await kube.apply(manifests.namespace());
    await kube.apply(manifests.workbenchNamespace());
    return 'relabelled';
  }

  /** Active host clusters and the environments each has room for, its pool environments left out. */
  private async poolHosts(): Promise<PoolHost[]> {
    const cost = environmentCost(this.sizing);
    const hosts = await this.prisma.hostCluster.findMany({
      where: { status: 'active' },
      select: { id: true, capacityEnvironments: true, capacityCpuMillis: true, capacityMemoryMib: true },
      orderBy: { id: 'asc' },
    });
    const usage = await usageByHost(
      this.prisma,
      hosts.map((h) => h.id),
      { withoutPool: true },
    );
    return hosts.map((h) => {
      const used = usage.get(h.id) ?? { environments: 0, cpuMillis: 0, memoryMib: 0 };
      const free = Math.min(
        h.capacityEnvironments - used.environments,
        Math.floor((h.capacityCpuMillis - used.cpuMillis) / Math.max(1, cost.cpuMillis)),
        Math.floor((h.capacityMemoryMib - used.memoryMib) / Math.max(1, cost.memoryMib)),
      );
      return { id: h.id, free: Math.max(0, free) };
    });
  }

  private async add(hostId: string): Promise<Environment | null> {
    const cost = environmentCost(this.sizing);
    return this.transactions(async (tx) => {
      const hostClusterId = await this.allocator.allocate(tx, cost, hostId);
      if (!hostClusterId) return null;
      const id = uuidv7();
      const names = environmentNames(id);
      return tx.environment.create({
        data: {
          id,
          pooled: true,
          hostClusterId,
          state: 'requested',
          progressStep: 'queued',
          progressPercent: 0,
          cpuMillis: cost.cpuMillis,
          memoryMib: cost.memoryMib,
          namespace: names.namespace,
          workbenchNamespace: names.workbenchNamespace,
          vclusterName: names.release,
        },
      });
    });
  }

  private transactions<T>(work: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
    return this.prisma.$transaction(work);
  }
}
