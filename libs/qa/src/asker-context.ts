import type { SubmissionStatusName } from '@kubecohort/contracts';
import type { Prisma } from '@kubecohort/database';
import type { AskerContext } from './qa.views.js';

/** Submission statuses that are a finished grading (queued and running ones have no result yet). */
const FINISHED: SubmissionStatusName[] = ['passed', 'failed', 'pending_review', 'error'];

/** Failed checks kept in a question's context (a grader rarely has more). */
const MAX_FAILED_CHECKS = 20;

/**
 * What a question carries about its asker, read when they ask: their enrolment's current step and,
 * for a question on a task, a summary of their latest finished grading of it (status, score and
 * the failed checks' ids and messages). Staff asking have no enrolment: step null, no grading.
 */
export async function readAskerContext(
  db: Prisma.TransactionClient,
  cohortId: string,
  userId: string,
  task: { id: string; title: string; step: number } | null,
): Promise<AskerContext> {
  const enrollment = await db.enrollment.findUnique({
    where: { cohortId_userId: { cohortId, userId } },
    select: { status: true, currentStep: true },
  });
  const enrolled = enrollment?.status === 'active';
  const submission =
    task && enrolled
      ? await db.submission.findFirst({
          where: { cohortId, userId, taskSlug: task.id, status: { in: FINISHED } },
          orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
          select: {
            id: true,
            status: true,
            score: true,
            maxScore: true,
            createdAt: true,
            finishedAt: true,
            checks: {
              where: { passed: false, skipped: false },
              orderBy: { position: 'asc' },
              take: MAX_FAILED_CHECKS,
              select: { checkId: true, title: true, message: true },
            },
          },
        })
      : null;
  return {
    step: enrolled ? enrollment.currentStep : null,
    task,
    lastGrading: submission
      ? {
          submissionId: submission.id,
          status: submission.status,
          score: submission.score,
          maxScore: submission.maxScore,
          at: (submission.finishedAt ?? submission.createdAt).toISOString(),
          failedChecks: submission.checks.map((check) => ({
            id: check.checkId,
            title: check.title,
            message: check.message,
          })),
        }
      : null,
  };
}
