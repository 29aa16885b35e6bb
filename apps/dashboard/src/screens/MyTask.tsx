import { useState, type FormEvent } from 'react';
import { describeError, get, request } from '../api.js';
import { InlineMarkdown, Markdown } from '../components/Markdown.js';
import { STATUS_STYLE, textOn } from '../components/status.js';
import { ErrorBox, Loading, Section, SubmissionBadge } from '../components/ui.js';
import { useLoad } from '../hooks.js';
import { useLive } from '../live.js';
import type { EventPayloads, Me, Page, StudentTask, Submission, SubmissionSummary } from '../types.js';
import { SubmissionView } from './SubmissionPage.js';

/** One task: instructions, start, submit (quiz answers / review text), and the result live. */
export function MyTask({ me, taskId }: { me: Me; taskId: string }) {
  const task = useLoad(
    (signal) => get<StudentTask>(`/me/tasks/${encodeURIComponent(taskId)}`, signal),
    taskId,
  );
  const history = useLoad(
    (signal) =>
      get<Page<SubmissionSummary>>(
        `/me/submissions?taskId=${encodeURIComponent(taskId)}&limit=10`,
        signal,
      ).then((page) => page.items),
    taskId,
  );
  const [current, setCurrent] = useState<Submission | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [answers, setAnswers] = useState<Record<string, number | string>>({});
  const [text, setText] = useState('');

  const refreshSubmission = async (id: string): Promise<void> => {
    setCurrent(await get<Submission>(`/submissions/${id}`));
  };

  useLive(
    me.enrollment?.cohortId,
    (event) => {
      if (event.type === 'submission.graded') {
        const payload = event.payload as EventPayloads['submission.graded'];
        if (payload.taskId !== taskId) return;
        void refreshSubmission(payload.submissionId);
        history.reload();
      }
      if (event.type === 'progress.updated' && (event.payload as { taskId: string }).taskId === taskId)
        task.reload();
    },
    () => task.reload(),
  );

  const start = async (): Promise<void> => {
    setError(null);
    try {
      await request('POST', `/me/tasks/${encodeURIComponent(taskId)}/start`);
      task.reload();
    } catch (failure) {
      setError(describeError(failure));
    }
  };

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (!task.data) return;
    setBusy(true);
    setError(null);
    try {
      const completion = task.data.completion;
      const answer =
        completion === 'quiz'
          ? { answers }
          : completion === 'review'
            ? /^https?:\/\//.test(text.trim())
              ? { url: text.trim() }
              : { text }
            : undefined;
      const accepted = await request<{ id: string }>('POST', '/submissions', {
        taskId,
        ...(answer ? { answer } : {}),
      });
      await refreshSubmission(accepted.id);
      history.reload();
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  };

  if (!task.data)
    return (
      <div className="page">{task.error ? <ErrorBox error={task.error} /> : <Loading what="task" />}</div>
    );
  const data = task.data;
  const status = data.progress.status;
  return (
    <div className="page">
      <a href="#/me" className="crumb">
        ← My plan
      </a>
      <h1>{data.title}</h1>
      <p className="muted">
        Step {data.step} · {data.completion.replace('_', ' ')} · {data.progress.points}/{data.maxPoints}{' '}
        points ·{' '}
        <span
          className="status-pill"
          style={{ background: STATUS_STYLE[status].fill, color: textOn(STATUS_STYLE[status].fill) }}
        >
          {STATUS_STYLE[status].label}
        </span>{' '}
        · {data.progress.attempts} attempt(s)
      </p>
      <div className="grid-task">
        <Section title="Instructions" id="instructions">
          <Markdown text={data.instructions} />
          {data.hints.length > 0 && (
            <details className="hints">
              <summary>Hints ({data.hints.length})</summary>
              <ul>
                {data.hints.map((hint) => (
                  <li key={hint}>
                    <Markdown text={hint} />
                  </li>
                ))}
              </ul>
            </details>
          )}
        </Section>
        <div className="stack">
          <Section title="Submit" id="submit">
            {data.locked ? (
              <p className="muted">This step is locked for now.</p>
            ) : (
              <form className="form" onSubmit={(event) => void submit(event)}>
                {status === 'available' && (
                  <button type="button" className="secondary" onClick={() => void start()}>
                    Start this task
                  </button>
                )}
                {data.completion === 'quiz' &&
                  (data.quiz ?? []).map((item) => (
                    <fieldset key={item.id} className="quiz-item">
                      <legend>
                        <InlineMarkdown text={item.prompt} />
                      </legend>
                      {item.options ? (
                        item.options.map((option, index) => (
                          <label key={option} className="radio">
                            <input
                              type="radio"
                              name={item.id}
                              checked={answers[item.id] === index}
                              onChange={() => setAnswers((current) => ({ ...current, [item.id]: index }))}
                            />{' '}
                            <InlineMarkdown text={option} />
                          </label>
                        ))
                      ) : (
                        <textarea
                          aria-label={item.prompt}
                          rows={3}
                          value={typeof answers[item.id] === 'string' ? (answers[item.id] as string) : ''}
                          onChange={(event) =>
                            setAnswers((current) => ({ ...current, [item.id]: event.target.value }))
                          }
                        />
                      )}
                    </fieldset>
                  ))}
                {data.completion === 'review' && (
                  <>
                    <label htmlFor="review-text">Your work (text or a link)</label>
                    <textarea
                      id="review-text"
                      rows={5}
                      value={text}
                      onChange={(event) => setText(event.target.value)}
                      required
                    />
                  </>
                )}
                {data.completion === 'grader' && (
                  <p className="muted">The grader checks your environment when you submit.</p>
                )}
                <ErrorBox error={error} />
                <button type="submit" disabled={busy}>
                  {busy
                    ? 'Submitting…'
                    : data.completion === 'self_check'
                      ? 'Mark as done'
                      : 'Submit for grading'}
                </button>
              </form>
            )}
          </Section>
          {current && <SubmissionView submission={current} />}
          <Section title="My submissions" id="history">
            {history.data?.length === 0 && <p className="muted">None yet.</p>}
            <ol className="feed">
              {(history.data ?? []).map((item) => (
                <li key={item.id}>
                  <button type="button" className="link" onClick={() => void refreshSubmission(item.id)}>
                    {new Date(item.createdAt).toLocaleString()}
                  </button>
                  <span className="feed-meta">
                    <SubmissionBadge status={item.status} />
                    {item.score !== null && (
                      <span>
                        {item.score}/{item.maxScore ?? '?'}
                      </span>
                    )}
                  </span>
                </li>
              ))}
            </ol>
          </Section>
        </div>
      </div>
    </div>
  );
}
