import {
  AuditTrail,
  AuthService,
  PasswordHasher,
  type TokenPair,
  type UserPrincipal,
} from '@kubecohort/auth';
import { Clock } from '@kubecohort/config';
import { DomainError } from '@kubecohort/contracts';
import { PrismaService } from '@kubecohort/database';
import { Transactions } from '@kubecohort/realtime';
import { Injectable } from '@nestjs/common';
import type { RequestMeta } from './audit-context.js';
import { EnrollmentWriter } from './enrollment.writer.js';
import { normalizeCode, normalizeEmail } from './identity.normalizers.js';
import { assertInviteValid, InviteRepository } from './invite.repository.js';
import { isUniqueViolation } from './prisma-errors.js';

export interface JoinInput {
  inviteCode: string;
  displayName: string;
  email: string;
  password: string;
}

export interface JoinResult extends TokenPair {
  cohortId: string;
}

const invalidCredentials = () =>
  new DomainError('unauthorized', 'invalid_credentials', 'email or password is wrong');

/**
 * A student joins a cohort on the web with an invite code. A new email creates the account; an
 * existing account is reused only when its password checks out; a roster-imported student (no
 * password yet) sets theirs here, but only with an invite of the cohort that imported them.
 */
@Injectable()
export class JoinWithInvite {
  constructor(
    private readonly prisma: PrismaService,
    private readonly invites: InviteRepository,
    private readonly writer: EnrollmentWriter,
    private readonly transactions: Transactions,
    private readonly hasher: PasswordHasher,
    private readonly auth: AuthService,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  async execute(input: JoinInput, meta: RequestMeta = {}): Promise<JoinResult> {
    const now = this.clock.now();
    const email = normalizeEmail(input.email);
    const invite = await this.invites.findByCode(normalizeCode(input.inviteCode));
    assertInviteValid(invite, now);

    const existing = await this.prisma.user.findUnique({
      where: { email },
      select: { id: true, role: true, passwordHash: true, disabledAt: true, erasedAt: true },
    });
    let plan:
      | { kind: 'create'; passwordHash: string }
      | { kind: 'set-password'; userId: string; passwordHash: string }
      | { kind: 'reuse'; userId: string };
    if (!existing) {
      plan = { kind: 'create', passwordHash: await this.hasher.hash(input.password) };
    } else if (existing.passwordHash === null) {
      const roster = await this.prisma.enrollment.findUnique({
        where: { cohortId_userId: { cohortId: invite.cohortId, userId: existing.id } },
        select: { status: true },
      });
      await this.hasher.verify(null, input.password); // same work as a real check, so timing says nothing
      if (
        existing.role !== 'student' ||
        existing.disabledAt ||
        existing.erasedAt ||
        roster?.status !== 'active'
      ) {
        throw invalidCredentials();
      }
      plan = {
        kind: 'set-password',
        userId: existing.id,
        passwordHash: await this.hasher.hash(input.password),
      };
    } else {
      const ok = await this.hasher.verify(existing.passwordHash, input.password);
      if (!ok || existing.disabledAt || existing.erasedAt || existing.role === 'service')
        throw invalidCredentials();
      if (existing.role !== 'student') {
        throw DomainError.conflict('staff_cannot_join', 'staff accounts cannot join a cohort as students');
      }
      plan = { kind: 'reuse', userId: existing.id };
    }

    try {
      const userId = await this.transactions.run(async (tx, emit) => {
        let userId: string;
        if (plan.kind === 'create') {
          const user = await tx.user.create({
            data: {
              email,
              displayName: input.displayName.trim(),
              role: 'student',
              passwordHash: plan.passwordHash,
            },
            select: { id: true },
          });
          userId = user.id;
        } else if (plan.kind === 'set-password') {
          // Conditional: if two first joins race, only one sets the password.
          const set = await tx.user.updateMany({
            where: { id: plan.userId, passwordHash: null },
            data: { passwordHash: plan.passwordHash },
          });
          if (set.count === 0) throw invalidCredentials();
          userId = plan.userId;
        } else {
          userId = plan.userId;
        }
        const outcome = await this.writer.enrollWithInvite(tx, emit, userId, invite, now);
        const principal: UserPrincipal = { kind: 'user', userId, role: 'student' };
        await this.audit.record(
          principal,
          {
            action: 'enrollment.join',
            targetType: 'enrollment',
            targetId: outcome.enrollment.id,
            cohortId: invite.cohortId,
            metadata: { via: 'web', account: plan.kind, enrolled: outcome.created },
            ...meta,
          },
          tx,
        );
        return userId;
      });
      const tokens = await this.auth.issue(userId, 'student');
      return { ...tokens, cohortId: invite.cohortId };
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw DomainError.conflict('join_conflict', 'this account was changed at the same moment; try again');
      }
      throw error;
    }
  }
}
