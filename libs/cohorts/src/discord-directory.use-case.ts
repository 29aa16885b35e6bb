import { CohortAccess, type Principal } from '@kubecohort/auth';
import type { Page } from '@kubecohort/contracts';
import {
  type EnrollmentStatus,
  type EnvironmentState,
  type Prisma,
  PrismaService,
} from '@kubecohort/database';
import { Injectable } from '@nestjs/common';
import { pageSize, readIdCursor, toPage } from './page.js';

/** A member of a cohort who linked Discord, as the bot needs them (who to DM, who may run staff commands). */
export interface DiscordMemberView {
  userId: string;
  displayName: string;
  /** `admin` and `instructor` are the cohort's staff. */
  role: 'admin' | 'instructor' | 'student';
  discordUserId: string;
  discordUsername: string;
  /** Students: their enrollment in this cohort. */
  enrollment: { status: EnrollmentStatus; currentStep: number; stepStartedAt: string } | null;
  /** Students: their newest environment, if any. */
  environment: { state: EnvironmentState; progressPercent: number; stateReason: string | null } | null;
}

export interface DiscordMemberQuery {
  discordUserId?: string;
  userId?: string;
  cursor?: string;
  limit?: number;
}

const memberSelect = (cohortId: string) =>
  ({
    id: true,
    displayName: true,
    role: true,
    discordLink: { select: { discordUserId: true, discordUsername: true } },
    teaching: { where: { cohortId }, select: { cohortId: true } },
    enrollments: {
      where: { cohortId },
      select: { status: true, currentStep: true, stepStartedAt: true },
    },
    environments: {
      where: { cohortId },
      orderBy: { requestedAt: 'desc' },
      take: 1,
      select: { state: true, progressPercent: true, stateReason: true },
    },
  }) satisfies Prisma.UserSelect;

type MemberRow = Prisma.UserGetPayload<{ select: ReturnType<typeof memberSelect> }>;

/**
 * The cohort's Discord directory: its instructors and students who linked a Discord account.
 * Looked up by Discord id it also finds admins (they staff every cohort), so the bot can tell
 * whether the person running an instructor command is staff of the cohort the guild maps to.
 * Staff of the cohort and services with read-cohorts only; students get 404.
 */
@Injectable()
export class DiscordDirectory {
  constructor(
    private readonly prisma: PrismaService,
    private readonly access: CohortAccess,
  ) {}

  async members(
    principal: Principal,
    cohortId: string,
    query: DiscordMemberQuery,
  ): Promise<Page<DiscordMemberView>> {
    await this.access.assertStaff(principal, cohortId);
    const live: Prisma.UserWhereInput = { disabledAt: null, erasedAt: null, discordLink: { isNot: null } };
    const inCohort: Prisma.UserWhereInput = {
      OR: [{ teaching: { some: { cohortId } } }, { enrollments: { some: { cohortId } } }],
    };
    if (query.discordUserId !== undefined || query.userId !== undefined) {
      const user = await this.prisma.user.findFirst({
        where: {
          ...live,
          ...(query.userId !== undefined ? { id: query.userId } : {}),
          ...(query.discordUserId !== undefined
            ? { discordLink: { is: { discordUserId: query.discordUserId } } }
            : {}),
          OR: [{ role: 'admin' }, inCohort],
        },
        select: memberSelect(cohortId),
      });
      const item = user ? toMember(user) : null;
      return { items: item ? [item] : [], nextCursor: null };
    }
    const limit = pageSize(query.limit);
    const after = readIdCursor(query.cursor);
    const rows = await this.prisma.user.findMany({
      where: { ...live, ...inCohort, ...(after ? { id: { gt: after } } : {}) },
      orderBy: { id: 'asc' },
      take: limit + 1,
      select: memberSelect(cohortId),
    });
    return toPage(
      rows.filter((row) => toMember(row) !== null),
      limit,
      (row) => toMember(row)!,
      (row) => ({ id: row.id }),
    );
  }
}

function toMember(row: MemberRow): DiscordMemberView | null {
  if (!row.discordLink || row.role === 'service') return null;
  const staff = row.role === 'admin' || (row.role === 'instructor' && row.teaching.length > 0);
  const enrollment = row.enrollments[0];
  if (!staff && !(row.role === 'student' && enrollment)) return null;
  const environment = row.environments[0];
  return {
    userId: row.id,
    displayName: row.displayName,
    role: row.role,
    discordUserId: row.discordLink.discordUserId,
    discordUsername: row.discordLink.discordUsername,
    enrollment:
      row.role === 'student' && enrollment
        ? {
            status: enrollment.status,
            currentStep: enrollment.currentStep,
            stepStartedAt: enrollment.stepStartedAt.toISOString(),
          }
        : null,
    environment:
      row.role === 'student' && environment
        ? {
            state: environment.state,
            progressPercent: environment.progressPercent,
            stateReason: environment.stateReason,
          }
        : null,
  };
}
