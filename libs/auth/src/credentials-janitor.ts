import { PrismaService } from '@kubecohort/database';
import { Injectable } from '@nestjs/common';

/** Removes credentials that can no longer be used, so tables of secrets' hashes stay small. */
@Injectable()
export class CredentialsJanitor {
  constructor(private readonly prisma: PrismaService) {}

  async purgeExpired(
    now: Date,
    graceHours: number,
  ): Promise<{ refreshTokens: number; linkCodes: number; resetCodes: number }> {
    const cutoff = new Date(now.getTime() - graceHours * 3600_000);
    const [refreshTokens, linkCodes, resetCodes] = await this.prisma.$transaction([
      this.prisma.refreshToken.deleteMany({ where: { expiresAt: { lt: cutoff } } }),
      this.prisma.discordLinkCode.deleteMany({ where: { expiresAt: { lt: cutoff } } }),
      this.prisma.passwordResetCode.deleteMany({ where: { expiresAt: { lt: cutoff } } }),
    ]);
    return { refreshTokens: refreshTokens.count, linkCodes: linkCodes.count, resetCodes: resetCodes.count };
  }
}
