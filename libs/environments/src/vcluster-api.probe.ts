import { KubeApiError, KubeClients, type KubeClient } from '@kubecohort/kubernetes';
import { Inject, Injectable } from '@nestjs/common';
import { PROVISIONING_OPTIONS, type ProvisioningOptions } from './environments.options.js';

export interface ProbeTarget {
  /** The host cluster (for the service-proxy probe). */
  host: KubeClient;
  namespace: string;
  release: string;
  /** The rewritten kubeconfig, pointing at the address students use. */
  kubeconfig: string;
}

export type ProbeResult = { ok: true } | { ok: false; detail: string };

/**
 * "Does the vcluster's API server answer?" `direct` asks it the way a student will, at the
 * rewritten address with the student's credentials (TLS included, so a certificate without that
 * address fails here rather than on the student's laptop). `service-proxy` asks through the host
 * API server, for setups where the worker cannot reach the students' address (and for the fake
 * API server in tests).
 */
@Injectable()
export class VclusterApiProbe {
  constructor(
    private readonly clients: KubeClients,
    @Inject(PROVISIONING_OPTIONS) private readonly options: ProvisioningOptions,
  ) {}

  async answers(target: ProbeTarget): Promise<ProbeResult> {
    if (this.options.vcluster.probe === 'service-proxy') {
      const response = await target.host.proxyGet(target.namespace, `https:${target.release}:443`, 'version');
      if (response.status !== 200)
        return { ok: false, detail: `service proxy answered HTTP ${response.status}` };
      try {
        const version = JSON.parse(response.body) as { gitVersion?: unknown };
        if (typeof version.gitVersion === 'string') return { ok: true };
      } catch {
        // fall through
      }
      return { ok: false, detail: 'the vcluster answered /version with something else than a version' };
    }
    try {
      await this.clients.connect(target.kubeconfig, { retryAttempts: 1, requestTimeoutMs: 5000 }).version();
      return { ok: true };
    } catch (error) {
      if (error instanceof KubeApiError) return { ok: false, detail: error.message };
      throw error;
    }
  }
}
