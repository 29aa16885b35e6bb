import { PrismaService } from '@kubecohort/database';
import { Injectable } from '@nestjs/common';
import { PasswordHasher } from './password-hasher.js';

/**
 * Creates the first admin from ADMIN_EMAIL / ADMIN_PASSWORD. Idempotent: an existing account with
 * that email is left as it is (its password is never overwritten by a re-run).
 */
@Injectable()
export class AdminBootstrap {
  constructor(
    private readonly prisma: PrismaService,
    private readonly hasher: PasswordHasher,
  ) {}

  async ensureAdmin(
    email: string,
    password: string,
    displayName = 'Administrator',
  ): Promise<{ id: string; created: boolean }> {
    const normalized = email.trim().toLowerCase();
    const existing = await this.prisma.user.findUnique({
      where: { email: normalized },
      select: { id: true },
    });
    if (existing) return { id: existing.id, created: false };
    const passwordHash = await this.hasher.hash(password);
    const user = await this.prisma.user.upsert({
      where: { email: normalized },
      create: { email: normalized, displayName, role: 'admin', passwordHash },
      update: {},
      select: { id: true },
    });
    return { id: user.id, created: true };
  }
}
