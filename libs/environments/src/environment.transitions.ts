import { Clock } from '@kubecohort/config';
import type { EnvironmentStateName } from '@kubecohort/contracts';
import type { Environment, Prisma } from '@kubecohort/database';
import { type Emit, Transactions } from '@kubecohort/realtime';
import { Injectable } from '@nestjs/common';
import { canTransition, isLive } from './environment-states.js';

/** States in which an environment's vcluster runs (and costs): budgets count time spent in them. */
export const BILLABLE_STATES: readonly EnvironmentStateName[] = ['provisioning', 'ready', 'waking'];

export type EnvironmentChanges = Omit<
  Prisma.EnvironmentUncheckedUpdateManyInput,
  'state' | 'stateChangedAt' | 'activeUserId' | 'id' | 'billedSeconds' | 'billingSince'
>;

/**
 * The only writer of environment state. Every transition is a compare-and-set on the current state
 * (so two workers, or a worker and the api, cannot both win) and writes `environment.changed` in
 * the same transaction.
 */
@Injectable()
export class EnvironmentTransitions {
  constructor(
    private readonly transactions: Transactions,
    private readonly clock: Clock,
  ) {}

  /**
   * Moves the environment to `to` if its state is one of `from`; null when it was not (someone
   * else moved it first). Leaving the live states frees the student's one-live-environment slot.
   */
  move(
    id: string,
    from: readonly EnvironmentStateName[],
    to: EnvironmentStateName,
    changes: EnvironmentChanges = {},
    tx?: Prisma.TransactionClient,
    emit?: Emit,
  ): Promise<Environment | null> {
    const allowed = from.filter((state) => canTransition(state, to));
    if (allowed.length === 0) throw new Error(`no transition from ${from.join('|')} to ${to}`);
    const work = async (client: Prisma.TransactionClient, send: Emit) => {
      const { count } = await client.environment.updateMany({
        where: { id, state: { in: allowed } },
        data: {
          ...changes,
          state: to,
          stateChangedAt: this.clock.now(),
          ...(isLive(to) ? {} : { activeUserId: null }),
        },
      });
      if (count === 0) return null;
      await this.bill(client, id, to);
      const env = await client.environment.findUniqueOrThrow({ where: { id } });
      await this.announce(env, send);
      return env;
    };
    return tx && emit ? work(tx, emit) : this.transactions.run(work);
  }

  /**
   * Cost accounting for budgets: the time since `billingSince` is added to `billedSeconds`, and
   * billing restarts now if the new state runs the vcluster (it stops while sleeping or gone).
   */
  private async bill(client: Prisma.TransactionClient, id: string, to: EnvironmentStateName): Promise<void> {
    const now = this.clock.now();
    const since = BILLABLE_STATES.includes(to) ? now : null;
    await client.$executeRaw`
      UPDATE environments
         SET billed_seconds = billed_seconds + CASE WHEN billing_since IS NULL THEN 0
               ELSE GREATEST(0, EXTRACT(EPOCH FROM (${now}::timestamptz - billing_since))) END,
             billing_since = ${since}::timestamptz
       WHERE id = ${id}::uuid`;
  }

  /**
   * Records the current step while in `state`. Progress only moves forward, so a job that reruns
   * its steps after a crash does not replay the progress bar (or its events).
   */
  progress(
    id: string,
    state: EnvironmentStateName,
    step: string,
    percent: number,
  ): Promise<Environment | null> {
    return this.transactions.run(async (tx, emit) => {
      const { count } = await tx.environment.updateMany({
        where: { id, state, progressPercent: { lt: percent } },
        data: { progressStep: step, progressPercent: percent },
      });
      if (count === 0) return null;
      const env = await tx.environment.findUniqueOrThrow({ where: { id } });
      await this.announce(env, emit);
      return env;
    });
  }

  /**
   * Changes fields of an environment that stays in `state` (a step outside the progress bar, a
   * reason), announcing it; null when the environment is no longer in that state.
   */
  note(
    id: string,
    state: EnvironmentStateName,
    changes: Pick<EnvironmentChanges, 'progressStep' | 'stateReason'>,
  ): Promise<Environment | null> {
    return this.transactions.run(async (tx, emit) => {
      const { count } = await tx.environment.updateMany({ where: { id, state }, data: changes });
      if (count === 0) return null;
      const env = await tx.environment.findUniqueOrThrow({ where: { id } });
      await this.announce(env, emit);
      return env;
    });
  }

  async announce(env: Environment, emit: Emit): Promise<void> {
    // Unclaimed pool environments belong to no cohort, hence no cohort feed.
    if (!env.cohortId) return;
    await emit(
      env.cohortId,
      'environment.changed',
      {
        environmentId: env.id,
        userId: env.userId,
        state: env.state,
        progressStep: env.progressStep,
        progressPercent: env.progressPercent,
        reason: env.stateReason,
      },
      env.userId ? { subjectUserId: env.userId } : undefined,
    );
  }
}
