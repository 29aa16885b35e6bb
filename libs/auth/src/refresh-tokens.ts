import { Clock } from '@kubecohort/config';
import { PrismaService } from '@kubecohort/database';
import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AUTH_OPTIONS, type AuthOptions } from './auth.options.js';
import { newOpaqueToken, sha256 } from './token-hash.js';

export class RefreshRejectedError extends Error {}

/**
 * Rotating refresh tokens. Each use returns a new token of the same family; presenting a token
 * that was already used means it was stolen (or replayed), so the whole family is revoked.
 */
@Injectable()
export class RefreshTokens {
  constructor(
    private readonly prisma: PrismaService,
    private readonly clock: Clock,
    @Inject(AUTH_OPTIONS) private readonly options: AuthOptions,
  ) {}

  async issue(userId: string, familyId: string = randomUUID()): Promise<string> {
    const token = newOpaqueToken();
    await this.prisma.refreshToken.create({
      data: {
        userId,
        familyId,
        tokenHash: sha256(token),
        expiresAt: new Date(this.clock.now().getTime() + this.options.refreshTokenTtlSeconds * 1000),
      },
    });
    return token;
  }

  /** Consumes a refresh token and returns its successor, or throws (revoking the family on reuse). */
  async rotate(token: string): Promise<{ userId: string; refreshToken: string }> {
    const now = this.clock.now();
    const tokenHash = sha256(token);
    const outcome = await this.prisma.$transaction(async (tx) => {
      const row = await tx.refreshToken.findUnique({ where: { tokenHash } });
      if (!row) return { error: 'unknown refresh token' } as const;
      // Single-use: the conditional update wins only once even under concurrent refreshes.
      const consumed = await tx.refreshToken.updateMany({
        where: { id: row.id, usedAt: null, revokedAt: null, expiresAt: { gt: now } },
        data: { usedAt: now },
      });
      if (consumed.count === 0) {
        if (row.usedAt) {
          await tx.refreshToken.updateMany({
            where: { familyId: row.familyId, revokedAt: null },
            data: { revokedAt: now },
          });
          return {
            error: 'refresh token reused; all sessions of this login were revoked',
            revokeFamily: true,
          } as const;
        }
        return { error: row.revokedAt ? 'refresh token revoked' : 'refresh token expired' } as const;
      }
      const user = await tx.user.findUnique({
        where: { id: row.userId },
        select: { disabledAt: true, erasedAt: true },
      });
      if (!user || user.disabledAt || user.erasedAt) return { error: 'account disabled' } as const;
      return { userId: row.userId, familyId: row.familyId } as const;
    });
    if ('error' in outcome) throw new RefreshRejectedError(outcome.error);
    return { userId: outcome.userId, refreshToken: await this.issue(outcome.userId, outcome.familyId) };
  }

  /** Logout: revokes the token's whole family (this login on every device that shares it). */
  async revokeFamilyOf(token: string, userId: string): Promise<void> {
    const row = await this.prisma.refreshToken.findUnique({ where: { tokenHash: sha256(token) } });
    if (!row || row.userId !== userId) return;
    await this.prisma.refreshToken.updateMany({
      where: { familyId: row.familyId, revokedAt: null },
      data: { revokedAt: this.clock.now() },
    });
  }

  async revokeAllOf(userId: string): Promise<void> {
    await this.prisma.refreshToken.updateMany({
      where: { userId, revokedAt: null },
      data: { revokedAt: this.clock.now() },
    });
  }
}
