import { type Principal, staffedCohorts, visibleCohorts } from '@kubecohort/auth';
import { type CohortStatus, type Prisma, PrismaService } from '@kubecohort/database';
import { Injectable } from '@nestjs/common';
import { type CohortPublicView, type CohortStaffView, type CohortSummary, iso } from './cohort.views.js';
import { readIdCursor, toPage } from './page.js';

type Db = Prisma.TransactionClient | PrismaService;

const detail = {
  curriculumVersion: { select: { id: true, version: true, title: true } },
  steps: { orderBy: { stepNumber: 'asc' } },
  instructors: {
    orderBy: { assignedAt: 'asc' },
    select: { user: { select: { id: true, displayName: true } } },
  },
  _count: { select: { enrollments: { where: { status: 'active' } } } },
} satisfies Prisma.CohortInclude;

export type CohortDetailRow = Prisma.CohortGetPayload<{ include: typeof detail }>;

/**
 * Cohort reads, always scoped in the query: `visible` for members, `staffed` for staff. A cohort the
 * caller may not see is simply not found.
 */
@Injectable()
export class CohortRepository {
  constructor(private readonly prisma: PrismaService) {}

  findVisible(principal: Principal, id: string, db: Db = this.prisma): Promise<CohortDetailRow | null> {
    return db.cohort.findFirst({ where: { AND: [{ id }, visibleCohorts(principal)] }, include: detail });
  }

  findStaffed(principal: Principal, id: string, db: Db = this.prisma): Promise<CohortDetailRow | null> {
    return db.cohort.findFirst({ where: { AND: [{ id }, staffedCohorts(principal)] }, include: detail });
  }

  /** Takes a row lock on a staffed cohort, so concurrent edits of one cohort apply one after another. */
  async lockStaffed(
    principal: Principal,
    id: string,
    tx: Prisma.TransactionClient,
  ): Promise<CohortDetailRow | null> {
    const visible = await tx.cohort.count({ where: { AND: [{ id }, staffedCohorts(principal)] } });
    if (visible === 0) return null;
    await tx.$queryRaw`SELECT id FROM cohorts WHERE id = ${id}::uuid FOR UPDATE`;
    return tx.cohort.findUnique({ where: { id }, include: detail });
  }

  async list(
    principal: Principal,
    query: { status?: CohortStatus; guildId?: string; cursor?: string },
    limit: number,
  ) {
    const after = readIdCursor(query.cursor);
    const rows = await this.prisma.cohort.findMany({
      where: {
        AND: [
          visibleCohorts(principal),
          query.status ? { status: query.status } : {},
          query.guildId ? { discordGuildId: query.guildId } : {},
          after ? { id: { lt: after } } : {},
        ],
      },
      orderBy: { id: 'desc' },
      take: limit + 1,
    });
    return toPage(rows, limit, toSummary, (row) => ({ id: row.id }));
  }

  latestCurriculum(db: Db = this.prisma) {
    return db.curriculumVersion.findFirst({
      orderBy: { version: 'desc' },
      select: { id: true, version: true, steps: { select: { number: true }, orderBy: { number: 'asc' } } },
    });
  }
}

export function toSummary(row: {
  id: string;
  name: string;
  status: CohortStatus;
  timeZone: string;
  startsAt: Date | null;
  endsAt: Date | null;
  createdAt: Date;
}): CohortSummary {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    timeZone: row.timeZone,
    startsAt: iso(row.startsAt),
    endsAt: iso(row.endsAt),
    createdAt: row.createdAt.toISOString(),
  };
}

export function toPublicView(row: CohortDetailRow): CohortPublicView {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    timeZone: row.timeZone,
    startsAt: iso(row.startsAt),
    endsAt: iso(row.endsAt),
    curriculumVersion: row.curriculumVersion,
    steps: row.steps.map((step) => ({
      step: step.stepNumber,
      locked: step.locked,
      unlocksAt: iso(step.unlocksAt),
      deadline: iso(step.deadline),
    })),
    instructors: row.instructors.map(({ user }) => ({ userId: user.id, displayName: user.displayName })),
  };
}

export function toStaffView(row: CohortDetailRow): CohortStaffView {
  return {
    ...toPublicView(row),
    discord: {
      guildId: row.discordGuildId,
      forumChannelId: row.discordForumChannelId,
      instructorChannelId: row.discordInstructorChannelId,
      announceChannelId: row.discordAnnounceChannelId,
    },
    cpuHoursBudget: row.cpuHoursBudget,
    memoryGibHoursBudget: row.memoryGibHoursBudget,
    activeStudents: row._count.enrollments,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
