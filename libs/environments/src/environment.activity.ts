import { Clock } from '@kubecohort/config';
import { PrismaService } from '@kubecohort/database';
import { Inject, Injectable } from '@nestjs/common';
import { ACTIVITY_OPTIONS, type ActivityOptions } from './environments.options.js';

/** Users remembered between writes; past this, the oldest are forgotten (they just write again). */
const MAX_REMEMBERED = 50_000;

/**
 * Records that a student used the platform (any authenticated request of theirs, the bot acting
 * for them included), for idle detection. Throttled twice: in memory per process (no query at
 * all within the interval) and in the UPDATE itself (a row written recently by another api
 * instance is not rewritten), so a busy student costs one indexed UPDATE per interval.
 */
@Injectable()
export class EnvironmentActivity {
  private readonly lastWrite = new Map<string, number>();

  constructor(
    private readonly prisma: PrismaService,
    private readonly clock: Clock,
    @Inject(ACTIVITY_OPTIONS) private readonly options: ActivityOptions,
  ) {}

  /** Only ready environments are watched for idleness (and only their rows are written). */
  async record(userId: string): Promise<void> {
    const now = this.clock.now();
    const last = this.lastWrite.get(userId);
    const everyMs = this.options.throttleSeconds * 1000;
    if (last !== undefined && now.getTime() - last < everyMs) return;
    this.lastWrite.delete(userId);
    this.lastWrite.set(userId, now.getTime());
    if (this.lastWrite.size > MAX_REMEMBERED) this.lastWrite.delete(this.lastWrite.keys().next().value!);
    await this.prisma.environment.updateMany({
      where: {
        activeUserId: userId,
        state: 'ready',
        lastActivityAt: { lt: new Date(now.getTime() - everyMs) },
      },
      data: { lastActivityAt: now },
    });
  }
}
