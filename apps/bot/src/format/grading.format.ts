import type { SubmissionView } from '../api/api.types.js';
import { message, truncate } from './text.format.js';

const STATUS_TITLE: Record<SubmissionView['status'], string> = {
  queued: '⏳ queued',
  running: '⏳ grading',
  passed: '✅ passed',
  failed: '❌ not yet',
  pending_review: '📝 waiting for an instructor’s review',
  error: '⚠️ could not be graded',
};

export function isFinished(submission: Pick<SubmissionView, 'status'>): boolean {
  return submission.status !== 'queued' && submission.status !== 'running';
}

/** The graded result: score, then every failed check with its message and hint. */
export function formatGrading(submission: SubmissionView): string {
  const score =
    submission.score !== null && submission.maxScore !== null
      ? ` — score **${submission.score}/${submission.maxScore}**`
      : '';
  const failed = submission.checks.filter((check) => !check.passed && !check.skipped);
  const skipped = submission.checks.filter((check) => check.skipped);
  const lines = [
    `**${submission.taskId}**: ${STATUS_TITLE[submission.status]}${score}`,
    submission.status === 'error' && submission.error ? `Reason: ${submission.error}` : null,
    ...failed.flatMap((check) => [
      `• ❌ **${check.title}**${check.message ? `: ${truncate(check.message, 200)}` : ''}`,
      check.hint ? `  💡 ${truncate(check.hint, 300)}` : null,
    ]),
    skipped.length > 0 ? `• ${skipped.length} check(s) not run (they depend on a failed one).` : null,
    submission.status === 'passed' ? 'Well done! `/lab next` shows what comes next.' : null,
    submission.status === 'failed' ? 'Fix the failing checks and `/lab submit` again.' : null,
  ];
  return message(lines);
}
