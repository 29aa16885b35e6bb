import { useRef, useState, type FormEvent } from 'react';
import { ApiError, get, request } from '../api.js';
import { ConnectivityMatrices, isConnectivityEvidence } from '../components/ConnectivityMatrix.js';
import { ErrorBox, Loading, Section, SubmissionBadge } from '../components/ui.js';
import { useFocusFirstInvalid, useLoad } from '../hooks.js';
import { useLive } from '../live.js';
import type { Submission } from '../types.js';

/** One submission with every check's result; NetworkPolicy checks show expected vs actual connectivity. */
export function SubmissionPage({ id, staff = false }: { id: string; staff?: boolean }) {
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
  const data = submission.data;
  const reviewable = staff && data.status === 'pending_review' && (data.reviewItems?.length ?? 0) > 0;
  return (
    <div className={reviewable ? 'page grid-task' : 'page'}>
      <SubmissionView submission={data} />
      {reviewable && (
        <ReviewForm submission={data} onReviewed={(updated) => submission.setData(() => updated)} />
      )}
    </div>
  );
}

export function SubmissionView({ submission }: { submission: Submission }) {
  const criteria = new Map((submission.reviewItems ?? []).map((item) => [item.id, item]));
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
      {submission.status === 'pending_review' && (
        <p role="status" className="pending">
          Waiting for an instructor&apos;s review.
        </p>
      )}
      {submission.error && <p className="error">Could not grade: {submission.error}</p>}
      <SubmittedWork submission={submission} />
      {submission.review?.comment && <p className="context">Reviewer: {submission.review.comment}</p>}
      {submission.review && submission.review.rubric.length > 0 && (
        <ul className="rubric-result" aria-label="Review by criterion">
          {submission.review.rubric.map((line) => (
            <li key={line.id}>
              <strong>
                {line.points}/{criteria.get(line.id)?.points ?? '?'}
              </strong>{' '}
              {criteria.get(line.id)?.criterion ?? line.id}
              {line.comment && <span className="muted"> — {line.comment}</span>}
            </li>
          ))}
        </ul>
      )}
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

/** The student's write-up or link (review tasks) and written quiz answers, for the reviewer to read. */
function SubmittedWork({ submission }: { submission: Submission }) {
  const answer = submission.answer;
  if (!answer) return null;
  const text = typeof answer.text === 'string' ? answer.text : null;
  const url = typeof answer.url === 'string' && /^https?:\/\//.test(answer.url) ? answer.url : null;
  const items = (submission.reviewItems ?? []).filter(
    (item) => typeof (answer.answers as Record<string, unknown> | undefined)?.[item.id] === 'string',
  );
  if (!text && !url && items.length === 0) return null;
  return (
    <div className="submitted-work">
      <h3>Submitted work</h3>
      {text && <p className="work-text">{text}</p>}
      {url && (
        <p>
          <a href={url} target="_blank" rel="noreferrer noopener">
            {url}
          </a>
        </p>
      )}
      {items.map((item) => (
        <div key={item.id}>
          <p className="muted">{item.criterion}</p>
          <p className="work-text">{String((answer.answers as Record<string, unknown>)[item.id])}</p>
        </div>
      ))}
    </div>
  );
}

/** `rubric.0.points` (validation pipe) and `rubric[0].points` (review rules) name the same field. */
function normalizeField(field: string): string {
  return field.replace(/\.(\d+)(?=\.|$)/g, '[$1]');
}

/**
 * The instructor's review: points per rubric item (0..its points), a comment per item and overall.
 * The score sent is the sum of the items (the api requires them to agree); the api's field errors
 * are shown next to the field they name.
 */
function ReviewForm({
  submission,
  onReviewed,
}: {
  submission: Submission;
  onReviewed: (updated: Submission) => void;
}) {
  const items = submission.reviewItems ?? [];
  const [points, setPoints] = useState<string[]>(() => items.map(() => ''));
  const [comments, setComments] = useState<string[]>(() => items.map(() => ''));
  const [comment, setComment] = useState('');
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const focusFirstInvalid = useFocusFirstInvalid(form);
  const values = points.map((value) => (value.trim() === '' ? null : Number(value)));
  const score = values.reduce<number>(
    (sum, value) => sum + (value !== null && Number.isFinite(value) ? value : 0),
    0,
  );
  const reviewMax = items.reduce((sum, item) => sum + item.points, 0);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setFieldErrors({});
    try {
      const updated = await request<Submission>('POST', `/submissions/${submission.id}/review`, {
        score,
        ...(comment.trim() ? { comment: comment.trim() } : {}),
        rubric: items.map((item, index) => ({
          id: item.id,
          points: values[index] !== null && Number.isFinite(values[index]) ? values[index] : null,
          ...(comments[index]?.trim() ? { comment: comments[index].trim() } : {}),
        })),
      });
      onReviewed(updated);
    } catch (failure) {
      if (failure instanceof ApiError && failure.details.some((detail) => detail.field)) {
        const byField: Record<string, string> = {};
        for (const detail of failure.details) {
          if (!detail.field) continue;
          const field = normalizeField(detail.field);
          byField[field] = byField[field]
            ? `${byField[field]}; ${detail.problem ?? ''}`
            : (detail.problem ?? '');
        }
        setFieldErrors(byField);
        setError(
          failure.status === 400 ? 'The review was not saved: correct the marked fields.' : failure.message,
        );
        focusFirstInvalid();
      } else {
        setError(failure instanceof Error ? failure.message : String(failure));
      }
    } finally {
      setBusy(false);
    }
  };

  const fieldError = (field: string) =>
    fieldErrors[field] ? (
      <span className="field-error" id={`review-error-${field}`}>
        {field.replace(/^rubric\[(\d+)\]\./, '')} {fieldErrors[field]}
      </span>
    ) : null;
  const describedBy = (field: string) => (fieldErrors[field] ? `review-error-${field}` : undefined);

  return (
    <Section title="Review" id="review">
      <form ref={form} className="form review-form" onSubmit={(event) => void submit(event)} noValidate>
        <fieldset aria-describedby={describedBy('rubric')}>
          <legend>Rubric</legend>
          {fieldError('rubric')}
          {items.map((item, index) => {
            const field = `rubric[${index}].points`;
            return (
              <div key={item.id} className="rubric-item" data-rubric={item.id}>
                <label htmlFor={`review-points-${index}`}>
                  {item.criterion} <span className="muted">(0–{item.points})</span>
                </label>
                <input
                  id={`review-points-${index}`}
                  type="number"
                  inputMode="numeric"
                  min={0}
                  max={item.points}
                  step={1}
                  value={points[index] ?? ''}
                  aria-invalid={Boolean(fieldErrors[field])}
                  aria-describedby={describedBy(field)}
                  onChange={(event) =>
                    setPoints(points.map((value, at) => (at === index ? event.target.value : value)))
                  }
                />
                {fieldError(field)}
                {fieldError(`rubric[${index}].id`)}
                <label htmlFor={`review-item-comment-${index}`} className="sub-label">
                  Note on “{item.criterion}” (optional)
                </label>
                <input
                  id={`review-item-comment-${index}`}
                  value={comments[index] ?? ''}
                  maxLength={2000}
                  aria-invalid={Boolean(fieldErrors[`rubric[${index}].comment`])}
                  aria-describedby={describedBy(`rubric[${index}].comment`)}
                  onChange={(event) =>
                    setComments(comments.map((value, at) => (at === index ? event.target.value : value)))
                  }
                />
                {fieldError(`rubric[${index}].comment`)}
              </div>
            );
          })}
        </fieldset>
        <p className="review-score" aria-live="polite">
          Score: <strong>{score}</strong> / {reviewMax}
          {submission.maxScore !== null && reviewMax < submission.maxScore && (
            <span className="muted"> (added to the automatic points)</span>
          )}
        </p>
        {fieldError('score')}
        <label htmlFor="review-comment">Feedback for the student (optional)</label>
        <textarea
          id="review-comment"
          rows={4}
          value={comment}
          maxLength={10_000}
          aria-invalid={Boolean(fieldErrors.comment)}
          aria-describedby={describedBy('comment')}
          onChange={(event) => setComment(event.target.value)}
        />
        {fieldError('comment')}
        <ErrorBox error={error} />
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Save review'}
        </button>
      </form>
    </Section>
  );
}
