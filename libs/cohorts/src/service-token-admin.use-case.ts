import {
  AuditTrail,
  SERVICE_SCOPES,
  type ServiceScope,
  ServiceTokens,
  type UserPrincipal,
} from '@kubecohort/auth';
import { DomainError, type Page } from '@kubecohort/contracts';
import { PrismaService } from '@kubecohort/database';
import { Injectable } from '@nestjs/common';
import type { RequestMeta } from './audit-context.js';
import { iso, type ServiceTokenView } from './cohort.views.js';

/** Admins mint, list and revoke the bot's and worker's tokens. The secret is shown once. */
@Injectable()
export class ServiceTokenAdmin {
  constructor(
    private readonly tokens: ServiceTokens,
    private readonly prisma: PrismaService,
    private readonly audit: AuditTrail,
  ) {}

  async create(
    admin: UserPrincipal,
    input: { name: string; scopes: string[] },
    meta: RequestMeta = {},
  ): Promise<{ id: string; token: string; scopes: ServiceScope[] }> {
    const unknown = input.scopes.filter((scope) => !(SERVICE_SCOPES as readonly string[]).includes(scope));
    if (unknown.length > 0 || input.scopes.length === 0) {
      throw DomainError.invalid('unknown scopes', [
        { field: 'scopes', problem: `each must be one of: ${SERVICE_SCOPES.join(', ')}` },
      ]);
    }
    const scopes = [...new Set(input.scopes)] as ServiceScope[];
    const created = await this.tokens.create({ name: input.name.trim(), scopes, createdById: admin.userId });
    await this.audit.record(admin, {
      action: 'service-token.create',
      targetType: 'service_token',
      targetId: created.id,
      metadata: { scopes },
      ...meta,
    });
    return { id: created.id, token: created.token, scopes };
  }

  async list(): Promise<Page<ServiceTokenView>> {
    const rows = await this.tokens.list();
    return {
      items: rows.map((row) => ({
        id: row.id,
        name: row.name,
        scopes: row.scopes,
        createdAt: row.createdAt.toISOString(),
        lastUsedAt: iso(row.lastUsedAt),
        expiresAt: iso(row.expiresAt),
        revokedAt: iso(row.revokedAt),
      })),
      nextCursor: null,
    };
  }

  /** Idempotent: revoking a revoked token succeeds; an unknown id is 404. */
  async revoke(admin: UserPrincipal, id: string, meta: RequestMeta = {}): Promise<void> {
    const exists = await this.prisma.serviceToken.findUnique({ where: { id }, select: { id: true } });
    if (!exists) throw DomainError.notFound('service token');
    const revoked = await this.tokens.revoke(id);
    if (revoked) {
      await this.audit.record(admin, {
        action: 'service-token.revoke',
        targetType: 'service_token',
        targetId: id,
        ...meta,
      });
    }
  }
}
