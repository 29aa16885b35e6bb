import { AuditTrail, type UserPrincipal } from '@kubecohort/auth';
import { Clock } from '@kubecohort/config';
import {
  DomainError,
  type FieldProblem,
  type TaskProgressView,
  type TaskStatus,
} from '@kubecohort/contracts';
import { Prisma, PrismaService, prismaSql, type Sql, statement, uuidv7 } from '@kubecohort/database';
import { type Emit, Transactions } from '@kubecohort/realtime';
import { Injectable } from '@nestjs/common';
import { CohortScope } from './cohort-scope.repository.js';
import { CurriculumCatalog, type VersionCatalog } from './curriculum.catalog.js';
import {
  advanceStep,
  applyAttempt,
  ATTEMPT_OUTCOMES,
  type AttemptOutcome,
  isStepUnlocked,
  STUCK_AFTER_FAILURES,
  type StoredProgress,
  WHOLE_TASK_CHECK,
} from './progress.rules.js';
import { progressView } from './progress.views.js';

/** One graded attempt, as the grading pipeline reports it. */
export interface AttemptInput {
  cohortId: string;
  userId: string;
  /** The task's slug. */
  taskId: string;
  submissionId: string;
  outcome: AttemptOutcome;
  points: number;
  maxPoints: number;
  /** Ids of the checks that failed, in the grader's check order. */
  failedCheckIds: string[];
}

export interface AttemptResult {
  taskId: string;
  status: TaskStatus;
  attempts: number;
  /** Best attempt's points. */
  points: number;
  maxPoints: number;
  failStreak: number;
  failStreakCheck: string | null;
  /** This attempt made the student stuck (a `student.stuck` event was written). */
  becameStuck: boolean;
  /** The student's current step after the attempt (it advances when a step gets done). */
  currentStep: number;
}

/** A caller's transaction to take part in (the grading pipeline's, or `prismaSql(tx)` of Transactions.run). */
export interface TransactionContext {
  sql: Sql;
  emit: Emit;
  /** The student's active enrolment, already locked FOR UPDATE by the caller's transaction. */
  enrollment?: LockedEnrollment;
}

/** Statuses an instructor may set by hand (locked/available are derived, never stored). */
export const OVERRIDE_STATUSES = ['in_progress', 'pending_review', 'passed', 'failed'] as const;
export type OverrideStatus = (typeof OVERRIDE_STATUSES)[number];

export interface OverrideInput {
  status?: OverrideStatus;
  points?: number;
  reason: string;
}

export interface LockedEnrollment {
  id: string;
  currentStep: number;
  versionId: string;
}

/** One row of a student's progress, as an attempt needs it. */
interface ProgressRow extends StoredProgress {
  taskSlug: string;
}

const LOCK_ENROLLMENT = statement(
  'progress_lock_enrollment',
  `SELECT e.id, e.current_step AS "currentStep", c.curriculum_version_id AS "versionId"
   FROM enrollments e JOIN cohorts c ON c.id = e.cohort_id
   WHERE e.cohort_id = $1::uuid AND e.user_id = $2::uuid
     AND e.status::text = ANY($3::text[]) AND c.deleted_at IS NULL
   FOR UPDATE OF e`,
);

/**
 * Every task row of the given enrolments (a few dozen each): the attempted tasks', and all statuses
 * for advancing. One index look-up per enrolment: OFFSET 0 keeps the lateral subquery apart, so the
 * plan (generic, cached per connection) cannot turn into a scan of the whole table when it was made
 * while the table was small or before statistics existed.
 */
const ENROLLMENTS_PROGRESS = statement(
  'progress_of_enrollments',
  `SELECT k.id::text AS "enrollmentId", p.task_slug AS "taskSlug", p.status::text AS status, p.attempts, p.points,
          p.fail_streak AS "failStreak", p.fail_streak_check AS "failStreakCheck", p.started_at AS "startedAt",
          p.completed_at AS "completedAt"
   FROM unnest($1::uuid[]) AS k(id)
   CROSS JOIN LATERAL (SELECT * FROM task_progress t WHERE t.enrollment_id = k.id OFFSET 0) AS p`,
);

/**
 * The attempts' progress rows (created or updated; one per enrolment and task) and the current
 * step of each enrolment whose step moved. $1: rows, $2: steps (jsonb arrays), $3: the ids of $2's
 * enrolments (so the planner, which cannot count $2's rows, looks them up by primary key).
 */
const WRITE_ATTEMPTS = statement(
  'progress_write_attempts',
  `WITH p AS (
     INSERT INTO task_progress (id, cohort_id, enrollment_id, user_id, task_slug, status, attempts, points, max_points,
                                fail_streak, fail_streak_check, last_submission_id, started_at, completed_at, updated_at)
     SELECT r.id, r.cohort_id, r.enrollment_id, r.user_id, r.task_slug, r.status::"TaskStatus", r.attempts, r.points,
            r.max_points, r.fail_streak, r.fail_streak_check, r.last_submission_id, r.started_at, r.completed_at,
            r.updated_at
     FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, cohort_id uuid, enrollment_id uuid, user_id uuid, task_slug text,
            status text, attempts int, points int, max_points int, fail_streak int, fail_streak_check text,
            last_submission_id uuid, started_at timestamptz, completed_at timestamptz, updated_at timestamptz)
     ON CONFLICT (enrollment_id, task_slug) DO UPDATE
     SET status = EXCLUDED.status, attempts = EXCLUDED.attempts, points = EXCLUDED.points,
         max_points = EXCLUDED.max_points, fail_streak = EXCLUDED.fail_streak,
         fail_streak_check = EXCLUDED.fail_streak_check, last_submission_id = EXCLUDED.last_submission_id,
         started_at = EXCLUDED.started_at, completed_at = EXCLUDED.completed_at, updated_at = EXCLUDED.updated_at
     RETURNING id
   ), s AS (
     UPDATE enrollments e SET current_step = m.step, step_started_at = m.at
     FROM jsonb_to_recordset($2::jsonb) AS m(id uuid, step int, at timestamptz)
     WHERE e.id = ANY($3::uuid[]) AND e.id = m.id AND e.current_step <> m.step
     RETURNING e.id
   )
   SELECT (SELECT count(*) FROM p)::int AS progress, (SELECT count(*) FROM s)::int AS advanced`,
);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Every write to task progress: graded attempts, instructor overrides and students starting a task.
 * Each runs in one transaction with its events (progress.updated, student.stuck); the event also
 * bumps the cohort's event counter, which is the version the progress matrix cache is keyed by, so
 * no write can leave a stale matrix page behind. Writes of one student serialise on their
 * enrolment row (locked first), which keeps step advancement consistent.
 */
@Injectable()
export class ProgressRecorder {
  constructor(
    private readonly prisma: PrismaService,
    private readonly transactions: Transactions,
    private readonly catalog: CurriculumCatalog,
    private readonly scope: CohortScope,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  /**
   * Records one graded attempt. Pass `context` to run inside the caller's transaction (its events
   * then publish when the caller's Transactions.run commits); without it, runs its own.
   */
  async recordAttempt(input: AttemptInput, context?: TransactionContext): Promise<AttemptResult> {
    validateAttempt(input);
    if (!context) {
      return this.transactions.run((tx, emit) => this.recordAttempt(input, { sql: prismaSql(tx), emit }));
    }
    const enrollment =
      context.enrollment ?? (await lockEnrollment(context.sql, input.cohortId, input.userId, ['active']));
    if (!enrollment) throw DomainError.notFound('active enrolment of this student in this cohort');
    const [result] = await this.recordAttempts([{ input, enrollment }], context);
    if (result instanceof DomainError) throw result;
    return result!;
  }

  /**
   * Records graded attempts of several students at once, inside the caller's transaction, each on
   * its enrolment (already locked FOR UPDATE by that transaction): one statement reads their
   * progress, one writes it, whatever the number of attempts. That is what lets the grading
   * pipeline write a batch of gradings in a handful of statements. Attempts of one enrolment apply
   * in the order given. An attempt whose task is not in its cohort's curriculum writes nothing and
   * gets a not_found error in its place; the others are recorded.
   */
  async recordAttempts(
    attempts: readonly { input: AttemptInput; enrollment: LockedEnrollment }[],
    context: Pick<TransactionContext, 'sql' | 'emit'>,
  ): Promise<(AttemptResult | DomainError)[]> {
    const { sql, emit } = context;
    for (const { input } of attempts) validateAttempt(input);
    if (attempts.length === 0) return [];
    const now = this.clock.now();
    // On the transaction's connection if one has to be loaded (see CurriculumCatalog.get).
    const catalogs = new Map<string, VersionCatalog>();
    for (const { enrollment } of attempts) {
      if (!catalogs.has(enrollment.versionId))
        catalogs.set(enrollment.versionId, await this.catalog.get(enrollment.versionId, sql));
    }

    // Read after the enrolment locks (a later statement, so a fresh snapshot): no other write of
    // these students' progress can be in flight.
    const enrollmentIds = [...new Set(attempts.map(({ enrollment }) => enrollment.id))];
    const rows = await sql.query<ProgressRow & { enrollmentId: string }>(ENROLLMENTS_PROGRESS, [
      enrollmentIds,
    ]);
    const progress = new Map<string, Map<string, StoredProgress>>(enrollmentIds.map((id) => [id, new Map()]));
    for (const row of rows) progress.get(row.enrollmentId)!.set(row.taskSlug, row);
    const initialSteps = new Map(attempts.map(({ enrollment }) => [enrollment.id, enrollment.currentStep]));
    /** Each enrolment's current step as the attempts move it. */
    const steps = new Map(initialSteps);

    const writes = new Map<string, Record<string, unknown>>();
    const results: (AttemptResult | DomainError)[] = [];
    for (const { input, enrollment } of attempts) {
      const catalog = catalogs.get(enrollment.versionId)!;
      const task = catalog.taskById.get(input.taskId);
      if (!task) {
        results.push(DomainError.notFound(`task ${input.taskId} of this cohort's curriculum`));
        continue;
      }
      const tasks = progress.get(enrollment.id)!;
      const next = applyAttempt(tasks.get(task.id) ?? null, input, now);
      tasks.set(task.id, next);
      const step = steps.get(enrollment.id)!;
      const currentStep =
        next.status === 'passed' ? advanceStep(step, catalog.steps, (id) => tasks.get(id)?.status) : step;
      steps.set(enrollment.id, currentStep);
      writes.set(`${enrollment.id}:${task.id}`, {
        id: uuidv7(now.getTime()),
        cohort_id: input.cohortId,
        enrollment_id: enrollment.id,
        user_id: input.userId,
        task_slug: task.id,
        status: next.status,
        attempts: next.attempts,
        points: next.points,
        max_points: next.maxPoints,
        fail_streak: next.failStreak,
        fail_streak_check: next.failStreakCheck,
        last_submission_id: input.submissionId,
        started_at: next.startedAt,
        completed_at: next.completedAt,
        updated_at: now,
      });
      await emit(
        input.cohortId,
        'progress.updated',
        {
          userId: input.userId,
          taskId: task.id,
          status: next.status,
          attempts: next.attempts,
          points: next.points,
          maxPoints: next.maxPoints,
          reason: 'attempt',
        },
        { subjectUserId: input.userId },
      );
      if (next.becameStuck) {
        const check =
          next.failStreakCheck === WHOLE_TASK_CHECK ? 'the task' : `check "${next.failStreakCheck}"`;
        await emit(
          input.cohortId,
          'student.stuck',
          {
            userId: input.userId,
            taskId: task.id,
            step: task.step,
            reasons: [`${check} of task ${task.id} failed ${STUCK_AFTER_FAILURES} times in a row`],
          },
          { subjectUserId: input.userId },
        );
      }
      results.push({
        taskId: task.id,
        status: next.status,
        attempts: next.attempts,
        points: next.points,
        maxPoints: next.maxPoints,
        failStreak: next.failStreak,
        failStreakCheck: next.failStreakCheck,
        becameStuck: next.becameStuck,
        currentStep,
      });
    }
    if (writes.size > 0) {
      const moved = [...steps]
        .filter(([id, step]) => step !== initialSteps.get(id))
        .map(([id, step]) => ({ id, step, at: now }));
      await sql.query(WRITE_ATTEMPTS, [
        JSON.stringify([...writes.values()]),
        JSON.stringify(moved),
        moved.map(({ id }) => id),
      ]);
    }
    return results;
  }

  /** Locks the student's active enrolment in the cohort for the rest of `sql`'s transaction; null when there is none. */
  lockActiveEnrollment(sql: Sql, cohortId: string, userId: string): Promise<LockedEnrollment | null> {
    return lockEnrollment(sql, cohortId, userId, ['active']);
  }

  /** An instructor sets a student's status and/or points on a task, with a reason (audited). */
  async override(
    principal: UserPrincipal,
    cohortId: string,
    userId: string,
    taskId: string,
    change: OverrideInput,
  ): Promise<TaskProgressView> {
    const cohort = await this.scope.staffed(principal, cohortId);
    const catalog = await this.catalog.get(cohort.curriculumVersionId);
    const task = catalog.taskById.get(taskId);
    if (!task) throw DomainError.notFound(`task ${taskId} of this cohort's curriculum`);
    const problems: FieldProblem[] = [];
    if (change.status === undefined && change.points === undefined) {
      problems.push({ field: 'status', problem: 'or points must be given' });
    }
    if (
      change.points !== undefined &&
      (!Number.isInteger(change.points) || change.points < 0 || change.points > task.maxPoints)
    ) {
      problems.push({
        field: 'points',
        problem: `must be an integer from 0 to ${task.maxPoints} (the task's maximum)`,
      });
    }
    if (problems.length > 0) throw DomainError.invalid('invalid override', problems);

    return this.transactions.run(async (tx, emit) => {
      const now = this.clock.now();
      const enrollment = await lockEnrollment(prismaSql(tx), cohortId, userId, ['active', 'completed']);
      if (!enrollment) throw DomainError.notFound('student in this cohort');
      const key = { enrollmentId_taskSlug: { enrollmentId: enrollment.id, taskSlug: task.id } };
      const existing = await tx.taskProgress.findUnique({ where: key });
      if (!existing && change.status === undefined) {
        throw DomainError.invalid('the student has not started this task: give a status', [
          { field: 'status', problem: 'is required when the student has no progress on the task' },
        ]);
      }
      const status = change.status ?? existing!.status;
      const points = change.points ?? existing?.points ?? 0;
      const wasPassed = existing?.status === 'passed';
      const data = {
        status,
        points,
        overrideReason: change.reason,
        overriddenById: principal.userId,
        startedAt: existing?.startedAt ?? now,
        completedAt: status === 'passed' ? (wasPassed ? existing.completedAt : now) : null,
        // A pass ends a fail streak, whoever decided it.
        ...(status === 'passed' ? { failStreak: 0, failStreakCheck: null } : {}),
      };
      const row = existing
        ? await tx.taskProgress.update({ where: key, data })
        : await tx.taskProgress.create({
            data: {
              ...data,
              cohortId,
              enrollmentId: enrollment.id,
              userId,
              taskSlug: task.id,
              maxPoints: task.maxPoints,
            },
          });
      await this.audit.record(
        principal,
        {
          action: 'progress.override',
          targetType: 'task_progress',
          targetId: row.id,
          cohortId,
          metadata: {
            userId,
            taskId: task.id,
            from: existing ? { status: existing.status, points: existing.points } : null,
            to: { status, points },
            reason: change.reason,
          },
        },
        tx,
      );
      await emit(
        cohortId,
        'progress.updated',
        {
          userId,
          taskId: task.id,
          status,
          attempts: row.attempts,
          points,
          maxPoints: row.maxPoints,
          reason: 'override',
        },
        { subjectUserId: userId },
      );
      if (status === 'passed') await this.advance(tx, enrollment, catalog, now);
      return progressView(task, row, true);
    });
  }

  /**
   * A student starts a task: in_progress from then on. Idempotent — a task already started (or
   * graded) is left as it is. 409 `step_locked` when the task's step is locked for the cohort.
   */
  async start(principal: UserPrincipal, taskId: string): Promise<TaskProgressView> {
    const enrollment = await this.scope.activeEnrollment(principal.userId);
    const catalog = await this.catalog.get(enrollment.curriculumVersionId);
    const task = catalog.taskById.get(taskId);
    if (!task) throw DomainError.notFound(`task ${taskId} of your cohort's curriculum`);
    const schedules = await this.scope.schedules(enrollment.cohortId);
    const schedule = schedules.get(task.step);
    const now = this.clock.now();
    if (!isStepUnlocked(schedule, now)) {
      const step = catalog.stepByNumber.get(task.step);
      const when =
        schedule?.unlocksAt && schedule.unlocksAt > now
          ? `; it unlocks at ${schedule.unlocksAt.toISOString()}`
          : '';
      throw new DomainError(
        'conflict',
        'step_locked',
        `step ${task.step} "${step?.title ?? ''}" is locked for your cohort${when}: task ${task.id} cannot be started yet`,
        [{ field: 'taskId', problem: `belongs to locked step ${task.step}` }],
      );
    }
    return this.transactions.run(async (tx, emit) => {
      const created = await tx.taskProgress.createMany({
        data: [
          {
            cohortId: enrollment.cohortId,
            enrollmentId: enrollment.id,
            userId: principal.userId,
            taskSlug: task.id,
            status: 'in_progress',
            maxPoints: task.maxPoints,
            startedAt: now,
          },
        ],
        skipDuplicates: true,
      });
      const row = await tx.taskProgress.findUniqueOrThrow({
        where: { enrollmentId_taskSlug: { enrollmentId: enrollment.id, taskSlug: task.id } },
      });
      if (created.count === 1) {
        await emit(
          enrollment.cohortId,
          'progress.updated',
          {
            userId: principal.userId,
            taskId: task.id,
            status: row.status,
            attempts: 0,
            points: 0,
            maxPoints: row.maxPoints,
            reason: 'start',
          },
          { subjectUserId: principal.userId },
        );
      }
      return progressView(task, row, true);
    });
  }

  /** Moves the student forward over every step that is now done (see advanceStep). */
  private async advance(
    tx: Prisma.TransactionClient,
    enrollment: LockedEnrollment,
    catalog: VersionCatalog,
    now: Date,
  ): Promise<number> {
    const rows = await tx.taskProgress.findMany({
      where: { enrollmentId: enrollment.id },
      select: { taskSlug: true, status: true },
    });
    const statuses = new Map(rows.map((row) => [row.taskSlug, row.status]));
    const next = advanceStep(enrollment.currentStep, catalog.steps, (id) => statuses.get(id));
    if (next !== enrollment.currentStep) {
      await tx.enrollment.update({
        where: { id: enrollment.id },
        data: { currentStep: next, stepStartedAt: now },
      });
    }
    return next;
  }
}

/** Locks the student's enrolment row for the rest of the transaction; null when absent. */
async function lockEnrollment(
  sql: Sql,
  cohortId: string,
  userId: string,
  statuses: ('active' | 'completed')[],
): Promise<LockedEnrollment | null> {
  const [row] = await sql.query<LockedEnrollment>(LOCK_ENROLLMENT, [cohortId, userId, statuses]);
  return row ?? null;
}

function validateAttempt(input: AttemptInput): void {
  const problems: FieldProblem[] = [];
  for (const field of ['cohortId', 'userId', 'submissionId'] as const) {
    if (typeof input[field] !== 'string' || !UUID.test(input[field]))
      problems.push({ field, problem: 'must be a UUID' });
  }
  if (typeof input.taskId !== 'string' || input.taskId.length === 0)
    problems.push({ field: 'taskId', problem: 'must be a task id' });
  if (!ATTEMPT_OUTCOMES.includes(input.outcome))
    problems.push({ field: 'outcome', problem: `must be one of ${ATTEMPT_OUTCOMES.join(', ')}` });
  if (!Number.isInteger(input.maxPoints) || input.maxPoints < 0)
    problems.push({ field: 'maxPoints', problem: 'must be a non-negative integer' });
  if (!Number.isInteger(input.points) || input.points < 0 || input.points > input.maxPoints) {
    problems.push({ field: 'points', problem: 'must be an integer from 0 to maxPoints' });
  }
  if (
    !Array.isArray(input.failedCheckIds) ||
    input.failedCheckIds.some((id) => typeof id !== 'string' || id.length === 0)
  ) {
    problems.push({ field: 'failedCheckIds', problem: 'must be a list of check ids' });
  }
  if (problems.length > 0) throw DomainError.invalid('invalid attempt', problems);
}
