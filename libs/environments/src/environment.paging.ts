import { decodeCursor, DomainError } from '@kubecohort/contracts';

export const DEFAULT_ENVIRONMENT_PAGE = 50;
export const MAX_ENVIRONMENT_PAGE = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function environmentPageSize(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_ENVIRONMENT_PAGE;
  return Math.min(Math.max(Math.trunc(limit), 1), MAX_ENVIRONMENT_PAGE);
}

/** An id cursor from an earlier page; anything else is a 400 on `cursor`. */
export function readCursor(cursor: string | undefined): string | null {
  if (cursor === undefined || cursor === '') return null;
  const value = decodeCursor<{ id: string }>(cursor, ['id']);
  if (!value || typeof value.id !== 'string' || !UUID.test(value.id))
    throw DomainError.invalid('invalid cursor', [
      { field: 'cursor', problem: 'is not a cursor this list returned' },
    ]);
  return value.id;
}
