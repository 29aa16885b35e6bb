import { DomainError } from '@kubecohort/contracts';
import type { Enrollment, Prisma } from '@kubecohort/database';
import type { Emit } from '@kubecohort/realtime';
import { Injectable } from '@nestjs/common';
import { InviteRepository, inviteUsedUp, type InviteWithCohort } from './invite.repository.js';

export interface EnrollOutcome {
  enrollment: Enrollment;
  /** False when the student was already actively enrolled in this cohort (idempotent join). */
  created: boolean;
}

/**
 * The one place students become enrolled through an invite. Runs inside the caller's transaction:
 * at most one active enrollment per student (enforced by the unique `active_user_id`), joining the
 * same cohort again changes nothing and takes no invite use.
 */
@Injectable()
export class EnrollmentWriter {
  constructor(private readonly invites: InviteRepository) {}

  async enrollWithInvite(
    tx: Prisma.TransactionClient,
    emit: Emit,
    userId: string,
    invite: InviteWithCohort,
    now: Date,
  ): Promise<EnrollOutcome> {
    const cohortId = invite.cohortId;
    const existing = await tx.enrollment.findUnique({ where: { cohortId_userId: { cohortId, userId } } });
    if (existing?.status === 'active') return { enrollment: existing, created: false };
    if (existing?.status === 'completed') {
      throw DomainError.conflict('enrollment_completed', 'you already completed this cohort');
    }
    if (existing?.status === 'unenrolled') {
      throw DomainError.conflict(
        'enrollment_removed',
        'you were removed from this cohort; ask an instructor to enrol you again',
      );
    }
    const elsewhere = await tx.enrollment.findUnique({
      where: { activeUserId: userId },
      select: { id: true },
    });
    if (elsewhere) {
      throw DomainError.conflict(
        'already_enrolled',
        'you are already enrolled in another cohort; leave it before joining a new one',
      );
    }
    if (!(await this.invites.consume(tx, invite.id, now))) throw inviteUsedUp();
    const enrollment = await tx.enrollment.create({
      data: { cohortId, userId, activeUserId: userId, status: 'active', enrolledAt: now, stepStartedAt: now },
    });
    await emit(cohortId, 'enrollment.changed', { userId, status: 'active' }, { subjectUserId: userId });
    return { enrollment, created: true };
  }
}
