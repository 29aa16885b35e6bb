import { AuditTrail, SecretBox, staffedCohorts, type Principal, type UserPrincipal } from '@kubecohort/auth';
import { Clock } from '@kubecohort/config';
import { DomainError } from '@kubecohort/contracts';
import {
  type Environment,
  type EnvironmentState,
  PrismaService,
  SqlClient,
  statement,
} from '@kubecohort/database';
import { Injectable } from '@nestjs/common';
import { CohortBudget } from './cohort.budget.js';
import { EnvironmentJobs } from './environment.jobs.js';
import { EnvironmentTransitions } from './environment.transitions.js';
import { toEnvironmentView, type EnvironmentExportView, type EnvironmentView } from './environment.views.js';

type Action = 'sleep' | 'wake' | 'reset';

/** A student's live environment, as much of it as waking needs. */
export interface LiveEnvironment {
  id: string;
  state: EnvironmentState;
  cohortId: string | null;
}

/** $1 user: their live environment (active_user_id is unique). */
const LIVE_ENVIRONMENT = statement(
  'environments_live_for_user_v1',
  `SELECT id::text AS id, state::text AS state, cohort_id::text AS "cohortId"
   FROM environments WHERE active_user_id = $1::uuid`,
);

/**
 * Sleep, wake and reset on request (the student for their own environment, the cohort's staff
 * for any of the cohort's), and the exports a reset leaves behind. The state change (or, for a
 * reset, the job) is recorded here; the worker's jobs do the cluster work. Asking again while the
 * environment is already where it was asked to go is answered with its current state.
 */
@Injectable()
export class EnvironmentLifecycle {
  constructor(
    private readonly prisma: PrismaService,
    private readonly sql: SqlClient,
    private readonly transitions: EnvironmentTransitions,
    private readonly jobs: EnvironmentJobs,
    private readonly box: SecretBox,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    private readonly budget: CohortBudget,
  ) {}

  /** Staff of the environment's cohort (another cohort's environment is a 404). */
  async forStaff(principal: UserPrincipal, id: string, action: Action): Promise<EnvironmentView> {
    const env = await this.prisma.environment.findFirst({ where: { id, cohort: staffedCohorts(principal) } });
    if (!env) throw DomainError.notFound('environment');
    return this.apply(principal, env, action);
  }

  /** The caller's own live environment. */
  async forMe(user: UserPrincipal, action: Action): Promise<EnvironmentView> {
    const env = await this.prisma.environment.findUnique({ where: { activeUserId: user.userId } });
    if (!env) throw DomainError.notFound('environment');
    return this.apply(user, env, action);
  }

  /**
   * A student action that needs their environment (a kubeconfig download, a submission): a
   * sleeping environment starts waking. Cheap when there is nothing to do (one indexed read, or
   * none when the caller read the environment already, as a submission's context does).
   */
  async wakeFor(userId: string, live?: LiveEnvironment | null): Promise<void> {
    const env =
      live !== undefined
        ? live
        : ((await this.sql.query<LiveEnvironment>(LIVE_ENVIRONMENT, [userId]))[0] ?? null);
    if (env?.state === 'sleeping' && env.cohortId) {
      // Past the per-student cap it stays asleep (the request itself says why it is not ready).
      await this.budget.assertStudentCap(env.cohortId, userId).then(
        () => this.wake(env, 'woken by student activity'),
        (error: unknown) => {
          if (!(error instanceof DomainError)) throw error;
        },
      );
    } else if (env?.state === 'waking') await this.jobs.ensureWake(env);
  }

  async myExports(user: UserPrincipal): Promise<EnvironmentExportView[]> {
    const rows = await this.prisma.environmentExport.findMany({
      where: { userId: user.userId, expiresAt: { gt: this.clock.now() } },
      select: {
        id: true,
        environmentId: true,
        reason: true,
        sizeBytes: true,
        createdAt: true,
        expiresAt: true,
      },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: 50,
    });
    return rows.map((row) => ({
      id: row.id,
      environmentId: row.environmentId,
      reason: row.reason,
      sizeBytes: row.sizeBytes,
      createdAt: row.createdAt.toISOString(),
      expiresAt: row.expiresAt.toISOString(),
    }));
  }

  /** One of the caller's exports, decrypted for this response only; expired ones are gone (404). */
  async myExport(user: UserPrincipal, exportId: string): Promise<string> {
    const row = await this.prisma.environmentExport.findFirst({
      where: { id: exportId, userId: user.userId, expiresAt: { gt: this.clock.now() } },
      include: { environment: { select: { cohortId: true } } },
    });
    if (!row) throw DomainError.notFound('export');
    await this.audit.record(user, {
      action: 'environment.export.read',
      targetType: 'environment_export',
      targetId: row.id,
      cohortId: row.environment.cohortId,
    });
    return this.box.decrypt(row.bundle);
  }

  private async apply(principal: Principal, env: Environment, action: Action): Promise<EnvironmentView> {
    const by = principal.kind === 'user' && principal.role === 'student' ? 'student' : 'cohort staff';
    switch (action) {
      case 'sleep':
        return this.sleep(principal, env, by);
      case 'wake':
        return this.wakeRequested(principal, env, by);
      case 'reset':
        return this.reset(principal, env);
    }
  }

  private async sleep(principal: Principal, env: Environment, by: string): Promise<EnvironmentView> {
    if (env.state === 'sleeping') {
      await this.jobs.ensureSleep(env);
      return toEnvironmentView(env);
    }
    if (env.state !== 'ready') throw notReady(env, 'put to sleep');
    const moved = await this.transitions.move(env.id, ['ready'], 'sleeping', {
      progressStep: 'sleep-queued',
      progressPercent: 0,
      stateReason: `put to sleep by ${by}`,
    });
    const current = moved ?? (await this.reload(env.id));
    if (moved) await this.record(principal, 'environment.sleep', env);
    await this.jobs.ensureSleep(current);
    return toEnvironmentView(current);
  }

  private async wakeRequested(principal: Principal, env: Environment, by: string): Promise<EnvironmentView> {
    if (env.state === 'ready' || env.state === 'waking') {
      await this.jobs.ensureWake(env);
      return toEnvironmentView(env);
    }
    if (env.state !== 'sleeping') throw notReady(env, 'woken');
    if (env.cohortId && env.userId) await this.budget.assertStudentCap(env.cohortId, env.userId);
    const current = await this.wake(env, `woken by ${by}`);
    await this.record(principal, 'environment.wake', env);
    return toEnvironmentView(current);
  }

  private async wake(env: Pick<Environment, 'id'>, reason: string): Promise<Environment> {
    const moved = await this.transitions.move(env.id, ['sleeping'], 'waking', {
      progressStep: 'wake-queued',
      progressPercent: 0,
      stateReason: reason,
    });
    const current = moved ?? (await this.reload(env.id));
    await this.jobs.ensureWake(current);
    return current;
  }

  private async reset(principal: Principal, env: Environment): Promise<EnvironmentView> {
    if (!['ready', 'sleeping', 'waking'].includes(env.state)) throw notReady(env, 'reset');
    const pending = await this.jobs.resetPending(env.id);
    await this.jobs.ensureReset(env.id, principal.userId);
    if (pending) return toEnvironmentView(env);
    await this.record(principal, 'environment.reset', env);
    const noted =
      env.state === 'ready'
        ? await this.transitions.note(env.id, 'ready', { progressStep: 'reset-queued' })
        : null;
    return toEnvironmentView(noted ?? env);
  }

  private reload(id: string): Promise<Environment> {
    return this.prisma.environment.findUniqueOrThrow({ where: { id } });
  }

  private record(principal: Principal, action: string, env: Environment): Promise<void> {
    return this.audit.record(principal, {
      action,
      targetType: 'environment',
      targetId: env.id,
      cohortId: env.cohortId,
    });
  }
}

function notReady(env: Environment, what: string): DomainError {
  return DomainError.conflict(
    'environment_not_ready',
    `the environment is ${env.state}${env.progressStep ? ` (${env.progressStep})` : ''}; it can be ${what} once it is ready`,
  );
}
