import { type Principal, staffedCohorts } from '@kubecohort/auth';
import { type EnrollmentStatus, type Prisma, PrismaService } from '@kubecohort/database';
import { Injectable } from '@nestjs/common';
import type { StudentRow } from './cohort.views.js';
import { readTimeCursor, toPage } from './page.js';

type Db = Prisma.TransactionClient | PrismaService;

const studentUser = {
  select: {
    id: true,
    role: true,
    email: true,
    displayName: true,
    erasedAt: true,
    disabledAt: true,
    discordLink: { select: { discordUserId: true, discordUsername: true } },
  },
} satisfies Prisma.UserDefaultArgs;

export type EnrollmentWithUser = Prisma.EnrollmentGetPayload<{ include: { user: typeof studentUser } }>;

/** Enrollment reads. Staff reads go through `staffedCohorts` in the WHERE clause itself. */
@Injectable()
export class EnrollmentRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** A student's enrollment in a cohort the principal staffs (any status), or null. */
  findInStaffedCohort(
    principal: Principal,
    cohortId: string,
    userId: string,
    db: Db = this.prisma,
  ): Promise<EnrollmentWithUser | null> {
    return db.enrollment.findFirst({
      where: { cohortId, userId, cohort: staffedCohorts(principal) },
      include: { user: studentUser },
    });
  }

  /** The student's one active enrollment, if any, with its (live) cohort. */
  findActiveOf(userId: string, db: Db = this.prisma) {
    return db.enrollment.findUnique({
      where: { activeUserId: userId },
      include: { cohort: { select: { id: true, name: true, deletedAt: true } } },
    });
  }

  async pageStudents(
    principal: Principal,
    cohortId: string,
    query: { status?: EnrollmentStatus; cursor?: string },
    limit: number,
  ) {
    const after = readTimeCursor(query.cursor);
    const rows = await this.prisma.enrollment.findMany({
      where: {
        AND: [
          { cohortId, cohort: staffedCohorts(principal) },
          query.status ? { status: query.status } : {},
          after
            ? { OR: [{ enrolledAt: { gt: after.at } }, { enrolledAt: after.at, id: { gt: after.id } }] }
            : {},
        ],
      },
      orderBy: [{ enrolledAt: 'asc' }, { id: 'asc' }],
      take: limit + 1,
      include: { user: studentUser },
    });
    return toPage(rows, limit, toStudentRow, (row) => ({ t: row.enrolledAt.getTime(), id: row.id }));
  }
}

export function toStudentRow(row: EnrollmentWithUser): StudentRow {
  return {
    userId: row.userId,
    displayName: row.user.displayName,
    email: row.user.email,
    discordUsername: row.user.discordLink?.discordUsername ?? null,
    expectedDiscordUsername: row.expectedDiscordUsername,
    status: row.status,
    enrolledAt: row.enrolledAt.toISOString(),
    currentStep: row.currentStep,
  };
}
