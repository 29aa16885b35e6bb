import { Prisma } from '@kubecohort/database';

/** A unique constraint lost a race (two requests creating the same row at once). */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}
