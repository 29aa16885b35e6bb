import { get } from '../api.js';
import { ConnectivityMatrices, isConnectivityEvidence } from '../components/ConnectivityMatrix.js';
import { ErrorBox, Loading, Section, SubmissionBadge } from '../components/ui.js';
import { useLoad } from '../hooks.js';
import { useLive } from '../live.js';
import type { Submission } from '../types.js';

/** One submission with every check's result; NetworkPolicy checks show expected vs actual connectivity. */
export function SubmissionPage({ id }: { id: string }) {
  const submission = useLoad((signal) => get<Submission>(`/submissions/${id}`, signal), id);
  useLive(
    submission.data?.cohortId,
    (event) => {
      if (
        event.type === 'submission.graded' &&
        (event.payload as { submissionId: string }).submissionId === id
      )
        submission.reload();
    },
    () => submission.reload(),
  );
  if (!submission.data)
    return (
      <div className="page">
        {submission.error ? <ErrorBox error={submission.error} /> : <Loading what="submission" />}
      </div>
    );
  return (
    <div className="page">
      <SubmissionView submission={submission.data} />
    </div>
  );
}

export function SubmissionView({ submission }: { submission: Submission }) {
  return (
    <Section
      title={`Submission · ${submission.taskId}`}
      id={`submission-${submission.id}`}
      actions={<SubmissionBadge status={submission.status} />}
    >
      <p className="muted">
        {new Date(submission.createdAt).toLocaleString()}
        {submission.score !== null && ` · score ${submission.score}/${submission.maxScore ?? '?'}`}
      </p>
      {(submission.status === 'queued' || submission.status === 'running') && (
        <p role="status" className="pending">
          Grading… the result appears here as soon as it is ready.
        </p>
      )}
      {submission.error && <p className="error">Could not grade: {submission.error}</p>}
      {submission.review?.comment && <p className="context">Reviewer: {submission.review.comment}</p>}
      <ol className="checks">
        {submission.checks.map((check) => (
          <li
            key={check.id}
            className={check.skipped ? 'check skipped' : check.passed ? 'check passed' : 'check failed'}
            data-check={check.id}
          >
            <span className="check-icon" aria-hidden="true">
              {check.skipped ? '–' : check.passed ? '✓' : '✗'}
            </span>
            <div className="check-body">
              <strong>{check.title}</strong>{' '}
              <span className="muted">
                {check.skipped ? 'skipped' : check.passed ? 'passed' : 'failed'} · {check.points}/
                {check.maxPoints}
              </span>
              {check.message && <p>{check.message}</p>}
              {!check.passed && check.hint && <p className="hint">Hint: {check.hint}</p>}
              {isConnectivityEvidence(check.evidence) && <ConnectivityMatrices evidence={check.evidence} />}
            </div>
          </li>
        ))}
      </ol>
    </Section>
  );
}
