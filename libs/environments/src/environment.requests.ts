import { AuditTrail, SecretBox, type UserPrincipal } from '@kubecohort/auth';
import { Clock } from '@kubecohort/config';
import { DomainError } from '@kubecohort/contracts';
import { type Environment, Prisma, PrismaService } from '@kubecohort/database';
import { Transactions } from '@kubecohort/realtime';
import { Inject, Injectable } from '@nestjs/common';
import { CohortBudget } from './cohort.budget.js';
import { createEnvironmentRow } from './environment.factory.js';
import { claimPooled } from './warm.pool.js';
import { HostClusterAllocator } from './host-cluster.allocator.js';
import { EnvironmentJobs } from './environment.jobs.js';
import { EnvironmentTransitions } from './environment.transitions.js';
import { toEnvironmentView, type EnvironmentView } from './environment.views.js';
import { ENVIRONMENT_SIZING, environmentCost, type EnvironmentCostSizing } from './environments.options.js';

/** Seconds a client should wait before asking again when no host cluster has room. */
const NO_CAPACITY_RETRY_AFTER = 60;

/**
 * A student's own environment: request it, follow it, download its kubeconfig. The student is the
 * caller (directly, or the bot acting for them); nothing here takes another user's id.
 */
@Injectable()
export class EnvironmentRequests {
  constructor(
    private readonly prisma: PrismaService,
    private readonly transactions: Transactions,
    private readonly transitions: EnvironmentTransitions,
    private readonly allocator: HostClusterAllocator,
    private readonly jobs: EnvironmentJobs,
    private readonly box: SecretBox,
    private readonly audit: AuditTrail,
    private readonly budget: CohortBudget,
    private readonly clock: Clock,
    @Inject(ENVIRONMENT_SIZING) private readonly sizing: EnvironmentCostSizing,
  ) {}

  /**
   * Asks for the caller's environment. Idempotent: a student with a live environment gets that
   * one back (and its provisioning job, if it was lost, is enqueued again). A new one needs a host
   * cluster with room (503 otherwise) and room in the cohort's budget (409 budget_exceeded).
   */
  async request(user: UserPrincipal): Promise<{ environment: EnvironmentView; created: boolean }> {
    // Both lookups at once: one round trip's wait instead of two before the transaction.
    const [existing, enrollment] = await Promise.all([
      this.live(user.userId),
      this.prisma.enrollment.findFirst({
        where: { activeUserId: user.userId, status: 'active', cohort: { deletedAt: null } },
        select: { cohortId: true },
      }),
    ]);
    if (existing) {
      await this.jobs.ensureProvisioning(existing);
      return { environment: toEnvironmentView(existing), created: false };
    }
    if (!enrollment) {
      throw DomainError.forbidden(
        'not_enrolled',
        'environments belong to a cohort: join a cohort before asking for an environment',
      );
    }
    const cost = environmentCost(this.sizing);
    let env: Environment;
    try {
      env = await this.transactions.run(async (tx, emit) => {
        await this.budget.assertRoom(tx, enrollment.cohortId, 1);
        await this.budget.assertStudentCap(enrollment.cohortId, user.userId, tx);
        // A ready vcluster from the warm pool, if there is one: ready at once.
        const claimed = await claimPooled(tx, {
          cohortId: enrollment.cohortId,
          userId: user.userId,
          now: this.clock.now(),
        });
        if (claimed) {
          await this.transitions.announce(claimed, emit);
          return claimed;
        }
        const hostClusterId = await this.allocator.allocate(tx, cost);
        if (!hostClusterId) {
          throw new DomainError(
            'unavailable',
            'no_capacity',
            'No host cluster has room for another environment right now. Try again in a few minutes; if it persists, ask your instructor (an administrator has to add capacity).',
            [],
            NO_CAPACITY_RETRY_AFTER,
          );
        }
        const named = await createEnvironmentRow(tx, {
          cohortId: enrollment.cohortId,
          userId: user.userId,
          hostClusterId,
          cost,
        });
        await this.transitions.announce(named, emit);
        return named;
      });
    } catch (error) {
      // Two requests at once: the one-live-environment constraint let only one through.
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        const winner = await this.live(user.userId);
        if (winner) return { environment: toEnvironmentView(winner), created: false };
      }
      throw error;
    }
    if (env.claimedAt) await this.jobs.ensureRelabel(env.id);
    // A new environment's id is new: no job of that id can exist yet, so no look-up first.
    else await this.jobs.addProvisioning(env.id);
    return { environment: toEnvironmentView(env), created: true };
  }

  /** The caller's live environment, else their latest one (to see why it failed); 404 when none. */
  async mine(user: UserPrincipal): Promise<EnvironmentView> {
    const env =
      (await this.live(user.userId)) ??
      (await this.prisma.environment.findFirst({
        where: { userId: user.userId },
        orderBy: [{ requestedAt: 'desc' }, { id: 'desc' }],
      }));
    if (!env) throw DomainError.notFound('environment');
    return toEnvironmentView(env);
  }

  /** The kubeconfig of the caller's ready environment (decrypted for this response only). */
  async myKubeconfig(user: UserPrincipal): Promise<{ environmentId: string; kubeconfig: string }> {
    const env = await this.live(user.userId);
    if (!env) throw DomainError.notFound('environment');
    const kubeconfig = readyKubeconfig(env, this.box);
    await this.audit.record(user, {
      action: 'environment.kubeconfig.read',
      targetType: 'environment',
      targetId: env.id,
      cohortId: env.cohortId,
    });
    return { environmentId: env.id, kubeconfig };
  }

  private live(userId: string): Promise<Environment | null> {
    return this.prisma.environment.findUnique({ where: { activeUserId: userId } });
  }
}

export function readyKubeconfig(env: Environment, box: SecretBox): string {
  if (env.state !== 'ready' || !env.kubeconfigEncrypted) {
    throw DomainError.conflict(
      'environment_not_ready',
      `the environment is ${env.state}${env.progressStep ? ` (${env.progressStep}, ${env.progressPercent}%)` : ''}; its kubeconfig is available once it is ready`,
    );
  }
  return box.decrypt(env.kubeconfigEncrypted);
}
