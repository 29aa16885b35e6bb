import { DomainError } from '@kubecohort/contracts';
import { Prisma } from '@kubecohort/database';
import type { Db } from './qa-scope.repository.js';

/** Request details kept with audit entries of moderation actions. */
export interface QaRequestMeta {
  requestId?: string | null;
  ip?: string | null;
}

/** A task of the cohort's curriculum version, or a 400 naming `taskId`. */
export async function resolveTask(
  db: Db,
  versionId: string,
  taskId: string,
): Promise<{ id: string; title: string; step: number }> {
  const task = await db.curriculumTask.findUnique({
    where: { versionId_slug: { versionId, slug: taskId } },
    select: { slug: true, title: true, step: { select: { number: true } } },
  });
  if (!task) {
    throw DomainError.invalid(`unknown task ${taskId}`, [
      { field: 'taskId', problem: "is not a task of this cohort's curriculum" },
    ]);
  }
  return { id: task.slug, title: task.title, step: task.step.number };
}

/** A step of the cohort's curriculum version, or a 400 naming `step`. */
export async function assertStep(db: Db, versionId: string, step: number): Promise<void> {
  const found = await db.curriculumStep.count({ where: { versionId, number: step } });
  if (found === 0) {
    throw DomainError.invalid(`unknown step ${step}`, [
      { field: 'step', problem: "is not a step of this cohort's curriculum" },
    ]);
  }
}

/** Replaces a question's tags, creating the cohort's missing tags (concurrent creators are fine). */
export async function setTags(
  tx: Prisma.TransactionClient,
  cohortId: string,
  questionId: string,
  names: string[],
): Promise<void> {
  await tx.questionTag.deleteMany({ where: { questionId } });
  if (names.length === 0) return;
  await tx.tag.createMany({ data: names.map((name) => ({ cohortId, name })), skipDuplicates: true });
  const tags = await tx.tag.findMany({ where: { cohortId, name: { in: names } }, select: { id: true } });
  await tx.questionTag.createMany({ data: tags.map((tag) => ({ questionId, tagId: tag.id })) });
}

/** The unique constraint on `column` lost (e.g. a Discord thread already mirrored). */
export function isUniqueViolationOn(error: unknown, column: string): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError) || error.code !== 'P2002') return false;
  const meta = JSON.stringify(error.meta ?? {});
  const camel = column.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase());
  // With the pg adapter the constraint name (questions_discord_thread_id_key) is in meta.driverAdapterError.
  return meta.includes(column) || meta.includes(camel);
}

/** Discord ids are set by the bot mirroring a thread or message, never by a web client. */
export function assertBotMirror(via: unknown, field: string): void {
  if (!via) {
    throw new DomainError('forbidden', 'discord_ids_bot_only', `${field} is set only by the Discord bot`, [
      { field, problem: 'may only be set by the Discord bot' },
    ]);
  }
}
