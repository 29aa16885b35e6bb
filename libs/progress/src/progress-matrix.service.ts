import type { Principal } from '@kubecohort/auth';
import { Clock } from '@kubecohort/config';
import {
  decodeCursor,
  DomainError,
  encodeCursor,
  PROGRESS_STATUS_CODES,
  type ProgressMatrixPage,
  type TaskStatus,
} from '@kubecohort/contracts';
import { Prisma, PrismaService } from '@kubecohort/database';
import { Injectable } from '@nestjs/common';
import { CurriculumCatalog } from './curriculum.catalog.js';
import { type CachedPage, type CacheSource, ProgressMatrixCache } from './progress-matrix.cache.js';

export const MATRIX_DEFAULT_LIMIT = 100;
export const MATRIX_MAX_LIMIT = 200;

export interface MatrixRequest {
  limit?: number;
  cursor?: string;
}

interface MatrixHead {
  versionId: string;
  revision: string;
  /** Comma-separated numbers of the steps unlocked now. */
  unlocked: string;
}

interface StudentRow {
  enrollmentId: string;
  userId: string;
  displayName: string;
  currentStep: number;
  enrolledAt: Date;
}

interface CellRow {
  u: string;
  t: string;
  s: TaskStatus;
  a: number;
  p: number;
  at: number;
}

type MatrixCursor = { e: string; i: string };

/**
 * The cohort progress matrix (students × tasks), paginated by student, in the compact wire format
 * of ProgressMatrixPage. A request costs one indexed query (the cohort, scoped to the caller, with
 * its progress version and unlocked steps) and then, on a cache miss only, one query for the page
 * of students and one for their progress rows; the task list comes from the per-version catalog.
 */
@Injectable()
export class ProgressMatrixService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly catalog: CurriculumCatalog,
    private readonly cache: ProgressMatrixCache,
    private readonly clock: Clock,
  ) {}

  async page(
    principal: Principal,
    cohortId: string,
    request: MatrixRequest,
  ): Promise<CachedPage & { source: CacheSource }> {
    const limit = request.limit ?? MATRIX_DEFAULT_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MATRIX_MAX_LIMIT) {
      throw DomainError.invalid('invalid limit', [
        { field: 'limit', problem: `must be an integer from 1 to ${MATRIX_MAX_LIMIT}` },
      ]);
    }
    const cursor = request.cursor ? decodeCursor<MatrixCursor>(request.cursor, ['e', 'i']) : null;
    if (request.cursor && (!cursor || Number.isNaN(Date.parse(cursor.e)) || !UUID.test(cursor.i))) {
      throw DomainError.invalid('invalid cursor', [
        { field: 'cursor', problem: 'is not a cursor this list returned' },
      ]);
    }
    const head = await this.head(principal, cohortId);
    // Everything the page depends on is in the key: the cohort's progress version (bumped by every
    // event, in the writing transaction), the steps unlocked now, and the page's position.
    const key = `${cohortId}:${head.revision}:${head.versionId}:${head.unlocked}:${limit}:${request.cursor ?? ''}`;
    const { page, source } = await this.cache.get(key, () => this.build(cohortId, head, limit, cursor));
    return { ...page, source };
  }

  /**
   * The cohort if the caller is its staff, with its version and unlocked steps, in one round trip.
   * The scope condition is staffedCohorts() written in SQL for this hot path (see staffScopeSql).
   */
  private async head(principal: Principal, cohortId: string): Promise<MatrixHead> {
    const scope = staffScopeSql(principal);
    if (!scope) throw DomainError.notFound('cohort');
    const rows = await this.prisma.$queryRaw<MatrixHead[]>`
      SELECT c.curriculum_version_id::text AS "versionId",
             COALESCE(ec.last_id, 0)::text AS "revision",
             COALESCE((SELECT string_agg(s.step_number::text, ',' ORDER BY s.step_number)
                       FROM cohort_steps s
                       WHERE s.cohort_id = c.id AND (NOT s.locked OR s.unlocks_at <= ${this.clock.now()})), '') AS "unlocked"
      FROM cohorts c
      LEFT JOIN cohort_event_counters ec ON ec.cohort_id = c.id
      WHERE c.id = ${cohortId}::uuid AND c.deleted_at IS NULL AND ${scope}`;
    const head = rows[0];
    if (!head) throw DomainError.notFound('cohort');
    return head;
  }

  private async build(
    cohortId: string,
    head: MatrixHead,
    limit: number,
    cursor: MatrixCursor | null,
  ): Promise<Buffer> {
    const catalog = await this.catalog.get(head.versionId);
    const after = cursor
      ? Prisma.sql`AND (e.enrolled_at, e.id) > (${new Date(cursor.e)}::timestamptz, ${cursor.i}::uuid)`
      : Prisma.empty;
    const students = await this.prisma.$queryRaw<StudentRow[]>`
      SELECT e.id AS "enrollmentId", e.user_id::text AS "userId", u.display_name AS "displayName",
             e.current_step AS "currentStep", e.enrolled_at AS "enrolledAt"
      FROM enrollments e JOIN users u ON u.id = e.user_id
      WHERE e.cohort_id = ${cohortId}::uuid AND e.status IN ('active', 'completed') ${after}
      ORDER BY e.enrolled_at, e.id
      LIMIT ${limit + 1}`;
    const hasMore = students.length > limit;
    if (hasMore) students.length = limit;
    const cells =
      students.length === 0
        ? []
        : await this.prisma.$queryRaw<CellRow[]>`
            SELECT user_id::text AS u, task_slug AS t, status::text AS s, attempts AS a, points AS p,
                   floor(extract(epoch FROM updated_at))::int AS at
            FROM task_progress
            WHERE cohort_id = ${cohortId}::uuid AND user_id IN (${Prisma.join(students.map((student) => Prisma.sql`${student.userId}::uuid`))})`;

    const unlocked = new Set(head.unlocked === '' ? [] : head.unlocked.split(',').map(Number));
    const tasks = catalog.tasks;
    const column = new Map(tasks.map((task, index) => [task.id, index]));
    const row = new Map(students.map((student, index) => [student.userId, index]));
    const derived: string[] = tasks.map((task) =>
      unlocked.has(task.step) ? PROGRESS_STATUS_CODES.available : PROGRESS_STATUS_CODES.locked,
    );
    const codes = students.map(() => [...derived]);
    const attempts = students.map(() => new Array<number>(tasks.length).fill(0));
    const points = students.map(() => new Array<number>(tasks.length).fill(0));
    const updatedAt = students.map(() => new Array<number | null>(tasks.length).fill(null));
    for (const cell of cells) {
      const s = row.get(cell.u);
      const t = column.get(cell.t);
      if (s === undefined || t === undefined) continue; // a task of another version
      codes[s]![t] = PROGRESS_STATUS_CODES[cell.s];
      attempts[s]![t] = cell.a;
      points[s]![t] = cell.p;
      updatedAt[s]![t] = cell.at;
    }
    const last = students.at(-1);
    const page: ProgressMatrixPage = {
      cohortId,
      version: catalog.version,
      revision: head.revision,
      generatedAt: Math.floor(this.clock.now().getTime() / 1000),
      tasks: tasks.map((task) => ({ id: task.id, step: task.step, maxPoints: task.maxPoints })),
      students: students.map((student) => ({
        userId: student.userId,
        displayName: student.displayName,
        currentStep: student.currentStep,
      })),
      cells: codes.map((letters) => letters.join('')),
      attempts,
      points,
      updatedAt,
      nextCursor:
        hasMore && last ? encodeCursor({ e: last.enrolledAt.toISOString(), i: last.enrollmentId }) : null,
    };
    return Buffer.from(JSON.stringify(page));
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * staffedCohorts() (libs/auth) as a SQL condition on `c` (cohorts), for raw hot-path queries:
 * admins and services (routes open to them checked their scope) see every live cohort, instructors
 * the cohorts they teach, students none (null). test/progress-matrix.test.ts checks both agree.
 */
export function staffScopeSql(principal: Principal): Prisma.Sql | null {
  if (principal.kind === 'service') return Prisma.sql`TRUE`;
  switch (principal.role) {
    case 'admin':
      return Prisma.sql`TRUE`;
    case 'instructor':
      return Prisma.sql`EXISTS (SELECT 1 FROM cohort_instructors ci WHERE ci.cohort_id = c.id AND ci.user_id = ${principal.userId}::uuid)`;
    case 'student':
      return null;
  }
}
