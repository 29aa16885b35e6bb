import {
  AuditTrail,
  AuthService,
  CohortAccess,
  humanCode,
  PasswordHasher,
  type Principal,
  sha256,
  type TokenPair,
  type UserPrincipal,
} from '@kubecohort/auth';
import { Clock } from '@kubecohort/config';
import { DomainError } from '@kubecohort/contracts';
import { PrismaService } from '@kubecohort/database';
import { Injectable } from '@nestjs/common';
import type { RequestMeta } from './audit-context.js';
import { EnrollmentRepository } from './enrollment.repository.js';
import { normalizeCode, normalizeEmail } from './identity.normalizers.js';

export const PASSWORD_RESET_TTL_SECONDS = 60 * 60;

const invalidReset = () =>
  new DomainError(
    'unauthorized',
    'invalid_reset_code',
    'email or reset code is wrong, or the code has expired',
  );

/**
 * Instructor-issued password resets: there is no email delivery, so staff hand the student a
 * one-time code (only its sha256 is stored) which the student redeems with their email. Redeeming
 * sets the new password and revokes every session of the account.
 */
@Injectable()
export class PasswordResets {
  constructor(
    private readonly prisma: PrismaService,
    private readonly access: CohortAccess,
    private readonly enrollments: EnrollmentRepository,
    private readonly hasher: PasswordHasher,
    private readonly auth: AuthService,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  async issue(
    staff: UserPrincipal,
    cohortId: string,
    userId: string,
    meta: RequestMeta = {},
  ): Promise<{ code: string; expiresAt: string }> {
    await this.access.assertStaff(staff, cohortId);
    const enrollment = await this.enrollments.findInStaffedCohort(staff, cohortId, userId);
    if (!enrollment || enrollment.user.role !== 'student') throw DomainError.notFound('student');
    if (enrollment.user.erasedAt)
      throw DomainError.conflict('student_erased', "this student's personal data was erased");
    if (!enrollment.user.email) {
      throw DomainError.conflict(
        'no_email',
        'this student has no email address; they sign in through Discord',
      );
    }
    const now = this.clock.now();
    const code = humanCode(12);
    const expiresAt = new Date(now.getTime() + PASSWORD_RESET_TTL_SECONDS * 1000);
    await this.prisma.$transaction(async (tx) => {
      await tx.passwordResetCode.create({
        data: { userId, codeHash: sha256(code), issuedById: staff.userId, expiresAt },
      });
      await this.audit.record(
        staff,
        { action: 'password-reset.issue', targetType: 'user', targetId: userId, cohortId, ...meta },
        tx,
      );
    });
    return { code, expiresAt: expiresAt.toISOString() };
  }

  async redeem(
    input: { email: string; code: string; newPassword: string },
    meta: RequestMeta = {},
  ): Promise<TokenPair> {
    const now = this.clock.now();
    const user = await this.prisma.user.findUnique({
      where: { email: normalizeEmail(input.email) },
      select: { id: true, role: true, disabledAt: true, erasedAt: true },
    });
    const code = await this.prisma.passwordResetCode.findUnique({
      where: { codeHash: sha256(normalizeCode(input.code)) },
      select: { id: true, userId: true, usedAt: true, expiresAt: true },
    });
    if (!user || user.role === 'service' || user.disabledAt || user.erasedAt) throw invalidReset();
    if (!code || code.userId !== user.id || code.usedAt || code.expiresAt <= now) throw invalidReset();
    const role = user.role;
    const passwordHash = await this.hasher.hash(input.newPassword);
    await this.prisma.$transaction(async (tx) => {
      const used = await tx.passwordResetCode.updateMany({
        where: { id: code.id, usedAt: null, expiresAt: { gt: now } },
        data: { usedAt: now },
      });
      if (used.count === 0) throw invalidReset();
      // Every other outstanding code dies too, and every session: whoever had the old password is out.
      await tx.passwordResetCode.updateMany({
        where: { userId: user.id, usedAt: null },
        data: { usedAt: now },
      });
      await tx.user.update({ where: { id: user.id }, data: { passwordHash } });
      await tx.refreshToken.updateMany({
        where: { userId: user.id, revokedAt: null },
        data: { revokedAt: now },
      });
      const principal: Principal = { kind: 'user', userId: user.id, role };
      await this.audit.record(
        principal,
        { action: 'password-reset.redeem', targetType: 'user', targetId: user.id, ...meta },
        tx,
      );
    });
    return this.auth.issue(user.id, role);
  }
}
