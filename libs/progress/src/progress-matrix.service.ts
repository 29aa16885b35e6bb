import type { Principal } from '@kubecohort/auth';
import { Clock } from '@kubecohort/config';
import {
  decodeCursor,
  DomainError,
  encodeCursor,
  type EventType,
  PROGRESS_STATUS_CODES,
  type TaskStatus,
} from '@kubecohort/contracts';
import { Prisma, PrismaService, SqlClient, statement } from '@kubecohort/database';
import { Injectable } from '@nestjs/common';
import { CurriculumCatalog, type VersionCatalog } from './curriculum.catalog.js';
import { FreshReads } from './fresh-reads.js';
import {
  type CachedPage,
  type CacheSource,
  ProgressMatrixCache,
  type Produced,
} from './progress-matrix.cache.js';

export const MATRIX_DEFAULT_LIMIT = 100;
export const MATRIX_MAX_LIMIT = 200;

export interface MatrixRequest {
  limit?: number;
  cursor?: string;
}

interface CellRow {
  u: string;
  t: string | null;
  s: TaskStatus | null;
  a: number | null;
  p: number | null;
  at: number | null;
}

interface MatrixHead {
  versionId: string;
  /** The cohort's event counter: its progress version. */
  revision: string;
  /** Comma-separated numbers of the steps unlocked now. */
  unlocked: string;
}

interface Changes {
  /** Events after the kept page's version, up to the new one (null when none). */
  events: { type: string; userId: string | null }[] | null;
  /** Current rows of the page's students those progress events name (null when none). */
  rows: (CellRow & { step: number })[] | null;
}

type MatrixCursor = { e: string; i: string };

/** One student's row of a page, with its JSON fragments (serialised once, reused by later versions). */
interface StudentRow {
  userId: string;
  displayName: string;
  currentStep: number;
  json: { student: string; cells: string; attempts: string; points: string; updatedAt: string };
}

/** A page as built, kept so the next version of it can be patched instead of rebuilt. */
interface PageState {
  cohortId: string;
  revision: bigint;
  /** When it was last built from scratch (patches keep it): bounds how long patches chain. */
  builtAt: number;
  versionId: string;
  unlocked: string;
  catalog: VersionCatalog;
  tasksJson: string;
  /** Status code of an untouched cell, per task column (from the unlocked steps). */
  derived: string[];
  rows: StudentRow[];
  rowOf: Map<string, number>;
  nextCursor: string | null;
}

/** Events that change no matrix cell. Anything not listed here and not progress.updated rebuilds the page. */
const NO_MATRIX_CHANGE = new Set<EventType>([
  'submission.queued',
  'submission.graded',
  'environment.changed',
  'question.created',
  'question.answered',
  'question.solved',
  'student.stuck',
]);
/** Beyond this many events since the kept version, a rebuild is cheaper than a patch. */
const MAX_PATCH_EVENTS = 500;
/** Rebuild from scratch at least this often (names change without events). */
const REBUILD_AFTER_MS = 60_000;
/** Pages kept for patching, per process. */
const KEPT_PAGES = 128;

/** $1 cohort, $2 now, $3 the instructor who must teach it (null: any staff, see staffScope). */
const HEAD = statement(
  'progress_matrix_head_v1',
  `
  SELECT c.curriculum_version_id::text AS "versionId",
         COALESCE(ec.last_id, 0)::text AS revision,
         COALESCE((SELECT string_agg(s.step_number::text, ',' ORDER BY s.step_number)
                   FROM cohort_steps s
                   WHERE s.cohort_id = c.id AND (NOT s.locked OR s.unlocks_at <= $2)), '') AS unlocked
  FROM cohorts c
  LEFT JOIN cohort_event_counters ec ON ec.cohort_id = c.id
  WHERE c.id = $1::uuid AND c.deleted_at IS NULL
    AND ($3::uuid IS NULL
         OR EXISTS (SELECT 1 FROM cohort_instructors ci WHERE ci.cohort_id = c.id AND ci.user_id = $3::uuid))`,
);

/** $1 cohort, events after $2 up to $3, rows of those of the students $4 that progress events name. */
const CHANGES = statement(
  'progress_matrix_changes_v1',
  `
  WITH changes AS (
    SELECT type, payload->>'userId' AS "userId"
    FROM events
    WHERE cohort_id = $1::uuid AND id > $2::bigint AND id <= $3::bigint
    ORDER BY id
    LIMIT ${MAX_PATCH_EVENTS + 1}
  )
  SELECT (SELECT json_agg(json_build_object('type', type, 'userId', "userId")) FROM changes) AS events,
         (SELECT json_agg(json_build_object('u', e.user_id, 'step', e.current_step, 't', tp.task_slug,
                                            's', tp.status, 'a', tp.attempts, 'p', tp.points,
                                            'at', floor(extract(epoch FROM tp.updated_at))::int))
          FROM enrollments e LEFT JOIN task_progress tp ON tp.enrollment_id = e.id
          WHERE e.cohort_id = $1::uuid AND e.user_id = ANY($4::uuid[])
            AND e.user_id::text IN (SELECT "userId" FROM changes WHERE type = 'progress.updated')) AS rows`,
);

/**
 * The cohort progress matrix (students × tasks), paginated by student, in the compact wire format
 * of ProgressMatrixPage.
 *
 * Every request reads the cohort in one prepared statement — scoped to the caller, with its
 * progress version (the cohort's event counter, bumped by every event in the writing transaction)
 * and its unlocked steps. The page is cached under all of these, serialised, so a hit sends bytes
 * without touching JSON. A new version is patched from the one this process keeps: one statement
 * reads the events in between (committed in id order, so none is missed) and the current rows of
 * the page's students they name. A page is built from scratch (one query for the page of students,
 * one for their progress rows; the tasks from the per-version catalog) only when none is kept, or
 * after a plan, enrolment or cohort event.
 */
@Injectable()
export class ProgressMatrixService {
  private readonly kept = new Map<string, PageState>();
  private readonly heads = new FreshReads<MatrixHead | null>();

  constructor(
    private readonly prisma: PrismaService,
    private readonly sql: SqlClient,
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
    // Everything a page depends on is in its key: its place, the curriculum version, the steps
    // unlocked now (a scheduled unlock passes without an event) and the cohort's progress version.
    const place = `${cohortId}:${limit}:${request.cursor ?? ''}`;
    const key = `${place}:${head.versionId}:${head.unlocked}:${head.revision}`;
    const { page, source } = await this.cache.get(key, (fromRedis) =>
      this.produce(place, cohortId, head, limit, cursor, fromRedis),
    );
    return { ...page, source };
  }

  /**
   * The cohort if the caller is its staff, with its curriculum version, unlocked steps and progress
   * version, in one round trip (a prepared statement). The scope condition is staffedCohorts()
   * written in SQL for this hot path (see staffScope). Requests of one cohort and scope that arrive
   * while such a read runs share the next one, so the database sees at most one at a time.
   */
  private async head(principal: Principal, cohortId: string): Promise<MatrixHead> {
    const scope = staffScope(principal);
    if (scope === false) throw DomainError.notFound('cohort');
    // Concurrent requests share one read that started after they arrived (see FreshReads).
    const head = await this.heads.read(`${cohortId}:${scope.instructorId ?? '*'}`, async () => {
      const rows = await this.sql.query<MatrixHead>(HEAD, [cohortId, this.clock.now(), scope.instructorId]);
      return rows[0] ?? null;
    });
    if (!head) throw DomainError.notFound('cohort');
    return head;
  }

  private async produce(
    place: string,
    cohortId: string,
    head: MatrixHead,
    limit: number,
    cursor: MatrixCursor | null,
    fromRedis: () => Promise<Buffer | null>,
  ): Promise<Produced> {
    const revision = BigInt(head.revision);
    const kept = this.kept.get(place);
    let state =
      kept && Date.now() - kept.builtAt < REBUILD_AFTER_MS ? await this.patch(kept, head, revision) : null;
    let kind: Produced['kind'] = 'patch';
    if (!state) {
      // Another api instance may have built this version already.
      const shared = await fromRedis();
      if (shared) return { body: shared, kind: 'redis' };
      state = await this.build(cohortId, head, revision, limit, cursor);
      kind = 'full';
    }
    const current = this.kept.get(place);
    if (!current || current.revision < state.revision || current.builtAt < state.builtAt) {
      this.kept.delete(place);
      if (this.kept.size >= KEPT_PAGES) this.kept.delete(this.kept.keys().next().value!);
      this.kept.set(place, state);
    }
    return { body: serialise(state, Math.floor(this.clock.now().getTime() / 1000)), kind };
  }

  /**
   * The kept page brought to `revision`, from the events in between (committed in id order, so
   * none is missed) and the current rows of the page's students they name, read in one prepared
   * statement; null when it must be rebuilt (other curriculum version or unlocked steps, plan,
   * enrolment or cohort events, too many events).
   */
  private async patch(kept: PageState, head: MatrixHead, revision: bigint): Promise<PageState | null> {
    if (kept.versionId !== head.versionId || kept.unlocked !== head.unlocked || kept.revision > revision)
      return null;
    if (kept.revision === revision) return kept;
    const [changes] = await this.sql.query<Changes>(CHANGES, [
      kept.cohortId,
      kept.revision.toString(),
      revision.toString(),
      [...kept.rowOf.keys()],
    ]);
    const events = changes?.events ?? [];
    if (events.length > MAX_PATCH_EVENTS) return null;
    const changed = new Set<string>();
    for (const event of events) {
      if (event.type === 'progress.updated') {
        if (event.userId && kept.rowOf.has(event.userId)) changed.add(event.userId);
      } else if (!NO_MATRIX_CHANGE.has(event.type as EventType)) {
        return null;
      }
    }
    const byUser = new Map<string, { step: number; cells: CellRow[] }>();
    for (const cell of changes?.rows ?? []) {
      const entry = byUser.get(cell.u) ?? { step: cell.step, cells: [] };
      if (cell.t !== null) entry.cells.push(cell);
      byUser.set(cell.u, entry);
    }
    const rows = [...kept.rows];
    for (const userId of changed) {
      const entry = byUser.get(userId);
      if (!entry) return null; // the student left the cohort
      const index = kept.rowOf.get(userId)!;
      const old = kept.rows[index]!;
      rows[index] = studentRow(old.userId, old.displayName, entry.step, kept, entry.cells);
    }
    return { ...kept, revision, rows };
  }

  private async build(
    cohortId: string,
    head: MatrixHead,
    revision: bigint,
    limit: number,
    cursor: MatrixCursor | null,
  ): Promise<PageState> {
    const catalog = await this.catalog.get(head.versionId);
    const after = cursor
      ? Prisma.sql`AND (e.enrolled_at, e.id) > (${new Date(cursor.e)}::timestamptz, ${cursor.i}::uuid)`
      : Prisma.empty;
    const students = await this.prisma.$queryRaw<
      { enrollmentId: string; userId: string; displayName: string; currentStep: number; enrolledAt: Date }[]
    >`
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
            WHERE cohort_id = ${cohortId}::uuid
              AND user_id IN (${Prisma.join(students.map((student) => Prisma.sql`${student.userId}::uuid`))})`;
    const unlocked = new Set(head.unlocked === '' ? [] : head.unlocked.split(',').map(Number));
    const last = students.at(-1);
    const state: PageState = {
      cohortId,
      revision,
      builtAt: Date.now(),
      versionId: head.versionId,
      unlocked: head.unlocked,
      catalog,
      tasksJson: JSON.stringify(
        catalog.tasks.map((task) => ({ id: task.id, step: task.step, maxPoints: task.maxPoints })),
      ),
      derived: catalog.tasks.map((task) =>
        unlocked.has(task.step) ? PROGRESS_STATUS_CODES.available : PROGRESS_STATUS_CODES.locked,
      ),
      rows: [],
      rowOf: new Map(students.map((student, index) => [student.userId, index])),
      nextCursor:
        hasMore && last ? encodeCursor({ e: last.enrolledAt.toISOString(), i: last.enrollmentId }) : null,
    };
    const byUser = new Map<string, CellRow[]>(students.map((student) => [student.userId, []]));
    for (const cell of cells) byUser.get(cell.u)?.push(cell);
    state.rows = students.map((student) =>
      studentRow(
        student.userId,
        student.displayName,
        student.currentStep,
        state,
        byUser.get(student.userId)!,
      ),
    );
    return state;
  }
}

function studentRow(
  userId: string,
  displayName: string,
  currentStep: number,
  page: Pick<PageState, 'catalog' | 'derived'>,
  cells: readonly CellRow[],
): StudentRow {
  const width = page.catalog.tasks.length;
  const codes = [...page.derived];
  const attempts = new Array<number>(width).fill(0);
  const points = new Array<number>(width).fill(0);
  const updatedAt = new Array<number | null>(width).fill(null);
  for (const cell of cells) {
    const column = cell.t === null ? undefined : page.catalog.columnOf.get(cell.t);
    if (column === undefined || cell.s === null) continue; // a task of another curriculum version
    codes[column] = PROGRESS_STATUS_CODES[cell.s];
    attempts[column] = cell.a ?? 0;
    points[column] = cell.p ?? 0;
    updatedAt[column] = cell.at;
  }
  return {
    userId,
    displayName,
    currentStep,
    json: {
      student: JSON.stringify({ userId, displayName, currentStep }),
      cells: JSON.stringify(codes.join('')),
      attempts: `[${attempts.join(',')}]`,
      points: `[${points.join(',')}]`,
      updatedAt: `[${updatedAt.map((value) => (value === null ? 'null' : String(value))).join(',')}]`,
    },
  };
}

/** The page as ProgressMatrixPage JSON, assembled from the rows' fragments. */
function serialise(state: PageState, generatedAt: number): Buffer {
  const column = (part: keyof StudentRow['json']) => state.rows.map((row) => row.json[part]).join(',');
  return Buffer.from(
    `{"cohortId":"${state.cohortId}","version":${state.catalog.version},"revision":"${state.revision}",` +
      `"generatedAt":${generatedAt},"tasks":${state.tasksJson},"students":[${column('student')}],` +
      `"cells":[${column('cells')}],"attempts":[${column('attempts')}],"points":[${column('points')}],` +
      `"updatedAt":[${column('updatedAt')}],"nextCursor":${JSON.stringify(state.nextCursor)}}`,
  );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * staffedCohorts() (libs/auth) as the parameter of the hot path's prepared statements: false for
 * students (no cohort), else the instructor whose teaching the cohort must match (null for admins and
 * services — routes open to services checked their scope). test/progress-matrix.test.ts checks both agree.
 */
export function staffScope(principal: Principal): { instructorId: string | null } | false {
  if (principal.kind === 'service') return { instructorId: null };
  switch (principal.role) {
    case 'admin':
      return { instructorId: null };
    case 'instructor':
      return { instructorId: principal.userId };
    case 'student':
      return false;
  }
}
