import { AuditTrail, CohortAccess, humanCode, type UserPrincipal } from '@kubecohort/auth';
import { Clock } from '@kubecohort/config';
import { DomainError, type Page } from '@kubecohort/contracts';
import { PrismaService } from '@kubecohort/database';
import { Injectable } from '@nestjs/common';
import type { RequestMeta } from './audit-context.js';
import type { InviteView } from './cohort.views.js';
import { InviteRepository, toInviteView } from './invite.repository.js';
import { pageSize } from './page.js';
import { isUniqueViolation } from './prisma-errors.js';

export const INVITE_CODE_LENGTH = 8;

/** Staff create, list and revoke a cohort's invite codes. */
@Injectable()
export class InviteAdmin {
  constructor(
    private readonly prisma: PrismaService,
    private readonly access: CohortAccess,
    private readonly invites: InviteRepository,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  async create(
    staff: UserPrincipal,
    cohortId: string,
    input: { expiresAt?: Date | null; maxUses?: number | null },
    meta: RequestMeta = {},
  ): Promise<InviteView> {
    await this.access.assertStaff(staff, cohortId);
    if (input.expiresAt && input.expiresAt <= this.clock.now()) {
      throw DomainError.invalid('the invite would already be expired', [
        { field: 'expiresAt', problem: 'must be in the future' },
      ]);
    }
    // 32^8 codes: a collision is rare, but the unique index decides; try again with a fresh code.
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.prisma.$transaction(async (tx) => {
          const invite = await tx.inviteCode.create({
            data: {
              cohortId,
              code: humanCode(INVITE_CODE_LENGTH),
              expiresAt: input.expiresAt ?? null,
              maxUses: input.maxUses ?? null,
              createdById: staff.userId,
            },
          });
          await this.audit.record(
            staff,
            {
              action: 'invite.create',
              targetType: 'invite',
              targetId: invite.id,
              cohortId,
              metadata: { maxUses: invite.maxUses },
              ...meta,
            },
            tx,
          );
          return toInviteView(invite);
        });
      } catch (error) {
        if (!isUniqueViolation(error) || attempt >= 3) throw error;
      }
    }
  }

  async list(
    staff: UserPrincipal,
    cohortId: string,
    query: { cursor?: string; limit?: number },
  ): Promise<Page<InviteView>> {
    await this.access.assertStaff(staff, cohortId);
    return this.invites.page(staff, cohortId, query, pageSize(query.limit));
  }

  /** Idempotent for an invite of this cohort; another cohort's invite id is 404. */
  async revoke(
    staff: UserPrincipal,
    cohortId: string,
    inviteId: string,
    meta: RequestMeta = {},
  ): Promise<void> {
    await this.access.assertStaff(staff, cohortId);
    const invite = await this.invites.findInStaffedCohort(staff, cohortId, inviteId);
    if (!invite) throw DomainError.notFound('invite');
    if (invite.revokedAt) return;
    await this.prisma.$transaction(async (tx) => {
      await tx.inviteCode.updateMany({
        where: { id: inviteId, revokedAt: null },
        data: { revokedAt: this.clock.now() },
      });
      await this.audit.record(
        staff,
        { action: 'invite.revoke', targetType: 'invite', targetId: inviteId, cohortId, ...meta },
        tx,
      );
    });
  }
}
