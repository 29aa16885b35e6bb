import { AuditTrail, CohortAccess, type UserPrincipal } from '@kubecohort/auth';
import { Clock } from '@kubecohort/config';
import { DomainError, type Page } from '@kubecohort/contracts';
import type { EnrollmentStatus } from '@kubecohort/database';
import { Transactions } from '@kubecohort/realtime';
import { Injectable } from '@nestjs/common';
import type { RequestMeta } from './audit-context.js';
import type { StudentRow } from './cohort.views.js';
import { EnrollmentRepository } from './enrollment.repository.js';
import { pageSize } from './page.js';

/** A placeholder that carries no personal data (the short id only tells erased rows apart). */
export function erasedDisplayName(userId: string): string {
  return `Erased student ${userId.slice(-6)}`;
}

/** The staff roster of a cohort: list, unenroll, and erase a student's personal data. */
@Injectable()
export class CohortStudents {
  constructor(
    private readonly access: CohortAccess,
    private readonly enrollments: EnrollmentRepository,
    private readonly transactions: Transactions,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  async list(
    staff: UserPrincipal,
    cohortId: string,
    query: { status?: EnrollmentStatus; cursor?: string; limit?: number },
  ): Promise<Page<StudentRow>> {
    await this.access.assertStaff(staff, cohortId);
    return this.enrollments.pageStudents(staff, cohortId, query, pageSize(query.limit));
  }

  /** Idempotent: an already unenrolled student stays so (no event); a student not in the cohort is 404. */
  async unenroll(
    staff: UserPrincipal,
    cohortId: string,
    userId: string,
    meta: RequestMeta = {},
  ): Promise<void> {
    await this.access.assertStaff(staff, cohortId);
    const now = this.clock.now();
    await this.transactions.run(async (tx, emit) => {
      const enrollment = await this.enrollments.findInStaffedCohort(staff, cohortId, userId, tx);
      if (!enrollment) throw DomainError.notFound('student');
      if (enrollment.status !== 'active') return;
      const changed = await tx.enrollment.updateMany({
        where: { id: enrollment.id, status: 'active' },
        data: { status: 'unenrolled', activeUserId: null, unenrolledAt: now },
      });
      if (changed.count === 0) return;
      await emit(cohortId, 'enrollment.changed', { userId, status: 'unenrolled' }, { subjectUserId: userId });
      await this.audit.record(
        staff,
        {
          action: 'enrollment.unenroll',
          targetType: 'enrollment',
          targetId: enrollment.id,
          cohortId,
          ...meta,
        },
        tx,
      );
    });
  }

  /**
   * Erases a student's personal data on request (admins and the cohort's instructors): email and
   * name become placeholders, password, Discord link, link codes, reset codes and sessions are
   * removed, every enrollment ends and forgets its expected Discord username. Progress and
   * submissions stay, now attached to an anonymous account. Idempotent.
   */
  async erase(
    staff: UserPrincipal,
    cohortId: string,
    userId: string,
    meta: RequestMeta = {},
  ): Promise<{ userId: string; erasedAt: string }> {
    await this.access.assertStaff(staff, cohortId);
    const now = this.clock.now();
    return this.transactions.run(async (tx, emit) => {
      const enrollment = await this.enrollments.findInStaffedCohort(staff, cohortId, userId, tx);
      if (!enrollment || enrollment.user.role !== 'student') throw DomainError.notFound('student');
      const firstTime = enrollment.user.erasedAt === null;
      const erasedAt = enrollment.user.erasedAt ?? now;
      await tx.user.update({
        where: { id: userId },
        data: { email: null, displayName: erasedDisplayName(userId), passwordHash: null, erasedAt },
      });
      await tx.discordLink.deleteMany({ where: { userId } });
      await tx.discordLinkCode.deleteMany({ where: { userId } });
      await tx.passwordResetCode.deleteMany({ where: { userId } });
      await tx.refreshToken.deleteMany({ where: { userId } });
      const active = await tx.enrollment.findMany({
        where: { userId, status: 'active' },
        select: { cohortId: true },
      });
      await tx.enrollment.updateMany({
        where: { userId, status: 'active' },
        data: { status: 'unenrolled', activeUserId: null, unenrolledAt: now },
      });
      await tx.enrollment.updateMany({
        where: { userId, expectedDiscordUsername: { not: null } },
        data: { expectedDiscordUsername: null },
      });
      if (firstTime) {
        const cohorts = new Set([cohortId, ...active.map((row) => row.cohortId)]);
        for (const affected of cohorts) {
          await emit(affected, 'enrollment.changed', { userId, status: 'erased' }, { subjectUserId: userId });
        }
      }
      await this.audit.record(
        staff,
        {
          action: 'user.erase',
          targetType: 'user',
          targetId: userId,
          cohortId,
          metadata: { repeated: !firstTime },
          ...meta,
        },
        tx,
      );
      return { userId, erasedAt: erasedAt.toISOString() };
    });
  }
}
