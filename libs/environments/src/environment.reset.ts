import { SecretBox } from '@kubecohort/auth';
import { Clock } from '@kubecohort/config';
import { type Environment, type EnvironmentExport, PrismaService } from '@kubecohort/database';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { createEnvironmentRow } from './environment.factory.js';
import { EnvironmentJobs } from './environment.jobs.js';
import { EnvironmentPower } from './environment.power.js';
import { EnvironmentTransitions } from './environment.transitions.js';
import {
  ENVIRONMENT_SIZING,
  environmentCost,
  EXPORT_OPTIONS,
  type EnvironmentSizing,
  type ExportOptions,
} from './environments.options.js';
import { ProvisioningFailed } from './provisioning.errors.js';
import { Transactions } from '@kubecohort/realtime';
import { VclusterExporter } from './vcluster.exporter.js';

/** Why the old environment was deleted: also how a rerun recognises a reset that already happened. */
export const RESET_REASON = 'reset: replaced by a fresh environment';

export type ResetOutcome =
  { outcome: 'reset'; exportId: string; replacementId: string } | { outcome: 'skipped' };

/**
 * Reset: export what the student created (into an encrypted, expiring EnvironmentExport), then
 * replace the environment with a fresh one on the same host cluster: in one transaction the old
 * one goes to `deleting` (freeing the student's one live slot) and the new one is `requested`,
 * then teardown and provisioning jobs take over. Every step is idempotent, so a retried job
 * reuses the export it already made and finds the replacement it already created.
 */
@Injectable()
export class EnvironmentReset {
  private readonly logger = new Logger(EnvironmentReset.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly transactions: Transactions,
    private readonly transitions: EnvironmentTransitions,
    private readonly jobs: EnvironmentJobs,
    private readonly power: EnvironmentPower,
    private readonly exporter: VclusterExporter,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    @Inject(ENVIRONMENT_SIZING) private readonly sizing: EnvironmentSizing,
    @Inject(EXPORT_OPTIONS) private readonly exports: ExportOptions,
  ) {}

  async reset(environmentId: string): Promise<ResetOutcome> {
    let env = await this.prisma.environment.findUnique({ where: { id: environmentId } });
    // Unclaimed pool environments belong to nobody: nothing to export or replace.
    if (!env?.cohortId || !env.userId) return { outcome: 'skipped' };
    if (env.state === 'deleting' || env.state === 'deleted') return this.resumeAfterSwap(env);
    if (!['ready', 'sleeping', 'waking'].includes(env.state)) return { outcome: 'skipped' };

    // The export reads the vcluster's API: a sleeping one is woken first.
    env = await this.power.awaken(environmentId, 'wake-for-reset');
    if (env.state !== 'ready')
      throw new Error(`the environment is ${env.state}; reset waits until it is ready`);
    if (!env.kubeconfigEncrypted)
      throw new ProvisioningFailed('the environment has no kubeconfig to export with');

    await this.transitions.note(environmentId, 'ready', { progressStep: 'reset-exporting' });
    const exported = await this.exportOnce(env);
    const replacement = await this.swap(env);
    if (!replacement)
      return this.resumeAfterSwap(
        await this.prisma.environment.findUniqueOrThrow({ where: { id: environmentId } }),
      );
    await this.jobs.ensureTeardown({ id: environmentId, state: 'deleting' });
    await this.jobs.ensureProvisioning(replacement);
    this.logger.log(
      { environmentId, replacementId: replacement.id, exportId: exported.id },
      'environment reset',
    );
    return { outcome: 'reset', exportId: exported.id, replacementId: replacement.id };
  }

  /** The job gave up: the environment stays as it was; its reason says the reset did not happen. */
  async fail(environmentId: string, reason: string): Promise<void> {
    await this.transitions.note(environmentId, 'ready', {
      progressStep: 'reset-failed',
      stateReason: `reset failed (nothing was deleted): ${reason}`,
    });
  }

  private async exportOnce(env: Environment): Promise<EnvironmentExport> {
    const existing = await this.prisma.environmentExport.findFirst({
      where: { environmentId: env.id, reason: 'reset' },
    });
    if (existing) return existing;
    const bundle = await this.exporter.export(this.box.decrypt(env.kubeconfigEncrypted!));
    return this.prisma.environmentExport.create({
      data: {
        environmentId: env.id,
        userId: env.userId,
        reason: 'reset',
        bundle: this.box.encrypt(bundle.yaml),
        sizeBytes: Buffer.byteLength(bundle.yaml),
        expiresAt: new Date(this.clock.now().getTime() + this.exports.retentionHours * 3600_000),
      },
    });
  }

  /** Old to deleting and its replacement requested, atomically; null when someone moved it first. */
  private swap(env: Environment): Promise<Environment | null> {
    const cost = environmentCost(this.sizing);
    return this.transactions.run(async (tx, emit) => {
      const old = await this.transitions.move(
        env.id,
        ['ready'],
        'deleting',
        { progressStep: 'teardown-queued', progressPercent: 0, stateReason: RESET_REASON },
        tx,
        emit,
      );
      if (!old) return null;
      // One-for-one on the same host cluster: no new capacity or budget is taken.
      const named = await createEnvironmentRow(tx, {
        cohortId: env.cohortId!,
        userId: env.userId!,
        hostClusterId: env.hostClusterId!,
        cost,
        expiresAt: env.expiresAt,
      });
      await this.transitions.announce(named, emit);
      return named;
    });
  }

  /** A rerun after the swap committed: make sure both jobs exist. */
  private async resumeAfterSwap(env: Environment): Promise<ResetOutcome> {
    if (env.stateReason !== RESET_REASON || !env.userId) return { outcome: 'skipped' };
    const exported = await this.prisma.environmentExport.findFirst({
      where: { environmentId: env.id, reason: 'reset' },
    });
    const replacement = await this.prisma.environment.findFirst({
      where: { userId: env.userId, requestedAt: { gte: env.requestedAt }, id: { not: env.id } },
      orderBy: { requestedAt: 'asc' },
    });
    await this.jobs.ensureTeardown(env);
    if (replacement) await this.jobs.ensureProvisioning(replacement);
    return exported && replacement
      ? { outcome: 'reset', exportId: exported.id, replacementId: replacement.id }
      : { outcome: 'skipped' };
  }
}
