import { AuditTrail, PasswordHasher, type UserPrincipal } from '@kubecohort/auth';
import { DomainError, type Page } from '@kubecohort/contracts';
import { PrismaService, type UserRole } from '@kubecohort/database';
import { Injectable } from '@nestjs/common';
import type { RequestMeta } from './audit-context.js';
import { iso, type UserView } from './cohort.views.js';
import { normalizeEmail } from './identity.normalizers.js';
import { readIdCursor, toPage } from './page.js';
import { isUniqueViolation } from './prisma-errors.js';

export interface CreateStaffInput {
  email: string;
  displayName: string;
  role: 'instructor' | 'admin';
  password: string;
}

const userSelect = {
  id: true,
  email: true,
  displayName: true,
  role: true,
  createdAt: true,
  disabledAt: true,
  erasedAt: true,
  discordLink: { select: { discordUsername: true } },
} as const;

type UserRow = {
  id: string;
  email: string | null;
  displayName: string;
  role: UserRole;
  createdAt: Date;
  disabledAt: Date | null;
  erasedAt: Date | null;
  discordLink: { discordUsername: string } | null;
};

function toUserView(row: UserRow): UserView {
  return {
    id: row.id,
    email: row.email,
    displayName: row.displayName,
    role: row.role,
    discordUsername: row.discordLink?.discordUsername ?? null,
    createdAt: row.createdAt.toISOString(),
    disabledAt: iso(row.disabledAt),
    erasedAt: iso(row.erasedAt),
  };
}

/** Admins create staff accounts (students come through invites and rosters) and browse users. */
@Injectable()
export class UserAdmin {
  constructor(
    private readonly prisma: PrismaService,
    private readonly hasher: PasswordHasher,
    private readonly audit: AuditTrail,
  ) {}

  async createStaff(
    admin: UserPrincipal,
    input: CreateStaffInput,
    meta: RequestMeta = {},
  ): Promise<UserView> {
    const email = normalizeEmail(input.email);
    const taken = () => DomainError.conflict('email_taken', 'an account with this email already exists');
    if (await this.prisma.user.findUnique({ where: { email }, select: { id: true } })) throw taken();
    const passwordHash = await this.hasher.hash(input.password);
    try {
      return await this.prisma.$transaction(async (tx) => {
        const user = await tx.user.create({
          data: { email, displayName: input.displayName.trim(), role: input.role, passwordHash },
          select: userSelect,
        });
        await this.audit.record(
          admin,
          {
            action: 'user.create',
            targetType: 'user',
            targetId: user.id,
            metadata: { role: input.role },
            ...meta,
          },
          tx,
        );
        return toUserView(user);
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw taken();
      throw error;
    }
  }

  /** Newest first; service accounts are not people and are listed under service tokens instead. */
  async list(
    query: { role?: Exclude<UserRole, 'service'>; cursor?: string },
    limit: number,
  ): Promise<Page<UserView>> {
    const after = readIdCursor(query.cursor);
    const rows = await this.prisma.user.findMany({
      where: {
        AND: [
          query.role ? { role: query.role } : { role: { not: 'service' } },
          after ? { id: { lt: after } } : {},
        ],
      },
      orderBy: { id: 'desc' },
      take: limit + 1,
      select: userSelect,
    });
    return toPage(rows, limit, toUserView, (row) => ({ id: row.id }));
  }
}
