import { SecretBox } from '@kubecohort/auth';
import { DomainError, encodeCursor, type Page } from '@kubecohort/contracts';
import { Prisma, PrismaService } from '@kubecohort/database';
import {
  KubeApiError,
  KubeClients,
  KubeconfigDocument,
  KubeconfigError,
  type ClusterRef,
} from '@kubecohort/kubernetes';
import { Injectable } from '@nestjs/common';
import { usageByHost } from './host-cluster.allocator.js';
import { HELM_RELEASE_API } from './environment.manifests.js';
import { toHostClusterView, type HostClusterView } from './environment.views.js';

export interface HostClusterInput {
  name: string;
  region: string;
  /** YAML; stored encrypted, never returned. */
  kubeconfig: string;
  capacityEnvironments: number;
  capacityCpuMillis: number;
  capacityMemoryMib: number;
}

const CHECK_TIMEOUT_MS = 10000;

/**
 * Host clusters: registration (with a connectivity check before anything is stored), listing
 * with what is allocated on each, and decrypted credentials for the worker.
 */
@Injectable()
export class HostClusterRegistry {
  constructor(
    private readonly prisma: PrismaService,
    private readonly box: SecretBox,
    private readonly clients: KubeClients,
  ) {}

  async register(input: HostClusterInput): Promise<HostClusterView> {
    const server = await this.check(input.kubeconfig);
    try {
      const host = await this.prisma.hostCluster.create({
        data: {
          name: input.name,
          region: input.region,
          apiServerUrl: server,
          kubeconfigEncrypted: this.box.encrypt(input.kubeconfig),
          capacityEnvironments: input.capacityEnvironments,
          capacityCpuMillis: input.capacityCpuMillis,
          capacityMemoryMib: input.capacityMemoryMib,
          status: 'active',
          lastCheckedAt: new Date(),
        },
      });
      return toHostClusterView(host, { environments: 0, cpuMillis: 0, memoryMib: 0 });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')
        throw DomainError.conflict(
          'host_cluster_exists',
          `a host cluster named ${input.name} is already registered`,
        );
      throw error;
    }
  }

  /**
   * Proves the kubeconfig is usable before it is stored: acceptable credentials, the API server
   * answers them, and Flux's HelmRelease API is served (environments are installed through it).
   * Problems are 400s naming the kubeconfig field; the document itself is never quoted.
   */
  private async check(kubeconfig: string): Promise<string> {
    const field = (problem: string) => [{ field: 'kubeconfig', problem }];
    let server: string;
    try {
      server = KubeconfigDocument.parse(kubeconfig).server;
    } catch (error) {
      if (error instanceof KubeconfigError) throw DomainError.invalid(error.message, field(error.message));
      throw error;
    }
    const client = this.clients.connect(kubeconfig, { retryAttempts: 1, requestTimeoutMs: CHECK_TIMEOUT_MS });
    try {
      await client.version();
      if (!(await client.servesKind(HELM_RELEASE_API, 'HelmRelease'))) {
        const message = `the cluster at ${server} does not serve ${HELM_RELEASE_API} HelmRelease: install Flux's helm-controller (see deploy/host-cluster)`;
        throw new DomainError(
          'invalid',
          'flux_missing',
          message,
          field('Flux helm-controller not installed'),
        );
      }
    } catch (error) {
      if (!(error instanceof KubeApiError)) throw error;
      if (error.kind === 'forbidden') {
        const message = `the Kubernetes API at ${server} refused these credentials (HTTP ${error.error.kind === 'forbidden' ? error.error.status : 403})`;
        throw new DomainError(
          'invalid',
          'cluster_credentials_rejected',
          message,
          field('credentials rejected'),
        );
      }
      const message = `could not reach the Kubernetes API at ${server}: ${error.message}`;
      throw new DomainError('invalid', 'cluster_unreachable', message, field('API server unreachable'));
    }
    return server;
  }

  async list(limit: number, afterId: string | null): Promise<Page<HostClusterView>> {
    const rows = await this.prisma.hostCluster.findMany({
      where: afterId ? { id: { gt: afterId } } : {},
      orderBy: { id: 'asc' },
      take: limit + 1,
    });
    const page = rows.slice(0, limit);
    const usage = await usageByHost(
      this.prisma,
      page.map((h) => h.id),
    );
    return {
      items: page.map((h) =>
        toHostClusterView(h, usage.get(h.id) ?? { environments: 0, cpuMillis: 0, memoryMib: 0 }),
      ),
      nextCursor: rows.length > limit ? encodeCursor({ id: page.at(-1)!.id }) : null,
    };
  }

  /** The cluster's credentials for the worker (decrypted in memory only). */
  async clusterRef(hostClusterId: string): Promise<ClusterRef> {
    const host = await this.prisma.hostCluster.findUniqueOrThrow({
      where: { id: hostClusterId },
      select: { id: true, kubeconfigEncrypted: true },
    });
    return { id: host.id, kubeconfig: this.box.decrypt(host.kubeconfigEncrypted) };
  }
}
