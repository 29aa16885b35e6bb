import { AuditTrail, type ServicePrincipal } from '@kubecohort/auth';
import { Clock } from '@kubecohort/config';
import { DomainError } from '@kubecohort/contracts';
import { Transactions } from '@kubecohort/realtime';
import { Injectable } from '@nestjs/common';
import type { RequestMeta } from './audit-context.js';
import { EnrollmentWriter } from './enrollment.writer.js';
import { normalizeCode, normalizeDiscordUsername } from './identity.normalizers.js';
import { assertInviteValid, InviteRepository } from './invite.repository.js';
import { isUniqueViolation } from './prisma-errors.js';

export interface DiscordJoinInput {
  inviteCode: string;
  discordUserId: string;
  discordUsername: string;
}

export interface DiscordJoinResult {
  userId: string;
  cohortId: string;
  enrollmentId: string;
  /** True when a new kubecohort account was created for this Discord user. */
  created: boolean;
}

/**
 * The bot's /join: enrolls a Discord user with an invite code. The student is found by their
 * linked Discord id; failing that, by a roster line of this cohort that expects their Discord
 * username (and is not linked yet); failing that, a new account without email or password is
 * created and linked.
 */
@Injectable()
export class DiscordJoin {
  constructor(
    private readonly invites: InviteRepository,
    private readonly writer: EnrollmentWriter,
    private readonly transactions: Transactions,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  async execute(
    service: ServicePrincipal,
    input: DiscordJoinInput,
    meta: RequestMeta = {},
  ): Promise<DiscordJoinResult> {
    const now = this.clock.now();
    const invite = await this.invites.findByCode(normalizeCode(input.inviteCode));
    assertInviteValid(invite, now);
    const username = input.discordUsername.trim();
    const expected = normalizeDiscordUsername(username);
    try {
      return await this.transactions.run(async (tx, emit) => {
        const link = await tx.discordLink.findUnique({
          where: { discordUserId: input.discordUserId },
          select: {
            discordUsername: true,
            user: { select: { id: true, role: true, disabledAt: true, erasedAt: true } },
          },
        });
        let userId: string;
        let created = false;
        let matchedRoster = false;
        if (link) {
          if (link.user.role !== 'student') {
            throw DomainError.conflict(
              'staff_cannot_join',
              'staff accounts cannot join a cohort as students',
            );
          }
          if (link.user.disabledAt || link.user.erasedAt) {
            throw DomainError.forbidden('account_disabled', 'this account is disabled');
          }
          userId = link.user.id;
          if (link.discordUsername !== username) {
            await tx.discordLink.update({ where: { userId }, data: { discordUsername: username } });
          }
        } else {
          const candidates = await tx.enrollment.findMany({
            where: {
              cohortId: invite.cohortId,
              status: 'active',
              expectedDiscordUsername: expected,
              user: { role: 'student', erasedAt: null, disabledAt: null, discordLink: { is: null } },
            },
            select: { userId: true },
            take: 2,
          });
          // Two roster lines expecting the same username are ambiguous: link neither.
          if (candidates.length === 1) {
            userId = candidates[0]!.userId;
            matchedRoster = true;
          } else {
            const user = await tx.user.create({
              data: { displayName: username, role: 'student' },
              select: { id: true },
            });
            userId = user.id;
            created = true;
          }
          await tx.discordLink.create({
            data: { userId, discordUserId: input.discordUserId, discordUsername: username },
          });
        }
        const outcome = await this.writer.enrollWithInvite(tx, emit, userId, invite, now);
        await this.audit.record(
          service,
          {
            action: 'enrollment.join-discord',
            targetType: 'user',
            targetId: userId,
            cohortId: invite.cohortId,
            metadata: { createdAccount: created, matchedRoster, enrolled: outcome.created },
            ...meta,
          },
          tx,
        );
        return { userId, cohortId: invite.cohortId, enrollmentId: outcome.enrollment.id, created };
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw DomainError.conflict(
          'join_conflict',
          'this Discord account was linked at the same moment; try again',
        );
      }
      throw error;
    }
  }
}
