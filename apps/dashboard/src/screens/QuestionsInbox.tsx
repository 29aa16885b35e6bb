import { useEffect, useState, type FormEvent } from 'react';
import { describeError, get, request } from '../api.js';
import { timeAgo } from '../components/status.js';
import { Badge, ErrorBox, Loading, Section } from '../components/ui.js';
import { useLoad } from '../hooks.js';
import { useMe } from '../session.js';
import type { Answer, Page, Question, QuestionDetail } from '../types.js';

const STATUS_TONE = { open: 'bad', answered: 'info', solved: 'good' } as const;

/** Unanswered questions first (the api's `unanswered` filter), then the rest, newest first. */
async function loadInbox(cohortId: string, signal: AbortSignal): Promise<Question[]> {
  const [open, all] = await Promise.all([
    get<Page<Question>>(`/cohorts/${cohortId}/questions?unanswered=true&limit=50`, signal),
    get<Page<Question>>(`/cohorts/${cohortId}/questions?limit=50`, signal),
  ]);
  const seen = new Set(open.items.map((question) => question.id));
  return [...open.items, ...all.items.filter((question) => !seen.has(question.id))];
}

/**
 * The Q&A inbox (staff) or the cohort's questions (students): unanswered first, each question
 * opens in place with its context (step, task, last grading) and an inline answer box.
 */
export function QuestionsInbox({
  cohortId,
  version,
  staff,
}: {
  cohortId: string;
  version: number;
  staff: boolean;
}) {
  const inbox = useLoad((signal) => loadInbox(cohortId, signal), `${cohortId}:${version}`);
  const [openId, setOpenId] = useState<string | null>(null);
  const unanswered = (inbox.data ?? []).filter(
    (question) => question.answerCount === 0 && question.status === 'open',
  ).length;

  return (
    <div className={staff ? '' : 'stack'}>
      {!staff && <AskForm cohortId={cohortId} onAsked={inbox.reload} />}
      <Section
        title={staff ? `Q&A inbox · ${unanswered} unanswered` : 'Questions of your cohort'}
        id="questions"
      >
        <ErrorBox error={inbox.error} />
        {!inbox.data && !inbox.error && <Loading what="questions" />}
        {inbox.data?.length === 0 && <p className="muted">No questions yet.</p>}
        <ul className="questions">
          {(inbox.data ?? []).map((question) => (
            <li key={question.id} className={question.answerCount === 0 ? 'question unanswered' : 'question'}>
              <button
                type="button"
                className="question-head"
                aria-expanded={openId === question.id}
                onClick={() => setOpenId(openId === question.id ? null : question.id)}
              >
                <Badge tone={STATUS_TONE[question.status]}>
                  {question.answerCount === 0 ? 'unanswered' : question.status}
                </Badge>
                <span className="question-title">{question.title}</span>
                <span className="muted">
                  {question.author.displayName} ·{' '}
                  {question.taskId ?? (question.step ? `step ${question.step}` : 'general')} ·{' '}
                  {question.answerCount} answer(s) · {timeAgo(question.createdAt)}
                </span>
              </button>
              {openId === question.id && <QuestionThread id={question.id} onAnswered={inbox.reload} />}
            </li>
          ))}
        </ul>
      </Section>
    </div>
  );
}

function QuestionThread({ id, onAnswered }: { id: string; onAnswered: () => void }) {
  const me = useMe();
  const detail = useLoad((signal) => get<QuestionDetail>(`/questions/${id}`, signal), id);
  const [body, setBody] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [pending, setPending] = useState<string | null>(null);
  // What is being edited in place: 'question' or an answer's id.
  const [editing, setEditing] = useState<string | null>(null);
  useEffect(() => setBody(''), [id]);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await request('POST', `/questions/${id}/answers`, { body });
      setBody('');
      detail.reload();
      onAnswered();
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  };

  /** One action at a time per thread; its outcome is announced (role=status) or shown as an error. */
  const act = async (key: string, run: () => Promise<string | null>): Promise<void> => {
    setPending(key);
    setActionError(null);
    setNotice(null);
    try {
      setNotice(await run());
    } catch (failure) {
      setActionError(describeError(failure));
    } finally {
      setPending(null);
    }
  };

  const patchAnswer = (answerId: string, change: Partial<Answer>): void =>
    detail.setData((current) =>
      current
        ? {
            ...current,
            answers: current.answers.map((answer) =>
              answer.id === answerId ? { ...answer, ...change } : answer,
            ),
          }
        : current,
    );

  const vote = (answer: Answer, value: 1 | -1) =>
    act(`vote:${answer.id}`, async () => {
      // Pressing the vote you already gave withdraws it (0).
      const next = answer.myVote === value ? 0 : value;
      const result = await request<{ answerId: string; value: number; score: number }>(
        'POST',
        `/answers/${answer.id}/vote`,
        { value: next },
      );
      patchAnswer(answer.id, { myVote: result.value, score: result.score });
      return next === 0 ? 'Vote withdrawn.' : next === 1 ? 'Voted up.' : 'Voted down.';
    });

  const accept = (answer: Answer) =>
    act(`accept:${answer.id}`, async () => {
      detail.setData(() => undefined);
      const updated = await request<QuestionDetail>('POST', `/questions/${id}/accept`, {
        answerId: answer.id,
      });
      detail.setData(() => updated);
      onAnswered();
      return `Accepted the answer by ${answer.author.displayName}.`;
    });

  const endorse = (answer: Answer) =>
    act(`endorse:${answer.id}`, async () => {
      const updated = await request<Answer>(
        answer.endorsement ? 'DELETE' : 'POST',
        `/answers/${answer.id}/endorse`,
      );
      patchAnswer(answer.id, { endorsement: updated.endorsement });
      return updated.endorsement ? 'Answer endorsed.' : 'Endorsement withdrawn.';
    });

  const removeAnswer = (answer: Answer) =>
    act(`delete:${answer.id}`, async () => {
      if (!window.confirm(`Delete the answer by ${answer.author.displayName}?`)) return null;
      await request('DELETE', `/answers/${answer.id}`);
      detail.reload();
      onAnswered();
      return 'Answer deleted.';
    });

  const setLocked = (locked: boolean) =>
    act('lock', async () => {
      const updated = await request<Question>('POST', `/questions/${id}/${locked ? 'lock' : 'unlock'}`, {});
      detail.setData((current) => (current ? { ...current, locked: updated.locked } : current));
      return locked ? 'Question locked: no new answers.' : 'Question unlocked.';
    });

  const saveAnswer = (answer: Answer, text: string) =>
    act(`edit:${answer.id}`, async () => {
      const updated = await request<Answer>('PATCH', `/answers/${answer.id}`, { body: text });
      patchAnswer(answer.id, { body: updated.body });
      setEditing(null);
      return 'Answer updated.';
    });

  const saveQuestion = (title: string, text: string) =>
    act('edit-question', async () => {
      const updated = await request<Question>('PATCH', `/questions/${id}`, { title, body: text });
      detail.setData((current) =>
        current ? { ...current, title: updated.title, body: updated.body } : current,
      );
      setEditing(null);
      onAnswered();
      return 'Question updated.';
    });

  const removeQuestion = () =>
    act('delete-question', async () => {
      if (!window.confirm('Delete this question and its answers?')) return null;
      await request('DELETE', `/questions/${id}`);
      onAnswered();
      return 'Question deleted.';
    });

  if (!detail.data)
    return detail.error ? (
      <ErrorBox error={detail.error} />
    ) : (
      <>
        <Loading what="question" />
        <ErrorBox error={actionError} />
      </>
    );
  const question = detail.data;
  const grading = question.context?.lastGrading;
  const staff = me !== null && me.role !== 'student';
  const canAccept = staff || question.author.id === me?.id;
  return (
    <div className="thread">
      {editing === 'question' ? (
        <EditBox
          id={`edit-question-${id}`}
          label="Question"
          title={question.title}
          text={question.body}
          busy={pending !== null}
          onSave={(title, text) => void saveQuestion(title ?? question.title, text)}
          onCancel={() => setEditing(null)}
        />
      ) : (
        <p className="question-body">{question.body}</p>
      )}
      {(question.context?.task || grading) && (
        <p className="context">
          {question.context?.task && <span>Task: {question.context.task.title}. </span>}
          {grading && (
            <span>
              Last grading: {grading.status}
              {grading.failedChecks?.length
                ? ` — ${grading.failedChecks.map((check) => check.message ?? check.title).join('; ')}`
                : ''}
            </span>
          )}
        </p>
      )}
      {question.locked && (
        <p className="muted">
          <Badge tone="neutral">locked</Badge> No new answers.
        </p>
      )}
      {editing !== 'question' &&
        (staff || (question.author.id === me?.id && question.answers.length === 0 && !question.locked)) && (
          <button
            type="button"
            className="link"
            disabled={pending !== null}
            onClick={() => setEditing('question')}
          >
            Edit question
          </button>
        )}
      {staff && (
        <div className="row moderation" role="group" aria-label="Moderate this question">
          <button
            type="button"
            className="secondary"
            disabled={pending !== null}
            onClick={() => void setLocked(!question.locked)}
          >
            {question.locked ? 'Unlock question' : 'Lock question'}
          </button>
          <button
            type="button"
            className="secondary danger"
            disabled={pending !== null}
            onClick={() => void removeQuestion()}
          >
            Delete question
          </button>
        </div>
      )}
      <ol className="answers">
        {question.answers.map((answer) => {
          const own = answer.author.id === me?.id;
          const who = `the answer by ${answer.author.displayName}`;
          return (
            <li
              key={answer.id}
              className={answer.accepted ? 'answer accepted' : 'answer'}
              data-answer={answer.id}
            >
              <div className="answer-main">
                <div className="votes" role="group" aria-label={`Votes on ${who}`}>
                  <button
                    type="button"
                    className="vote"
                    aria-label={`Vote up ${who}`}
                    aria-pressed={answer.myVote === 1}
                    disabled={own || pending !== null}
                    title={own ? 'You cannot vote on your own answer' : 'Helpful'}
                    onClick={() => void vote(answer, 1)}
                  >
                    ▲
                  </button>
                  <span className="vote-score" aria-label={`Score ${answer.score}`}>
                    {answer.score}
                  </span>
                  <button
                    type="button"
                    className="vote"
                    aria-label={`Vote down ${who}`}
                    aria-pressed={answer.myVote === -1}
                    disabled={own || pending !== null}
                    title={own ? 'You cannot vote on your own answer' : 'Not helpful'}
                    onClick={() => void vote(answer, -1)}
                  >
                    ▼
                  </button>
                </div>
                <div className="answer-body">
                  {editing === answer.id ? (
                    <EditBox
                      id={`edit-answer-${answer.id}`}
                      label={`Edit ${who}`}
                      text={answer.body}
                      busy={pending !== null}
                      onSave={(_title, text) => void saveAnswer(answer, text)}
                      onCancel={() => setEditing(null)}
                    />
                  ) : (
                    <p>{answer.body}</p>
                  )}
                  <span className="muted">
                    {answer.author.displayName} · {timeAgo(answer.createdAt)}
                    {answer.endorsement ? ` · endorsed by ${answer.endorsement.by.displayName}` : ''}
                  </span>{' '}
                  {answer.accepted && <Badge tone="good">✓ accepted</Badge>}
                  <div className="answer-actions">
                    {canAccept && !answer.accepted && (
                      <button
                        type="button"
                        className="link"
                        disabled={pending !== null}
                        onClick={() => void accept(answer)}
                      >
                        Accept this answer
                      </button>
                    )}
                    {editing !== answer.id && (staff || (own && !question.locked)) && (
                      <button
                        type="button"
                        className="link"
                        disabled={pending !== null}
                        aria-label={`Edit ${who}`}
                        onClick={() => setEditing(answer.id)}
                      >
                        Edit
                      </button>
                    )}
                    {staff && (
                      <button
                        type="button"
                        className="link"
                        disabled={pending !== null}
                        onClick={() => void endorse(answer)}
                      >
                        {answer.endorsement ? 'Withdraw endorsement' : 'Endorse'}
                      </button>
                    )}
                    {staff && (
                      <button
                        type="button"
                        className="link danger"
                        disabled={pending !== null}
                        onClick={() => void removeAnswer(answer)}
                      >
                        Delete answer
                      </button>
                    )}
                  </div>
                </div>
              </div>
            </li>
          );
        })}
      </ol>
      <ErrorBox error={actionError} />
      {notice && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
      {!question.locked && (
        <form onSubmit={(event) => void submit(event)} className="answer-form">
          <label htmlFor={`answer-${id}`}>Your answer</label>
          <textarea
            id={`answer-${id}`}
            value={body}
            onChange={(event) => setBody(event.target.value)}
            rows={3}
            required
          />
          <ErrorBox error={error} />
          <button type="submit" disabled={busy || body.trim() === ''}>
            {busy ? 'Posting…' : 'Post answer'}
          </button>
        </form>
      )}
    </div>
  );
}

/** In-place editing of a question (title and body) or an answer (body). */
function EditBox({
  id,
  label,
  title,
  text,
  busy,
  onSave,
  onCancel,
}: {
  id: string;
  label: string;
  title?: string;
  text: string;
  busy: boolean;
  onSave: (title: string | undefined, text: string) => void;
  onCancel: () => void;
}) {
  const [draftTitle, setDraftTitle] = useState(title ?? '');
  const [draft, setDraft] = useState(text);
  return (
    <form
      className="form edit-box"
      onSubmit={(event) => {
        event.preventDefault();
        onSave(title === undefined ? undefined : draftTitle, draft);
      }}
    >
      {title !== undefined && (
        <>
          <label htmlFor={`${id}-title`}>Title</label>
          <input
            id={`${id}-title`}
            value={draftTitle}
            onChange={(event) => setDraftTitle(event.target.value)}
          />
        </>
      )}
      <label htmlFor={id}>{title === undefined ? label : `${label} details`}</label>
      <textarea id={id} rows={3} value={draft} onChange={(event) => setDraft(event.target.value)} />
      <div className="row">
        <button type="submit" disabled={busy || draft.trim() === ''}>
          Save
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function AskForm({ cohortId, onAsked, taskId }: { cohortId: string; onAsked: () => void; taskId?: string }) {
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setError(null);
    try {
      await request('POST', `/cohorts/${cohortId}/questions`, { title, body, ...(taskId ? { taskId } : {}) });
      setTitle('');
      setBody('');
      onAsked();
    } catch (failure) {
      setError(describeError(failure));
    }
  };
  return (
    <Section title="Ask a question" id="ask">
      <form onSubmit={(event) => void submit(event)} className="form">
        <label htmlFor="ask-question-title">Title</label>
        <input
          id="ask-question-title"
          value={title}
          onChange={(event) => setTitle(event.target.value)}
          required
        />
        <label htmlFor="ask-body">Details</label>
        <textarea
          id="ask-body"
          value={body}
          onChange={(event) => setBody(event.target.value)}
          rows={4}
          required
        />
        <ErrorBox error={error} />
        <button type="submit">Ask</button>
      </form>
    </Section>
  );
}
