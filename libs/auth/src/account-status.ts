import { PrismaService } from '@kubecohort/database';
import { Injectable } from '@nestjs/common';

const TTL_MS = 5000;
const MAX_ENTRIES = 10000;

/**
 * Whether an account may still act. Access tokens are stateless, so a disabled or erased account
 * would keep working until its token expires; the guard asks here instead, through a short
 * per-process cache (one indexed read per user every 5 s at most).
 */
@Injectable()
export class AccountStatus {
  private readonly cache = new Map<string, { active: boolean; until: number }>();

  constructor(private readonly prisma: PrismaService) {}

  async isActive(userId: string): Promise<boolean> {
    const now = Date.now();
    const hit = this.cache.get(userId);
    if (hit && hit.until > now) return hit.active;
    const user = await this.prisma.user.findUnique({
      where: { id: userId },
      select: { disabledAt: true, erasedAt: true },
    });
    const active = Boolean(user && !user.disabledAt && !user.erasedAt);
    if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
    this.cache.set(userId, { active, until: now + TTL_MS });
    return active;
  }

  /** Forget a user at once in this process (after disabling or erasing them here). */
  invalidate(userId: string): void {
    this.cache.delete(userId);
  }
}
