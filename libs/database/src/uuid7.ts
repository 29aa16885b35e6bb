import { randomUUID } from 'node:crypto';

/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then randomness: the kind of id
 * Prisma's `uuid(7)` default makes (ids stay ordered by creation, for cursors and index locality).
 * For rows inserted with raw SQL, whose id columns have no database default.
 *
 * The random bits come from `randomUUID()`: a version 4 UUID already has the variant bits where
 * version 7 wants them, and Node serves it from a cache of random bytes, where `randomBytes(16)`
 * costs a call into the system's generator per id (a few per submission on the grading path).
 */
export function uuidv7(nowMs: number = Date.now()): string {
  const time = Math.trunc(nowMs).toString(16).padStart(12, '0');
  // xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx: keep from the 12 random bits after the version digit on.
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${randomUUID().slice(15)}`;
}
