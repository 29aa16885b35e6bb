import { useEffect, useState, type FormEvent } from 'react';
import { describeError, get, request } from '../api.js';
import { timeAgo } from '../components/status.js';
import { Badge, ErrorBox, Loading, Section } from '../components/ui.js';
import { useLoad } from '../hooks.js';
import type { Page, Question, QuestionDetail } from '../types.js';

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
  const detail = useLoad((signal) => get<QuestionDetail>(`/questions/${id}`, signal), id);
  const [body, setBody] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
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

  if (!detail.data) return detail.error ? <ErrorBox error={detail.error} /> : <Loading what="question" />;
  const question = detail.data;
  const grading = question.context?.lastGrading;
  return (
    <div className="thread">
      <p className="question-body">{question.body}</p>
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
      <ol className="answers">
        {question.answers.map((answer) => (
          <li key={answer.id} className={answer.accepted ? 'answer accepted' : 'answer'}>
            <p>{answer.body}</p>
            <span className="muted">
              {answer.author.displayName} · {timeAgo(answer.createdAt)} · score {answer.score}
              {answer.accepted ? ' · accepted' : ''}
              {answer.endorsement ? ` · endorsed by ${answer.endorsement.by.displayName}` : ''}
            </span>
          </li>
        ))}
      </ol>
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
        <label htmlFor="ask-title">Title</label>
        <input id="ask-title" value={title} onChange={(event) => setTitle(event.target.value)} required />
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
