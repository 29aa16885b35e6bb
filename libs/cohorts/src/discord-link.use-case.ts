import { AuditTrail, humanCode, type ServicePrincipal, sha256, type UserPrincipal } from '@kubecohort/auth';
import { Clock } from '@kubecohort/config';
import { DomainError } from '@kubecohort/contracts';
import { PrismaService } from '@kubecohort/database';
import { Injectable } from '@nestjs/common';
import type { RequestMeta } from './audit-context.js';
import { normalizeCode } from './identity.normalizers.js';
import { isUniqueViolation } from './prisma-errors.js';

export const DISCORD_LINK_CODE_TTL_SECONDS = 10 * 60;

export interface DiscordLinkInput {
  code: string;
  discordUserId: string;
  discordUsername: string;
}

const codeInvalid = () =>
  new DomainError(
    'not_found',
    'link_code_invalid',
    'this link code is unknown, already used or expired; create a new one',
  );

/**
 * Linking an existing web account to Discord: the user asks for a one-time code (only its sha256 is
 * stored) and types it into the bot, which redeems it with the Discord identity it saw.
 */
@Injectable()
export class DiscordLinking {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  async createCode(user: UserPrincipal): Promise<{ code: string; expiresAt: string }> {
    const now = this.clock.now();
    const code = humanCode(8);
    const expiresAt = new Date(now.getTime() + DISCORD_LINK_CODE_TTL_SECONDS * 1000);
    await this.prisma.$transaction(async (tx) => {
      const account = await tx.user.findUnique({
        where: { id: user.userId },
        select: { disabledAt: true, erasedAt: true },
      });
      if (!account || account.disabledAt || account.erasedAt) {
        throw new DomainError('unauthorized', 'account_unavailable', 'this account is no longer available');
      }
      // A new code replaces any earlier unused one.
      await tx.discordLinkCode.deleteMany({ where: { userId: user.userId, usedAt: null } });
      await tx.discordLinkCode.create({ data: { userId: user.userId, codeHash: sha256(code), expiresAt } });
    });
    return { code, expiresAt: expiresAt.toISOString() };
  }

  async redeem(
    service: ServicePrincipal,
    input: DiscordLinkInput,
    meta: RequestMeta = {},
  ): Promise<{ userId: string }> {
    const now = this.clock.now();
    const codeHash = sha256(normalizeCode(input.code));
    const username = input.discordUsername.trim();
    try {
      return await this.prisma.$transaction(async (tx) => {
        const row = await tx.discordLinkCode.findUnique({
          where: { codeHash },
          select: {
            id: true,
            userId: true,
            usedAt: true,
            expiresAt: true,
            user: { select: { disabledAt: true, erasedAt: true } },
          },
        });
        if (!row || row.usedAt || row.expiresAt <= now || row.user.disabledAt || row.user.erasedAt)
          throw codeInvalid();
        const taken = await tx.discordLink.findUnique({
          where: { discordUserId: input.discordUserId },
          select: { userId: true },
        });
        if (taken && taken.userId !== row.userId) {
          throw DomainError.conflict(
            'discord_already_linked',
            'this Discord account is already linked to another kubecohort account',
          );
        }
        const used = await tx.discordLinkCode.updateMany({
          where: { id: row.id, usedAt: null },
          data: { usedAt: now },
        });
        if (used.count === 0) throw codeInvalid();
        await tx.discordLink.upsert({
          where: { userId: row.userId },
          create: { userId: row.userId, discordUserId: input.discordUserId, discordUsername: username },
          update: { discordUserId: input.discordUserId, discordUsername: username, linkedAt: now },
        });
        await this.audit.record(
          service,
          { action: 'discord.link', targetType: 'user', targetId: row.userId, ...meta },
          tx,
        );
        return { userId: row.userId };
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw DomainError.conflict(
          'discord_already_linked',
          'this Discord account is already linked to another kubecohort account',
        );
      }
      throw error;
    }
  }
}
