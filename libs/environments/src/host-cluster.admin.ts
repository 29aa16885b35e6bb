import { AuditTrail, type UserPrincipal } from '@kubecohort/auth';
import type { Page } from '@kubecohort/contracts';
import { Injectable } from '@nestjs/common';
import { environmentPageSize, readCursor } from './environment.paging.js';
import type { HostClusterView } from './environment.views.js';
import { HostClusterRegistry, type HostClusterInput } from './host-cluster.registry.js';

/** Administrators register and inspect host clusters (audited; credentials never leave encrypted). */
@Injectable()
export class HostClusterAdmin {
  constructor(
    private readonly registry: HostClusterRegistry,
    private readonly audit: AuditTrail,
  ) {}

  async register(principal: UserPrincipal, input: HostClusterInput): Promise<HostClusterView> {
    const host = await this.registry.register(input);
    await this.audit.record(principal, {
      action: 'host-cluster.register',
      targetType: 'host_cluster',
      targetId: host.id,
      metadata: { name: host.name, region: host.region, apiServerUrl: host.apiServerUrl },
    });
    return host;
  }

  list(query: { cursor?: string; limit?: number }): Promise<Page<HostClusterView>> {
    return this.registry.list(environmentPageSize(query.limit), readCursor(query.cursor));
  }
}
