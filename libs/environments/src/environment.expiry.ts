import { SecretBox } from '@kubecohort/auth';
import { Clock } from '@kubecohort/config';
import { type Environment, PrismaService, type Prisma } from '@kubecohort/database';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { EnvironmentJobs } from './environment.jobs.js';
import { EnvironmentPower } from './environment.power.js';
import { EnvironmentTransitions } from './environment.transitions.js';
import {
  EXPIRY_OPTIONS,
  EXPORT_OPTIONS,
  type ExpiryOptions,
  type ExportOptions,
} from './environments.options.js';
import { sourcesOf } from './environment-states.js';
import { VclusterExporter } from './vcluster.exporter.js';

export type ExpiryOutcome = 'expired' | 'skipped';

/** Environments past their own expiry, or whose cohort ended (plus the grace period), was archived or deleted. */
export function expiredWhere(now: Date, options: ExpiryOptions): Prisma.EnvironmentWhereInput {
  const cohortEnded = new Date(now.getTime() - options.cohortEndGraceHours * 3600_000);
  return {
    state: { in: ['requested', 'provisioning', 'ready', 'sleeping', 'waking', 'failed'] },
    pooled: false,
    OR: [
      { expiresAt: { lte: now } },
      { cohortId: null },
      { cohort: { endsAt: { lte: cohortEnded } } },
      { cohort: { status: 'archived' } },
      { cohort: { deletedAt: { not: null } } },
    ],
  };
}

/**
 * Tears down an environment whose time is up. A running (or sleeping: woken first) vcluster is
 * exported first, like before a reset, so the student can still download what they built; one
 * that never became ready, or failed, has nothing to export and goes straight to teardown.
 */
@Injectable()
export class EnvironmentExpiry {
  private readonly logger = new Logger(EnvironmentExpiry.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly transitions: EnvironmentTransitions,
    private readonly jobs: EnvironmentJobs,
    private readonly power: EnvironmentPower,
    private readonly exporter: VclusterExporter,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    @Inject(EXPORT_OPTIONS) private readonly exports: ExportOptions,
    @Inject(EXPIRY_OPTIONS) private readonly options: ExpiryOptions,
  ) {}

  /** Expired environments without their job yet get one (called by the reconciler). */
  async enqueueExpired(): Promise<number> {
    const expired = await this.prisma.environment.findMany({
      where: expiredWhere(this.clock.now(), this.options),
      select: { id: true },
      take: 500,
    });
    for (const env of expired) await this.jobs.ensureExpiry(env.id);
    return expired.length;
  }

  async expire(environmentId: string): Promise<ExpiryOutcome> {
    let env = await this.prisma.environment.findFirst({
      where: { id: environmentId, ...expiredWhere(this.clock.now(), this.options) },
    });
    if (!env) return 'skipped';
    const reason = await this.reasonFor(env);
    env = await this.power.awaken(environmentId, 'wake-for-export');
    if (env.state === 'ready' && env.kubeconfigEncrypted) {
      await this.transitions.note(environmentId, 'ready', { progressStep: 'expiry-exporting' });
      await this.exportOnce(env);
    }
    return this.teardown(environmentId, reason);
  }

  /** The export kept failing: the environment is torn down anyway (it cannot run past its end). */
  async expireWithoutExport(environmentId: string, failure: string): Promise<void> {
    const env = await this.prisma.environment.findUnique({ where: { id: environmentId } });
    if (!env) return;
    await this.teardown(environmentId, `${await this.reasonFor(env)}; the export failed: ${failure}`);
  }

  private async teardown(environmentId: string, reason: string): Promise<ExpiryOutcome> {
    const moved = await this.transitions.move(environmentId, sourcesOf('deleting'), 'deleting', {
      progressStep: 'teardown-queued',
      progressPercent: 0,
      stateReason: reason,
    });
    if (!moved) return 'skipped';
    await this.jobs.ensureTeardown(moved);
    this.logger.log({ environmentId, reason }, 'environment expired');
    return 'expired';
  }

  private async exportOnce(env: Environment): Promise<void> {
    const existing = await this.prisma.environmentExport.findFirst({
      where: { environmentId: env.id, reason: 'teardown' },
    });
    if (existing) return;
    const bundle = await this.exporter.export(this.box.decrypt(env.kubeconfigEncrypted!));
    await this.prisma.environmentExport.create({
      data: {
        environmentId: env.id,
        userId: env.userId,
        reason: 'teardown',
        bundle: this.box.encrypt(bundle.yaml),
        sizeBytes: Buffer.byteLength(bundle.yaml),
        expiresAt: new Date(this.clock.now().getTime() + this.exports.retentionHours * 3600_000),
      },
    });
  }

  private async reasonFor(env: Environment): Promise<string> {
    const now = this.clock.now();
    if (env.expiresAt && env.expiresAt <= now) return `expired at ${env.expiresAt.toISOString()}`;
    const cohort = env.cohortId
      ? await this.prisma.cohort.findUnique({
          where: { id: env.cohortId },
          select: { endsAt: true, status: true, deletedAt: true },
        })
      : null;
    if (!cohort || cohort.deletedAt) return 'its cohort was deleted';
    if (cohort.status === 'archived') return 'its cohort was archived';
    return `its cohort ended at ${cohort.endsAt?.toISOString() ?? 'an unknown time'}`;
  }
}
