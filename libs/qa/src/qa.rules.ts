import { decodeCursor, DomainError, encodeCursor } from '@kubecohort/contracts';
import type { FaqEntry, FaqGroup } from './qa.views.js';

/** Tags: lower-case words such as `dns`, `calico`, `kube-proxy`, `c++`; at most five per question. */
export const TAG_PATTERN = /^[a-z0-9][a-z0-9+#.-]{0,31}$/;
export const MAX_TAGS = 5;
export const TASK_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,119}$/;

export const QUESTION_TITLE_MAX = 200;
export const QUESTION_BODY_MAX = 20000;
export const ANSWER_BODY_MAX = 20000;

export const DEFAULT_QUESTION_PAGE = 20;
export const MAX_QUESTION_PAGE = 100;
export const SIMILAR_ON_ASK = 3;
export const MAX_SIMILAR = 10;

/** Per-caller limits (the api applies them with @RateLimit; a student acting through the bot counts as themself). */
export const QA_RATE_LIMITS = {
  ask: { name: 'qa-ask', limit: 10, windowSeconds: 600 },
  answer: { name: 'qa-answer', limit: 30, windowSeconds: 600 },
  vote: { name: 'qa-vote', limit: 60, windowSeconds: 60 },
} as const;

/** Trimmed, lower-cased, de-duplicated (first occurrence wins). Validation happens at the edge. */
export function normalizeTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((tag) => tag.trim().toLowerCase()))];
}

export interface RankedAnswer {
  accepted: boolean;
  endorsed: boolean;
  score: number;
  createdAt: Date;
  id: string;
}

/** Answer order on a question: accepted, then endorsed, then higher score, then older, then id. */
export function compareAnswers(a: RankedAnswer, b: RankedAnswer): number {
  return (
    Number(b.accepted) - Number(a.accepted) ||
    Number(b.endorsed) - Number(a.endorsed) ||
    b.score - a.score ||
    a.createdAt.getTime() - b.createdAt.getTime() ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/** Newest-first lists: keyset (createdAt, id). */
export interface RecentCursor {
  t: number;
  id: string;
}

/**
 * Search lists: keyset on the ranking itself (titleRank, rank, createdAt, id), so the next page
 * continues exactly after the last row even when equal ranks tie. Ranks are float8 in SQL; their
 * shortest decimal form survives JSON unchanged.
 */
export interface RankCursor extends RecentCursor {
  tr: number;
  r: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const badCursor = () =>
  DomainError.invalid('invalid cursor', [{ field: 'cursor', problem: 'is not a cursor this list returned' }]);

const finite = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

export function encodeRecentCursor(row: { createdAt: Date; id: string }): string {
  return encodeCursor({ t: row.createdAt.getTime(), id: row.id });
}

export function encodeRankCursor(row: {
  titleRank: number;
  rank: number;
  createdAt: Date;
  id: string;
}): string {
  return encodeCursor({ tr: row.titleRank, r: row.rank, t: row.createdAt.getTime(), id: row.id });
}

/** A newest-first cursor, null for the first page; a search cursor or garbage is a 400 on `cursor`. */
export function readRecentCursor(cursor: string | undefined): RecentCursor | null {
  if (cursor === undefined || cursor === '') return null;
  const value = decodeCursor<{ t: number; id: string }>(cursor, ['t', 'id']);
  if (!value || !finite(value.t) || typeof value.id !== 'string' || !UUID.test(value.id)) throw badCursor();
  if ('tr' in value || 'r' in value) throw badCursor();
  return { t: value.t, id: value.id };
}

/** A search cursor, null for the first page; anything else is a 400 on `cursor`. */
export function readRankCursor(cursor: string | undefined): RankCursor | null {
  if (cursor === undefined || cursor === '') return null;
  const value = decodeCursor<{ tr: number; r: number; t: number; id: string }>(cursor, [
    'tr',
    'r',
    't',
    'id',
  ]);
  if (
    !value ||
    ![value.tr, value.r, value.t].every(finite) ||
    typeof value.id !== 'string' ||
    !UUID.test(value.id)
  ) {
    throw badCursor();
  }
  return { tr: value.tr, r: value.r, t: value.t, id: value.id };
}

export function questionPageSize(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_QUESTION_PAGE;
  return Math.min(Math.max(Math.trunc(limit), 1), MAX_QUESTION_PAGE);
}

/** What the FAQ needs of one solved question with its accepted answer. */
export interface FaqSource {
  entry: FaqEntry;
  taskId: string | null;
  step: number | null;
  endorsed: boolean;
  score: number;
  solvedAt: Date | null;
}

export interface FaqCatalog {
  steps: Map<number, string>;
  tasks: Map<string, { title: string; step: number; order: number }>;
}

/**
 * Groups accepted answers by task (under the task's step), then by step for questions without a
 * task, then the cohort's general ones. Groups follow the plan: step, step-level before its tasks,
 * tasks in plan order, general last. Entries: endorsed first, then higher score, then older.
 */
export function groupFaq(sources: readonly FaqSource[], catalog: FaqCatalog): FaqGroup[] {
  const groups = new Map<string, { group: FaqGroup; sort: [number, number]; items: FaqSource[] }>();
  for (const source of sources) {
    const task = source.taskId ? catalog.tasks.get(source.taskId) : undefined;
    const step = task?.step ?? source.step;
    const key = source.taskId ? `task:${source.taskId}` : step !== null ? `step:${step}` : 'general';
    let slot = groups.get(key);
    if (!slot) {
      slot = {
        group: {
          step,
          stepTitle: step !== null ? (catalog.steps.get(step) ?? null) : null,
          taskId: source.taskId,
          taskTitle: task?.title ?? null,
          entries: [],
        },
        sort: [
          step ?? Number.MAX_SAFE_INTEGER,
          source.taskId ? (task?.order ?? Number.MAX_SAFE_INTEGER - 1) : -1,
        ],
        items: [],
      };
      groups.set(key, slot);
    }
    slot.items.push(source);
  }
  return [...groups.values()]
    .sort(
      (a, b) => a.sort[0] - b.sort[0] || a.sort[1] - b.sort[1] || compareKeys(a.group.taskId, b.group.taskId),
    )
    .map((slot) => ({
      ...slot.group,
      entries: slot.items
        .sort(
          (a, b) =>
            Number(b.endorsed) - Number(a.endorsed) ||
            b.score - a.score ||
            (a.solvedAt?.getTime() ?? 0) - (b.solvedAt?.getTime() ?? 0) ||
            compareKeys(a.entry.questionId, b.entry.questionId),
        )
        .map((item) => item.entry),
    }));
}

function compareKeys(a: string | null, b: string | null): number {
  return (a ?? '') < (b ?? '') ? -1 : (a ?? '') > (b ?? '') ? 1 : 0;
}
