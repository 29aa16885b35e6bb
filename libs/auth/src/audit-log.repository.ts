import { decodeCursor, DomainError, encodeCursor, type Page } from '@kubecohort/contracts';
import { type Prisma, PrismaService } from '@kubecohort/database';
import { Injectable } from '@nestjs/common';

export interface AuditLogQuery {
  cohortId?: string;
  actorId?: string;
  /** An exact action (`cohort.update`) or a family (`cohort.*`: every action under `cohort.`). */
  action?: string;
  targetType?: string;
  targetId?: string;
  cursor?: string;
}

export interface AuditLogEntryView {
  /** Decimal string: the log's own increasing id (a bigint). */
  id: string;
  at: string;
  /** Who acted (for a service acting for a student: the service account); null for the system. */
  actor: { id: string; displayName: string; role: string } | null;
  /** A service token acting for a student: the student whose permissions applied. */
  actAs: { id: string; displayName: string } | null;
  action: string;
  targetType: string;
  targetId: string | null;
  cohortId: string | null;
  metadata: Record<string, unknown> | null;
  requestId: string | null;
  ip: string | null;
}

const badCursor = () =>
  DomainError.invalid('invalid cursor', [{ field: 'cursor', problem: 'is not a cursor this list returned' }]);

/** Reads the append-only audit log (AuditTrail writes it), newest first, for admins. */
@Injectable()
export class AuditLogRepository {
  constructor(private readonly prisma: PrismaService) {}

  async page(query: AuditLogQuery, limit: number): Promise<Page<AuditLogEntryView>> {
    const before = this.readCursor(query.cursor);
    const action = query.action?.endsWith('.*') ? { startsWith: query.action.slice(0, -1) } : query.action;
    const where: Prisma.AuditLogWhereInput = {
      ...(query.cohortId ? { cohortId: query.cohortId } : {}),
      ...(query.actorId ? { actorId: query.actorId } : {}),
      ...(action ? { action } : {}),
      ...(query.targetType ? { targetType: query.targetType } : {}),
      ...(query.targetId ? { targetId: query.targetId } : {}),
      ...(before !== null ? { id: { lt: before } } : {}),
    };
    const rows = await this.prisma.auditLog.findMany({
      where,
      orderBy: { id: 'desc' },
      take: limit + 1,
      include: { actor: { select: { id: true, displayName: true, role: true } } },
    });
    const hasMore = rows.length > limit;
    const pageRows = hasMore ? rows.slice(0, limit) : rows;
    // act-as users have no relation on the table: one read for the page's few of them.
    const actAsIds = [...new Set(pageRows.flatMap((row) => (row.actAsUserId ? [row.actAsUserId] : [])))];
    const actAs = new Map(
      actAsIds.length === 0
        ? []
        : (
            await this.prisma.user.findMany({
              where: { id: { in: actAsIds } },
              select: { id: true, displayName: true },
            })
          ).map((user) => [user.id, user]),
    );
    const last = pageRows[pageRows.length - 1];
    return {
      items: pageRows.map((row) => ({
        id: row.id.toString(),
        at: row.at.toISOString(),
        actor: row.actor,
        actAs: row.actAsUserId
          ? (actAs.get(row.actAsUserId) ?? { id: row.actAsUserId, displayName: 'unknown user' })
          : null,
        action: row.action,
        targetType: row.targetType,
        targetId: row.targetId,
        cohortId: row.cohortId,
        metadata: (row.metadata as Record<string, unknown> | null) ?? null,
        requestId: row.requestId,
        ip: row.ip,
      })),
      nextCursor: hasMore && last ? encodeCursor({ id: last.id.toString() }) : null,
    };
  }

  private readCursor(cursor: string | undefined): bigint | null {
    if (cursor === undefined || cursor === '') return null;
    const value = decodeCursor<{ id: string }>(cursor, ['id']);
    if (!value || typeof value.id !== 'string' || !/^\d{1,19}$/.test(value.id)) throw badCursor();
    return BigInt(value.id);
  }
}
