import { AuditTrail, CohortAccess, type UserPrincipal } from '@kubecohort/auth';
import { DomainError } from '@kubecohort/contracts';
import { PrismaService } from '@kubecohort/database';
import { Injectable } from '@nestjs/common';
import type { RequestMeta } from './audit-context.js';

/** Admins assign instructors (or other admins) to teach a cohort. Both operations are idempotent. */
@Injectable()
export class InstructorAssignment {
  constructor(
    private readonly prisma: PrismaService,
    private readonly access: CohortAccess,
    private readonly audit: AuditTrail,
  ) {}

  async assign(
    admin: UserPrincipal,
    cohortId: string,
    userId: string,
    meta: RequestMeta = {},
  ): Promise<void> {
    await this.access.assertStaff(admin, cohortId);
    const user = await this.prisma.user.findUnique({
      where: { id: userId },
      select: { role: true, disabledAt: true, erasedAt: true },
    });
    if (!user) throw DomainError.notFound('user');
    if ((user.role !== 'instructor' && user.role !== 'admin') || user.disabledAt || user.erasedAt) {
      throw DomainError.conflict('not_staff', 'only instructor and admin accounts can teach a cohort');
    }
    await this.prisma.$transaction(async (tx) => {
      const created = await tx.cohortInstructor.createMany({
        data: [{ cohortId, userId }],
        skipDuplicates: true,
      });
      if (created.count > 0) {
        await this.audit.record(
          admin,
          { action: 'cohort.instructor.assign', targetType: 'user', targetId: userId, cohortId, ...meta },
          tx,
        );
      }
    });
  }

  async unassign(
    admin: UserPrincipal,
    cohortId: string,
    userId: string,
    meta: RequestMeta = {},
  ): Promise<void> {
    await this.access.assertStaff(admin, cohortId);
    await this.prisma.$transaction(async (tx) => {
      const removed = await tx.cohortInstructor.deleteMany({ where: { cohortId, userId } });
      if (removed.count > 0) {
        await this.audit.record(
          admin,
          { action: 'cohort.instructor.unassign', targetType: 'user', targetId: userId, cohortId, ...meta },
          tx,
        );
      }
    });
  }
}
