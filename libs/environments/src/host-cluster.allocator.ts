import { Prisma } from '@kubecohort/database';
import { Injectable } from '@nestjs/common';

export interface HostUsage {
  environments: number;
  cpuMillis: number;
  memoryMib: number;
}

interface HostRow {
  id: string;
  capacity_environments: number;
  capacity_cpu_millis: number;
  capacity_memory_mib: number;
}

interface UsageRow {
  host_cluster_id: string;
  environments: number;
  cpu_millis: number;
  memory_mib: number;
}

/**
 * Environments not yet deleted hold their share of a host cluster (failed ones keep their
 * namespace). `withoutPool`: students' environments only, the warm pool's left out.
 */
export async function usageByHost(
  db: Prisma.TransactionClient,
  hostIds: readonly string[],
  options: { withoutPool?: boolean } = {},
): Promise<Map<string, HostUsage>> {
  if (hostIds.length === 0) return new Map();
  const students = options.withoutPool ? Prisma.sql`AND NOT pooled` : Prisma.empty;
  const rows = await db.$queryRaw<UsageRow[]>`
    SELECT host_cluster_id::text AS host_cluster_id,
           count(*)::int AS environments,
           coalesce(sum(cpu_millis), 0)::int AS cpu_millis,
           coalesce(sum(memory_mib), 0)::int AS memory_mib
      FROM environments
     WHERE host_cluster_id = ANY(${[...hostIds]}::uuid[]) AND state <> 'deleted' ${students}
     GROUP BY host_cluster_id`;
  return new Map(
    rows.map((row) => [
      row.host_cluster_id,
      { environments: row.environments, cpuMillis: row.cpu_millis, memoryMib: row.memory_mib },
    ]),
  );
}

/**
 * Picks a host cluster with room for one more environment, inside the caller's transaction. The
 * active host rows are locked first, so concurrent requests are counted one after the other and
 * a cluster is never filled past its capacity. Placement beyond "least loaded with room" (regions,
 * warm pools) is the lifecycle issue's.
 */
@Injectable()
export class HostClusterAllocator {
  async allocate(
    tx: Prisma.TransactionClient,
    need: { cpuMillis: number; memoryMib: number },
    /** Only this host cluster (the warm pool fills each host cluster's own share). */
    only?: string,
  ): Promise<string | null> {
    const onlyHost = only ? Prisma.sql`AND id = ${only}::uuid` : Prisma.empty;
    const hosts = await tx.$queryRaw<HostRow[]>`
      SELECT id::text AS id, capacity_environments, capacity_cpu_millis, capacity_memory_mib
        FROM host_clusters
       WHERE status = 'active' ${onlyHost}
       ORDER BY id
         FOR UPDATE`;
    const usage = await usageByHost(
      tx,
      hosts.map((h) => h.id),
    );
    let best: { id: string; load: number } | null = null;
    for (const host of hosts) {
      const used = usage.get(host.id) ?? { environments: 0, cpuMillis: 0, memoryMib: 0 };
      const fits =
        used.environments + 1 <= host.capacity_environments &&
        used.cpuMillis + need.cpuMillis <= host.capacity_cpu_millis &&
        used.memoryMib + need.memoryMib <= host.capacity_memory_mib;
      if (!fits) continue;
      const load = Math.max(
        used.environments / host.capacity_environments,
        used.cpuMillis / host.capacity_cpu_millis,
        used.memoryMib / host.capacity_memory_mib,
      );
      if (!best || load < best.load) best = { id: host.id, load };
    }
    return best?.id ?? null;
  }
}
