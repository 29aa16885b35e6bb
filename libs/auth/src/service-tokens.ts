import { Clock } from '@kubecohort/config';
import { PrismaService } from '@kubecohort/database';
import { Injectable } from '@nestjs/common';
import { newOpaqueToken, sameHash, sha256 } from './token-hash.js';
import type { ServicePrincipal, ServiceScope } from './principal.js';

const PREFIX = 'kcs';

/**
 * Service tokens for the bot and the worker: `kcs_<lookup>_<secret>`. The lookup part finds the
 * row; only the secret's sha256 is stored and compared in constant time.
 */
@Injectable()
export class ServiceTokens {
  constructor(
    private readonly prisma: PrismaService,
    private readonly clock: Clock,
  ) {}

  static looksLikeServiceToken(token: string): boolean {
    return token.startsWith(`${PREFIX}_`);
  }

  async create(input: {
    name: string;
    scopes: ServiceScope[];
    createdById: string | null;
    expiresAt?: Date | null;
  }): Promise<{ id: string; token: string; userId: string }> {
    const lookup = newOpaqueToken(9);
    const secret = newOpaqueToken(32);
    const row = await this.prisma.$transaction(async (tx) => {
      const user = await tx.user.create({ data: { displayName: `service:${input.name}`, role: 'service' } });
      return tx.serviceToken.create({
        data: {
          name: input.name,
          userId: user.id,
          prefix: lookup,
          secretHash: sha256(secret),
          scopes: input.scopes,
          createdById: input.createdById,
          expiresAt: input.expiresAt ?? null,
        },
      });
    });
    return { id: row.id, token: `${PREFIX}_${lookup}_${secret}`, userId: row.userId };
  }

  async verify(token: string): Promise<ServicePrincipal | null> {
    const match = /^kcs_([A-Za-z0-9_-]{12})_([A-Za-z0-9_-]{43})$/.exec(token);
    if (!match) return null;
    const [, lookup, secret] = match as unknown as [string, string, string];
    const row = await this.prisma.serviceToken.findUnique({ where: { prefix: lookup } });
    const now = this.clock.now();
    if (!row || row.revokedAt || (row.expiresAt && row.expiresAt <= now)) return null;
    if (!sameHash(row.secretHash, sha256(secret))) return null;
    // Coarse last-use tracking: at most one write a minute per token.
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) {
      await this.prisma.serviceToken.update({ where: { id: row.id }, data: { lastUsedAt: now } });
    }
    return { kind: 'service', userId: row.userId, tokenId: row.id, scopes: row.scopes };
  }

  async revoke(id: string): Promise<boolean> {
    const result = await this.prisma.serviceToken.updateMany({
      where: { id, revokedAt: null },
      data: { revokedAt: this.clock.now() },
    });
    return result.count > 0;
  }

  list() {
    return this.prisma.serviceToken.findMany({
      orderBy: { createdAt: 'desc' },
      select: {
        id: true,
        name: true,
        scopes: true,
        createdAt: true,
        lastUsedAt: true,
        expiresAt: true,
        revokedAt: true,
      },
    });
  }
}
