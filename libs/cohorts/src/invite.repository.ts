import { type Principal, staffedCohorts } from '@kubecohort/auth';
import { DomainError } from '@kubecohort/contracts';
import { type Prisma, PrismaService } from '@kubecohort/database';
import { Injectable } from '@nestjs/common';
import { type InviteView, iso } from './cohort.views.js';
import { readIdCursor, toPage } from './page.js';

type Db = Prisma.TransactionClient | PrismaService;

const withCohort = {
  cohort: { select: { id: true, name: true, status: true, deletedAt: true } },
} satisfies Prisma.InviteCodeInclude;

export type InviteWithCohort = Prisma.InviteCodeGetPayload<{ include: typeof withCohort }>;

@Injectable()
export class InviteRepository {
  constructor(private readonly prisma: PrismaService) {}

  findByCode(code: string, db: Db = this.prisma): Promise<InviteWithCohort | null> {
    return db.inviteCode.findUnique({ where: { code }, include: withCohort });
  }

  /**
   * Takes one use of the invite, atomically: the row is updated only while it is still valid, so
   * concurrent joins can never exceed maxUses.
   */
  async consume(tx: Prisma.TransactionClient, inviteId: string, now: Date): Promise<boolean> {
    const updated = await tx.$executeRaw`
      UPDATE invite_codes SET uses = uses + 1
      WHERE id = ${inviteId}::uuid
        AND revoked_at IS NULL
        AND (expires_at IS NULL OR expires_at > ${now})
        AND (max_uses IS NULL OR uses < max_uses)`;
    return updated === 1;
  }

  findInStaffedCohort(principal: Principal, cohortId: string, inviteId: string, db: Db = this.prisma) {
    return db.inviteCode.findFirst({ where: { id: inviteId, cohortId, cohort: staffedCohorts(principal) } });
  }

  async page(principal: Principal, cohortId: string, query: { cursor?: string }, limit: number) {
    const after = readIdCursor(query.cursor);
    const rows = await this.prisma.inviteCode.findMany({
      where: { AND: [{ cohortId, cohort: staffedCohorts(principal) }, after ? { id: { lt: after } } : {}] },
      orderBy: { id: 'desc' },
      take: limit + 1,
    });
    return toPage(rows, limit, toInviteView, (row) => ({ id: row.id }));
  }
}

export function toInviteView(row: {
  id: string;
  code: string;
  expiresAt: Date | null;
  maxUses: number | null;
  uses: number;
  revokedAt: Date | null;
  createdAt: Date;
}): InviteView {
  return {
    id: row.id,
    code: row.code,
    expiresAt: iso(row.expiresAt),
    maxUses: row.maxUses,
    uses: row.uses,
    revokedAt: iso(row.revokedAt),
    createdAt: row.createdAt.toISOString(),
  };
}

const inviteInvalid = () =>
  new DomainError(
    'not_found',
    'invite_invalid',
    'this invite code is not valid; check it or ask your instructor for a new one',
  );

/**
 * Checks everything about an invite except its remaining uses (taken atomically when enrolling):
 * it exists, belongs to a live cohort that still takes students, is not revoked and not expired.
 */
export function assertInviteValid(
  invite: InviteWithCohort | null,
  now: Date,
): asserts invite is InviteWithCohort {
  if (!invite || invite.cohort.deletedAt) throw inviteInvalid();
  if (invite.revokedAt)
    throw new DomainError(
      'not_found',
      'invite_revoked',
      'this invite code was revoked; ask your instructor for a new one',
    );
  if (invite.expiresAt && invite.expiresAt <= now) {
    throw new DomainError(
      'not_found',
      'invite_expired',
      'this invite code has expired; ask your instructor for a new one',
    );
  }
  if (invite.cohort.status === 'completed' || invite.cohort.status === 'archived') {
    throw new DomainError(
      'not_found',
      'invite_invalid',
      'this cohort has ended and no longer takes students',
    );
  }
}

export function inviteUsedUp(): DomainError {
  return new DomainError(
    'not_found',
    'invite_used_up',
    'this invite code has reached its maximum number of uses; ask your instructor for a new one',
  );
}
