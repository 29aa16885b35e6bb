import { DomainError } from '@kubecohort/contracts';
import { type Prisma, PrismaService } from '@kubecohort/database';
import { Injectable } from '@nestjs/common';
import type { Principal } from './principal.js';

/**
 * Cohort scoping, enforced in the queries themselves: every cohort read goes through a WHERE that
 * only matches cohorts the principal may see. Another cohort's id yields "not found", never data.
 */
export function visibleCohorts(principal: Principal): Prisma.CohortWhereInput {
  const live: Prisma.CohortWhereInput = { deletedAt: null };
  if (principal.kind === 'service') return live; // only reached by routes that checked its scopes
  switch (principal.role) {
    case 'admin':
      return live;
    case 'instructor':
      return { ...live, instructors: { some: { userId: principal.userId } } };
    case 'student':
      return { ...live, enrollments: { some: { userId: principal.userId, status: 'active' } } };
  }
}

/** Cohorts whose staff view (roster, matrix, exports) the principal may see. */
export function staffedCohorts(principal: Principal): Prisma.CohortWhereInput {
  if (principal.kind === 'user' && principal.role === 'student') return { id: { in: [] } };
  return visibleCohorts(principal);
}

@Injectable()
export class CohortAccess {
  constructor(private readonly prisma: PrismaService) {}

  /** The principal is staff (admin, or an instructor teaching it) of this cohort; else 404. */
  async assertStaff(principal: Principal, cohortId: string): Promise<void> {
    const found = await this.prisma.cohort.count({
      where: { AND: [{ id: cohortId }, staffedCohorts(principal)] },
    });
    if (found === 0) throw DomainError.notFound('cohort');
  }

  /** The principal is staff or an actively enrolled student of this cohort; else 404. */
  async assertMember(principal: Principal, cohortId: string): Promise<{ staff: boolean }> {
    const found = await this.prisma.cohort.count({
      where: { AND: [{ id: cohortId }, visibleCohorts(principal)] },
    });
    if (found === 0) throw DomainError.notFound('cohort');
    return { staff: !(principal.kind === 'user' && principal.role === 'student') };
  }
}
