import { type Prisma, PrismaService } from '@kubecohort/database';
import { Injectable } from '@nestjs/common';
import type { Principal } from './principal.js';

export interface AuditEntry {
  action: string;
  targetType: string;
  targetId?: string | null;
  cohortId?: string | null;
  /** Never personal data or secrets: ids, field names, reasons. */
  metadata?: Record<string, unknown>;
  requestId?: string | null;
  ip?: string | null;
}

/** Append-only audit log of privileged and personal-data actions. */
@Injectable()
export class AuditTrail {
  constructor(private readonly prisma: PrismaService) {}

  async record(principal: Principal | null, entry: AuditEntry, tx?: Prisma.TransactionClient): Promise<void> {
    const actorId =
      principal === null
        ? null
        : principal.kind === 'user' && principal.via
          ? principal.via.serviceUserId
          : principal.userId;
    const actAsUserId = principal?.kind === 'user' && principal.via ? principal.userId : null;
    await (tx ?? this.prisma).auditLog.create({
      data: {
        actorId,
        actAsUserId,
        action: entry.action,
        targetType: entry.targetType,
        targetId: entry.targetId ?? null,
        cohortId: entry.cohortId ?? null,
        metadata: (entry.metadata ?? undefined) as Prisma.InputJsonValue | undefined,
        requestId: entry.requestId ?? null,
        ip: entry.ip ?? null,
      },
    });
  }
}
