import { decodeCursor, DomainError, encodeCursor, type Page } from '@kubecohort/contracts';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface PageQuery {
  cursor?: string;
  limit?: number;
}

export function pageSize(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  return Math.min(Math.max(Math.trunc(limit), 1), MAX_PAGE_SIZE);
}

const badCursor = () =>
  DomainError.invalid('invalid cursor', [{ field: 'cursor', problem: 'is not a cursor this list returned' }]);

/** An id cursor (`{id}`) or null for the first page; anything undecodable is a 400 on `cursor`. */
export function readIdCursor(cursor: string | undefined): string | null {
  if (cursor === undefined || cursor === '') return null;
  const value = decodeCursor<{ id: string }>(cursor, ['id']);
  if (!value || typeof value.id !== 'string' || !UUID.test(value.id)) throw badCursor();
  return value.id;
}

/** A (time, id) keyset cursor for lists ordered by a timestamp. */
export function readTimeCursor(cursor: string | undefined): { at: Date; id: string } | null {
  if (cursor === undefined || cursor === '') return null;
  const value = decodeCursor<{ t: number; id: string }>(cursor, ['t', 'id']);
  if (
    !value ||
    typeof value.t !== 'number' ||
    !Number.isFinite(value.t) ||
    typeof value.id !== 'string' ||
    !UUID.test(value.id)
  ) {
    throw badCursor();
  }
  return { at: new Date(value.t), id: value.id };
}

/** Rows were fetched with `take: limit + 1`; the extra row only says whether there is a next page. */
export function toPage<Row, Item>(
  rows: Row[],
  limit: number,
  toItem: (row: Row) => Item,
  cursorOf: (row: Row) => Record<string, string | number>,
): Page<Item> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return { items: pageRows.map(toItem), nextCursor: hasMore && last ? encodeCursor(cursorOf(last)) : null };
}
