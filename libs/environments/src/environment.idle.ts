import { Clock } from '@kubecohort/config';
import { PrismaService } from '@kubecohort/database';
import { KubeClients } from '@kubecohort/kubernetes';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { environmentNames } from './environment-names.js';
import { EnvironmentJobs } from './environment.jobs.js';
import { EnvironmentTransitions } from './environment.transitions.js';
import { IDLE_OPTIONS, type IdleOptions } from './environments.options.js';
import { HostClusterRegistry } from './host-cluster.registry.js';

export interface IdleCheckResult {
  checked: number;
  slept: number;
  active: number;
  unreadable: number;
}

const BATCH = 200;

/**
 * Finds idle environments and puts them to sleep. Idle = no platform activity from the student
 * for the window (lastActivityAt, written by the api on their requests) AND no change in the
 * vcluster API server's own request counter, because kubectl talks to the vcluster directly and
 * the platform never sees it. The counter is read from the vcluster's /metrics through the host
 * API server's service proxy; a change since the last read counts as activity now.
 */
@Injectable()
export class EnvironmentIdleCheck {
  private readonly logger = new Logger(EnvironmentIdleCheck.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly registry: HostClusterRegistry,
    private readonly clients: KubeClients,
    private readonly transitions: EnvironmentTransitions,
    private readonly jobs: EnvironmentJobs,
    private readonly clock: Clock,
    @Inject(IDLE_OPTIONS) private readonly options: IdleOptions,
  ) {}

  async run(idleAfterSeconds: number): Promise<IdleCheckResult> {
    const now = this.clock.now();
    const cutoff = new Date(now.getTime() - idleAfterSeconds * 1000);
    // Past the window, or without a baseline yet (just provisioned or woken): the baseline is
    // taken now so the next check can tell whether anything happened in between.
    const candidates = await this.prisma.environment.findMany({
      where: {
        state: 'ready',
        // An unclaimed pool environment has nobody to be idle: it stays ready for its student.
        pooled: false,
        hostClusterId: { not: null },
        OR: [{ lastActivityAt: { lt: cutoff } }, { lastApiRequestCount: null }],
      },
      select: { id: true, hostClusterId: true, lastActivityAt: true, lastApiRequestCount: true },
      orderBy: { lastActivityAt: 'asc' },
      take: BATCH,
    });
    const result: IdleCheckResult = { checked: candidates.length, slept: 0, active: 0, unreadable: 0 };
    for (const env of candidates) {
      const count = await this.requestCount(env.hostClusterId!, env.id);
      if (count === null) {
        result.unreadable++;
        continue;
      }
      const previous = env.lastApiRequestCount;
      if (previous === null || previous !== count) {
        // `now` was taken before the metrics reads: an api activity mark written meanwhile is newer
        // and must stay, so lastActivityAt only ever moves forward. updated_at as Prisma's @updatedAt.
        const active = previous !== null;
        await this.prisma.$executeRaw`
          UPDATE environments
          SET last_api_request_count = ${count},
              last_activity_at = CASE WHEN ${active}::boolean THEN GREATEST(last_activity_at, ${now}::timestamptz)
                                      ELSE last_activity_at END,
              updated_at = now()
          WHERE id = ${env.id}::uuid AND state = 'ready'`;
        if (previous !== null) result.active++;
        continue;
      }
      if (env.lastActivityAt >= cutoff) continue;
      const minutes = Math.round(idleAfterSeconds / 60);
      const asleep = await this.transitions.move(env.id, ['ready'], 'sleeping', {
        progressStep: 'sleep-queued',
        progressPercent: 0,
        stateReason: `idle for ${minutes >= 1 ? `${minutes} min` : `${idleAfterSeconds} s`}: put to sleep`,
      });
      if (!asleep) continue;
      await this.jobs.ensureSleep(asleep);
      result.slept++;
    }
    if (result.slept > 0) this.logger.log(result, 'idle environments put to sleep');
    return result;
  }

  /** Sum of apiserver_request_total over student-visible resources; null when unreadable. */
  private async requestCount(hostClusterId: string, environmentId: string): Promise<bigint | null> {
    const names = environmentNames(environmentId);
    try {
      const kube = this.clients.forCluster(await this.registry.clusterRef(hostClusterId));
      const response = await kube.proxyGet(names.namespace, `https:${names.release}:443`, 'metrics');
      if (response.status !== 200) return null;
      return requestTotal(response.body, this.options.ignoredResources);
    } catch (error) {
      this.logger.warn({ environmentId, err: (error as Error).message }, 'vcluster metrics unreadable');
      return null;
    }
  }
}

const SAMPLE = /^apiserver_request_total(?:\{(.*)\})?\s+([0-9.eE+-]+)(?:\s+\d+)?$/;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

/**
 * Sums `apiserver_request_total` from Prometheus text exposition, leaving out requests that are
 * not about resources (/readyz probes, /metrics scrapes like ours, /version) and resources the
 * vcluster touches by itself (leader-election leases, events).
 */
export function requestTotal(exposition: string, ignoredResources: readonly string[]): bigint {
  let total = 0n;
  for (const line of exposition.split('\n')) {
    const match = SAMPLE.exec(line.trim());
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[1] ?? '').matchAll(LABEL)) labels[key!] = value!;
    const resource = labels.resource ?? '';
    if (resource === '' || ignoredResources.includes(resource)) continue;
    const value = Number(match[2]);
    if (Number.isFinite(value) && value > 0) total += BigInt(Math.round(value));
  }
  return total;
}
