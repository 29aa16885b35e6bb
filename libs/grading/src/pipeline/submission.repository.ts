import type { EventPayloads } from '@kubecohort/contracts';
import { Prisma, PrismaService, type Sql, SqlClient, statement, uuidv7 } from '@kubecohort/database';
import type { JobPayloads } from '@kubecohort/queue';
import type { StoredEvent } from '@kubecohort/realtime';
import { Injectable } from '@nestjs/common';
import type { CheckResult } from '../runtime/grading-result.types.js';
import type { SubmitterEnvironment } from './environment-wake-up.port.js';
import type { EnvironmentRecord } from './grading-targets.port.js';
import { GRADE_SUBMISSION_JOB } from './submission.rules.js';

/** PostgreSQL channel the outbox relay LISTENs on (see OutboxSignal). */
export const OUTBOX_CHANNEL = 'kc_outbox';

/** What POST /submissions needs to know about the student and the task, read in one query. */
export interface SubmitContext {
  enrollmentId: string;
  cohortId: string;
  versionId: string;
  /** Null when the task is not in the cohort's curriculum version. */
  stepNumber: number | null;
  /** The cohort's schedule row for the task's step (null: no row, i.e. locked). */
  locked: boolean | null;
  unlocksAt: Date | null;
  /** The host cluster of the student's environment (null: none), for the grading job. */
  hostClusterId: string | null;
  /** The student's environment (null: none), for waking it. */
  environment: SubmitterEnvironment | null;
}

export interface NewSubmission {
  id: string;
  cohortId: string;
  userId: string;
  enrollmentId: string;
  taskSlug: string;
  answer: unknown;
  graderId: string | null;
  maxScore: number;
  /** Goes into the job payload: whether the per-host-cluster limit applies, and on which cluster. */
  environment: boolean;
  hostClusterId: string | null;
}

export type GradingJobPayload = JobPayloads[typeof GRADE_SUBMISSION_JOB];

/** A submission as the grader claimed it: the attempt number guards the final write. */
export interface ClaimedSubmission {
  id: string;
  cohortId: string;
  userId: string;
  taskSlug: string;
  versionId: string;
  answer: unknown;
  attempt: number;
}

/** A claim for a grading in the student's environment: the environment is read in the same statement. */
export interface ClaimedInEnvironment extends ClaimedSubmission {
  /** The student's live environment (null: none). */
  environment: EnvironmentRecord | null;
}

/** The student's active enrolment, locked by `finish` for the rest of its transaction. */
export interface LockedEnrollment {
  id: string;
  currentStep: number;
  versionId: string;
}

export interface FinishedGrading {
  status: 'passed' | 'failed' | 'pending_review' | 'error';
  score: number | null;
  maxScore: number | null;
  graderId: string | null;
  error: string | null;
  checks: CheckResult[];
}

/** Active (queued or running) submissions whose queue job may have been lost. */
export interface StaleSubmission {
  id: string;
  userId: string;
  cohortId: string;
  taskSlug: string;
  versionId: string;
  /** How many times the outbox row was handed to the queue (0 if it has no row). */
  deliveries: number;
}

export function activeKey(userId: string, taskSlug: string): string {
  return `${userId}:${taskSlug}`;
}

const SUBMIT_CONTEXT = statement(
  'grading_submit_context',
  `SELECT e.id AS "enrollmentId", e.cohort_id AS "cohortId", c.curriculum_version_id AS "versionId",
          st.number AS "stepNumber", cs.locked, cs.unlocks_at AS "unlocksAt",
          env.host_cluster_id AS "hostClusterId", env.id::text AS "environmentId",
          env.state::text AS "environmentState", env.cohort_id::text AS "environmentCohortId"
   FROM enrollments e
   JOIN cohorts c ON c.id = e.cohort_id AND c.deleted_at IS NULL
   LEFT JOIN curriculum_tasks t ON t.version_id = c.curriculum_version_id AND t.slug = $2::text
   LEFT JOIN curriculum_steps st ON st.id = t.step_id
   LEFT JOIN cohort_steps cs ON cs.cohort_id = e.cohort_id AND cs.step_number = st.number
   LEFT JOIN environments env ON env.active_user_id = $1::uuid
   WHERE e.active_user_id = $1::uuid AND e.status = 'active'`,
);

/**
 * The submission, its outbox row and `submission.queued` (the cohort's event counter bumped, as
 * EventLog does). Lock order: the enrolment row (key share, in `l`) before the event counter (in
 * `c`), as in every writer here; the foreign-key checks would otherwise take it only at the end of
 * the statement, after the counter, and could deadlock with a grading of the same student.
 */
const INSERT_QUEUED = statement(
  'grading_insert_queued',
  `WITH l AS (
     SELECT id FROM enrollments WHERE id = $1::uuid FOR KEY SHARE
   ), s AS (
     INSERT INTO submissions (id, cohort_id, user_id, enrollment_id, task_slug, active_key, status, answer, grader_id, max_score)
     SELECT $2::uuid, $3::uuid, $4::uuid, l.id, $5::text, $6::text, 'queued', $7::jsonb, $8::text, $9::int
     FROM l
     ON CONFLICT (active_key) DO NOTHING
     RETURNING id, created_at
   ), o AS (
     INSERT INTO outbox_messages (topic, key, payload)
     SELECT $10::text, s.id::text, $11::jsonb FROM s
     RETURNING id
   ), c AS (
     INSERT INTO cohort_event_counters (cohort_id, last_id)
     SELECT $3::uuid, 1 FROM s
     ON CONFLICT (cohort_id) DO UPDATE SET last_id = cohort_event_counters.last_id + 1
     RETURNING last_id
   ), e AS (
     INSERT INTO events (cohort_id, id, type, subject_user_id, payload)
     SELECT $3::uuid, c.last_id, 'submission.queued', $4::uuid, $12::jsonb
     FROM c
     RETURNING id, at
   )
   SELECT s.created_at AS "createdAt", e.id::text AS "eventId", e.at AS "eventAt" FROM s, e`,
);

/**
 * The claim commits without waiting for the WAL flush (set_config(..., true) holds for the
 * statement's own transaction): the result write that follows is durable and its flush covers the
 * claim. A PostgreSQL crash in between loses only the claim: the grading's write then finds no
 * claim of its attempt and is dropped, and the reconciler hands the submission to the queue again.
 */
const CLAIM_SET = `
   SET status = 'running', attempts = s.attempts + 1, started_at = COALESCE(s.started_at, now())
   FROM cohorts c, (SELECT set_config('synchronous_commit', 'off', true)) AS not_durable
   WHERE s.id = $1::uuid AND s.status IN ('queued', 'running') AND c.id = s.cohort_id
   RETURNING s.id, s.cohort_id AS "cohortId", s.user_id AS "userId", s.task_slug AS "taskSlug",
             c.curriculum_version_id AS "versionId", s.answer, s.attempts AS attempt`;

const CLAIM = statement('grading_claim_v2', `UPDATE submissions s ${CLAIM_SET}`);

/** CLAIM, and the student's environment (one per student, by active_user_id) in the same round trip. */
const CLAIM_IN_ENVIRONMENT = statement(
  'grading_claim_in_environment',
  `UPDATE submissions s ${CLAIM_SET},
     (SELECT json_build_object(
        'id', env.id, 'cohortId', env.cohort_id, 'userId', env.user_id, 'hostClusterId', env.host_cluster_id,
        'state', env.state, 'namespace', env.namespace, 'workbenchNamespace', env.workbench_namespace,
        'vclusterName', env.vcluster_name, 'serverUrl', env.server_url,
        'kubeconfigEncrypted', env.kubeconfig_encrypted)
      FROM environments env WHERE env.active_user_id = s.user_id) AS environment`,
);

const HOST_CLUSTER_OF = statement(
  'grading_host_cluster_of',
  `SELECT host_cluster_id AS "hostClusterId" FROM environments WHERE active_user_id = $1::uuid`,
);

/**
 * The results of a batch of gradings ($1), their checks ($2), and a lock on each student's active
 * enrolment (returned: the progress write that follows in the same transaction needs it), each
 * result guarded by its claim (status running, same attempt). Enrolments are locked in (cohort,
 * student) order, so two batches over the same students cannot deadlock.
 *
 * $3 (the submission ids) and $4 (the students) repeat keys of $1 as arrays: the planner cannot
 * see how many rows jsonb_to_recordset yields (it assumes 100), and joined to it, it scanned every
 * running submission and every active enrolment of the cohort; `= ANY(array)` on their unique
 * indexes does not depend on statistics. A student's active enrolment in another cohort (moved
 * since submitting) is locked too but matches no grading: that grading records no progress.
 */
const FINISH = statement(
  'grading_finish_batch',
  `WITH g AS (
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS g(id uuid, status text, score int, max_score int, grader_id text,
            error text, finished_at timestamptz, attempt int, cohort_id uuid, user_id uuid)
   ), u AS (
     UPDATE submissions s
     SET status = g.status::"SubmissionStatus", score = g.score, max_score = g.max_score,
         grader_id = COALESCE(g.grader_id, s.grader_id), error = g.error,
         finished_at = g.finished_at, active_key = NULL
     FROM g
     WHERE s.id = ANY($3::uuid[]) AND s.id = g.id AND s.status = 'running' AND s.attempts = g.attempt
     RETURNING s.id
   ), ch AS (
     INSERT INTO check_results (id, submission_id, position, check_id, title, passed, skipped, points, max_points,
                                message, hint, evidence, duration_ms)
     SELECT c.id, c.submission_id, c.position, c.check_id, c.title, c.passed, c.skipped, c.points, c.max_points,
            c.message, c.hint, c.evidence, c.duration_ms
     FROM jsonb_to_recordset($2::jsonb) AS c(id uuid, submission_id uuid, position int, check_id text, title text,
            passed boolean, skipped boolean, points int, max_points int, message text, hint text, evidence jsonb,
            duration_ms int)
     JOIN u ON u.id = c.submission_id
     RETURNING id
   ), l AS MATERIALIZED (
     SELECT e.id, e.cohort_id, e.user_id, e.current_step, co.curriculum_version_id
     FROM enrollments e JOIN cohorts co ON co.id = e.cohort_id
     WHERE e.active_user_id = ANY($4::uuid[]) AND e.status = 'active' AND co.deleted_at IS NULL
     ORDER BY e.cohort_id, e.user_id
     FOR UPDATE OF e
   )
   SELECT g.id::text AS id, EXISTS (SELECT 1 FROM u WHERE u.id = g.id) AS written, l.id::text AS "enrollmentId",
          l.current_step AS "currentStep", l.curriculum_version_id::text AS "versionId"
   FROM g LEFT JOIN l ON l.cohort_id = g.cohort_id AND l.user_id = g.user_id`,
);

const ACTIVE_ID = statement('grading_active_id', `SELECT id FROM submissions WHERE active_key = $1::text`);

const ABANDON = statement(
  'grading_abandon',
  `UPDATE submissions SET status = 'error', error = $2::text, score = NULL, finished_at = now(), active_key = NULL
   WHERE id = $1::uuid AND status IN ('queued', 'running')
   RETURNING id`,
);

/**
 * The pipeline's SQL, as named statements (planned once per connection; see SqlClient). The write
 * path is a handful of short statements: the submission with its outbox row and event in one; the
 * claim in one; the final write guarded by status and attempt.
 */
@Injectable()
export class SubmissionRepository {
  constructor(
    private readonly prisma: PrismaService,
    private readonly sql: SqlClient,
  ) {}

  /** The student's active enrolment, the task's step, that step's schedule and their environment, in one query. */
  async submitContext(userId: string, taskSlug: string): Promise<SubmitContext | null> {
    const [row] = await this.sql.query<
      Omit<SubmitContext, 'environment'> & {
        environmentId: string | null;
        environmentState: SubmitterEnvironment['state'] | null;
        environmentCohortId: string | null;
      }
    >(SUBMIT_CONTEXT, [userId, taskSlug]);
    if (!row) return null;
    const { environmentId, environmentState, environmentCohortId, ...context } = row;
    return {
      ...context,
      environment:
        environmentId && environmentState
          ? { id: environmentId, state: environmentState, cohortId: environmentCohortId }
          : null,
    };
  }

  /**
   * Accepts a submission in ONE statement (its own transaction): the submission row, its outbox
   * row (the grading job to be) and the `submission.queued` event. Returns the stored event to
   * publish, or null when the student already has one queued or running for the task. The caller
   * wakes the relay after the commit (OutboxSignal).
   */
  async insertQueued(
    row: NewSubmission,
  ): Promise<{ createdAt: Date; event: StoredEvent<'submission.queued'> } | null> {
    const answer = row.answer === null || row.answer === undefined ? null : JSON.stringify(row.answer);
    const job: GradingJobPayload = {
      submissionId: row.id,
      userId: row.userId,
      cohortId: row.cohortId,
      taskId: row.taskSlug,
      environment: row.environment,
      ...(row.environment ? { hostClusterId: row.hostClusterId } : {}),
    };
    const event: EventPayloads['submission.queued'] = {
      submissionId: row.id,
      userId: row.userId,
      taskId: row.taskSlug,
    };
    const [first] = await this.sql.query<{ createdAt: Date; eventId: string; eventAt: Date }>(INSERT_QUEUED, [
      row.enrollmentId,
      row.id,
      row.cohortId,
      row.userId,
      row.taskSlug,
      activeKey(row.userId, row.taskSlug),
      answer,
      row.graderId,
      row.maxScore,
      GRADE_SUBMISSION_JOB,
      JSON.stringify(job),
      JSON.stringify(event),
    ]);
    if (!first) return null;
    return {
      createdAt: first.createdAt,
      event: {
        id: first.eventId,
        type: 'submission.queued',
        cohortId: row.cohortId,
        at: first.eventAt.toISOString(),
        payload: event,
        subjectUserId: row.userId,
      },
    };
  }

  /** The queued or running submission holding the student's active key for the task, if any. */
  async activeId(userId: string, taskSlug: string): Promise<string | null> {
    const [row] = await this.sql.query<{ id: string }>(ACTIVE_ID, [activeKey(userId, taskSlug)]);
    return row?.id ?? null;
  }

  /**
   * Takes a queued or running submission for one grading attempt (running again when a retry or
   * a redelivered job claims it). Null when it is finished (or gone): the job is then a no-op.
   */
  async claim(id: string): Promise<ClaimedSubmission | null> {
    const [row] = await this.sql.query<ClaimedSubmission>(CLAIM, [id]);
    return row ?? null;
  }

  /** `claim`, with the student's environment as it is now (null when they have none). */
  async claimInEnvironment(id: string): Promise<ClaimedInEnvironment | null> {
    const [row] = await this.sql.query<ClaimedInEnvironment>(CLAIM_IN_ENVIRONMENT, [id]);
    return row ?? null;
  }

  /** The host cluster of the student's environment; null when they have none (or it has none yet). */
  async hostClusterOf(userId: string): Promise<string | null> {
    const [row] = await this.sql.query<{ hostClusterId: string | null }>(HOST_CLUSTER_OF, [userId]);
    return row?.hostClusterId ?? null;
  }

  /**
   * The final write of a batch of gradings, in the caller's transaction, in one statement: the
   * results, their checks, and a lock on each student's active enrolment (taken before anything
   * else that transaction locks; see SubmissionResults). Only the attempt that holds the claim
   * (status running, same attempt number) may write, so a redelivered or stale job cannot write a
   * second result: `written` false means this attempt lost. `enrollment` null: the student is no
   * longer actively enrolled (no progress to record). Answers in the order given.
   */
  async finish(
    sql: Sql,
    gradings: readonly {
      submission: { id: string; cohortId: string; userId: string };
      attempt: number;
      result: FinishedGrading;
    }[],
  ): Promise<{ written: boolean; enrollment: LockedEnrollment | null }[]> {
    if (gradings.length === 0) return [];
    const now = new Date();
    const results = gradings.map(({ submission, attempt, result }) => ({
      id: submission.id,
      status: result.status,
      score: result.score,
      max_score: result.maxScore,
      grader_id: result.graderId,
      error: result.error,
      finished_at: result.status === 'pending_review' ? null : now,
      attempt,
      cohort_id: submission.cohortId,
      user_id: submission.userId,
    }));
    const checks = gradings.flatMap(({ submission, result }) =>
      result.checks.map((check, position) => ({
        id: uuidv7(),
        submission_id: submission.id,
        position,
        check_id: check.id,
        title: check.title,
        passed: check.passed,
        skipped: check.skipped,
        points: check.points,
        max_points: check.maxPoints,
        message: check.message,
        hint: check.hint,
        evidence: check.evidence,
        duration_ms: Math.max(0, Math.round(check.durationMs)),
      })),
    );
    const rows = await sql.query<{
      id: string;
      written: boolean;
      enrollmentId: string | null;
      currentStep: number | null;
      versionId: string | null;
    }>(FINISH, [
      JSON.stringify(results),
      JSON.stringify(checks),
      gradings.map(({ submission }) => submission.id),
      gradings.map(({ submission }) => submission.userId),
    ]);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return gradings.map(({ submission }) => {
      const row = byId.get(submission.id);
      const enrollment =
        row?.enrollmentId && row.versionId
          ? { id: row.enrollmentId, currentStep: row.currentStep ?? 1, versionId: row.versionId }
          : null;
      return { written: row?.written ?? false, enrollment };
    });
  }

  /**
   * Gives up on an active submission whose job keeps getting lost (status error). Guarded like
   * `finish`, except that any attempt may be current: only called when no job holds it.
   */
  async abandon(sql: Sql, id: string, message: string): Promise<boolean> {
    return (await sql.query(ABANDON, [id, message])).length > 0;
  }

  /**
   * Active submissions handed to the queue (or created) more than `olderThanMs` ago: candidates
   * whose job may have been lost (Redis restarted empty, a job failed for good). Served by the
   * unique index on active_key, which only queued and running rows fill.
   */
  async stale(olderThanMs: number, limit: number): Promise<StaleSubmission[]> {
    const cutoff = new Date(Date.now() - olderThanMs);
    return this.prisma.$queryRaw<StaleSubmission[]>`
      SELECT s.id, s.user_id AS "userId", s.cohort_id AS "cohortId", s.task_slug AS "taskSlug",
             c.curriculum_version_id AS "versionId",
             COALESCE(o.attempts, 0) AS deliveries
      FROM submissions s
      JOIN cohorts c ON c.id = s.cohort_id
      LEFT JOIN outbox_messages o ON o.topic = ${GRADE_SUBMISSION_JOB} AND o.key = s.id::text
      WHERE s.active_key IS NOT NULL AND s.created_at < ${cutoff}
        AND (o.id IS NULL OR (o.processed_at IS NOT NULL AND o.processed_at < ${cutoff}))
      ORDER BY s.created_at
      LIMIT ${limit}`;
  }

  /**
   * Hands submissions to the relay again: their outbox rows become unprocessed (recreated if
   * pruned) and the relay is woken. The relay re-adds the job under the same id.
   */
  async redrive(jobs: GradingJobPayload[]): Promise<void> {
    if (jobs.length === 0) return;
    const values = jobs.map(
      (job) => Prisma.sql`(${GRADE_SUBMISSION_JOB}, ${job.submissionId}, ${JSON.stringify(job)}::jsonb)`,
    );
    await this.prisma.$transaction([
      this.prisma.$executeRaw`
        INSERT INTO outbox_messages (topic, key, payload) VALUES ${Prisma.join(values)}
        ON CONFLICT (topic, key) DO UPDATE
        SET processed_at = NULL, available_at = now(), last_error = 'redelivered: the queue had lost the job'`,
      this.prisma.$executeRaw`SELECT pg_notify(${OUTBOX_CHANNEL}, '')`,
    ]);
  }
}
