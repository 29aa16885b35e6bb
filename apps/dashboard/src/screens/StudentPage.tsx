import { statusOfCode } from '@kubecohort/contracts';
import { useState, type FormEvent } from 'react';
import { describeError, get, request } from '../api.js';
import { STATUS_STYLE, timeAgo } from '../components/status.js';
import { ErrorBox, Loading, Section, SubmissionBadge } from '../components/ui.js';
import { useLoad } from '../hooks.js';
import { useLive } from '../live.js';
import { EnvironmentProgress } from '../components/environment.js';
import type {
  EventPayloads,
  Page,
  PlanView,
  Question,
  StaffEnvironment,
  SubmissionSummary,
  TaskStatus,
} from '../types.js';
import { loadMatrix } from './CohortPage.js';
import { loadEnvironments } from './EnvironmentsPanel.js';

interface StudentProgress {
  name: string;
  currentStep: number;
  tasks: Map<string, { status: TaskStatus; attempts: number; points: number }>;
}

async function loadStudent(
  cohortId: string,
  userId: string,
  signal: AbortSignal,
): Promise<StudentProgress | null> {
  const matrix = await loadMatrix(cohortId, signal);
  const row = matrix.students.findIndex((student) => student.userId === userId);
  if (row < 0) return null;
  const tasks = new Map(
    matrix.tasks.map((task, column) => [
      task.id,
      {
        status: statusOfCode(matrix.cells[row]!.charAt(column)),
        attempts: matrix.attempts[row]![column]!,
        points: matrix.points[row]![column]!,
      },
    ]),
  );
  return { name: matrix.students[row]!.displayName, currentStep: matrix.students[row]!.currentStep, tasks };
}

/** An instructor's view of one student: plan progress, submissions, overrides and deadline extensions. */
export function StudentPage({ cohortId, userId }: { cohortId: string; userId: string }) {
  const plan = useLoad((signal) => get<PlanView>(`/cohorts/${cohortId}/plan`, signal), cohortId);
  const student = useLoad((signal) => loadStudent(cohortId, userId, signal), `${cohortId}:${userId}`);
  const submissions = useLoad(
    (signal) =>
      get<Page<SubmissionSummary>>(`/cohorts/${cohortId}/submissions?userId=${userId}&limit=50`, signal).then(
        (page) => page.items,
      ),
    `${cohortId}:${userId}`,
  );
  // The newest environment of this student (the list has no per-student filter: one cohort's worth).
  const environment = useLoad(
    (signal) =>
      loadEnvironments(cohortId, signal).then(
        (list) =>
          list
            .filter((env) => env.userId === userId)
            .sort((a, b) => Date.parse(b.requestedAt) - Date.parse(a.requestedAt))[0] ?? null,
      ),
    `${cohortId}:${userId}`,
  );
  // Their questions: the newest 100 of the cohort, by author (the list has no author filter).
  const questions = useLoad(
    (signal) =>
      get<Page<Question>>(`/cohorts/${cohortId}/questions?limit=100`, signal).then((page) =>
        page.items.filter((question) => question.author.id === userId),
      ),
    `${cohortId}:${userId}`,
  );
  useLive(
    cohortId,
    (event) => {
      const payload = event.payload as { userId?: string };
      if (payload.userId !== userId) return;
      if (event.type === 'progress.updated') student.reload();
      if (event.type === 'submission.queued' || event.type === 'submission.graded') submissions.reload();
      if (event.type === 'question.created' || event.type === 'question.solved') questions.reload();
      if (event.type === 'environment.changed') {
        const change = event.payload as EventPayloads['environment.changed'];
        environment.setData((current) =>
          current && current.id === change.environmentId
            ? {
                ...current,
                state: change.state,
                progressStep: change.progressStep,
                progressPercent: change.progressPercent,
                stateReason: change.reason ?? null,
                stateChangedAt: event.at,
              }
            : current,
        );
        // A new environment (first one, or a reset's replacement): read it.
        if (environment.data?.id !== change.environmentId) environment.reload();
      }
    },
    () => {
      student.reload();
      submissions.reload();
      environment.reload();
      questions.reload();
    },
  );

  const taskIds = (plan.data?.steps ?? []).flatMap((step) => step.tasks.map((task) => task.id));
  return (
    <div className="page">
      <a href={`#/cohorts/${cohortId}`} className="crumb">
        ← Cohort
      </a>
      <h1>{student.data?.name ?? 'Student'}</h1>
      {student.data && <p className="muted">Working on step {student.data.currentStep}</p>}
      <ErrorBox error={plan.error ?? student.error} />
      {student.data === null && <p className="error">This student is not enrolled in the cohort.</p>}
      <Section title="Progress through the plan" id="plan">
        {!plan.data || !student.data ? (
          <Loading what="plan" />
        ) : (
          <ol className="plan-steps">
            {plan.data.steps.map((step) => (
              <li key={step.number} className="plan-step">
                <div className="plan-step-head">
                  <strong>
                    {step.number}. {step.title}
                  </strong>
                  <span className="muted">
                    {step.locked ? 'locked' : 'open'}
                    {step.deadline ? ` · due ${new Date(step.deadline).toLocaleDateString()}` : ''}
                  </span>
                </div>
                <div className="task-chips">
                  {step.tasks.map((task) => {
                    const progress = student.data!.tasks.get(task.id);
                    const status = progress?.status ?? 'locked';
                    return (
                      <span
                        key={task.id}
                        className="task-chip"
                        style={{ borderColor: STATUS_STYLE[status].fill }}
                        title={`${task.title}: ${STATUS_STYLE[status].label}, ${progress?.attempts ?? 0} attempt(s), ${progress?.points ?? 0}/${task.maxPoints} points`}
                      >
                        <span
                          className="swatch"
                          style={{ background: STATUS_STYLE[status].fill }}
                          aria-hidden="true"
                        />
                        {task.title} <span className="muted">· {STATUS_STYLE[status].label}</span>
                      </span>
                    );
                  })}
                </div>
              </li>
            ))}
          </ol>
        )}
      </Section>
      <div className="grid-2">
        <Section title="Submissions" id="submissions">
          <ErrorBox error={submissions.error} />
          {submissions.data?.length === 0 && <p className="muted">No submissions yet.</p>}
          <ol className="feed">
            {(submissions.data ?? []).map((item) => (
              <li key={item.id}>
                <a href={`#/submissions/${item.id}`}>{item.taskId}</a>
                <span className="feed-meta">
                  <SubmissionBadge status={item.status} />
                  {item.score !== null && (
                    <span>
                      {item.score}/{item.maxScore ?? '?'}
                    </span>
                  )}
                  <span className="muted">{timeAgo(item.createdAt)}</span>
                </span>
              </li>
            ))}
          </ol>
        </Section>
        <div className="stack">
          <StudentEnvironment
            environment={environment.data}
            error={environment.error}
            name={student.data?.name}
          />
          <Section title="Questions" id="student-questions">
            <ErrorBox error={questions.error} />
            {questions.data?.length === 0 && <p className="muted">No questions asked.</p>}
            <ul className="student-list">
              {(questions.data ?? []).map((question) => (
                <li key={question.id}>
                  <a href={`#/cohorts/${cohortId}/questions`}>{question.title}</a>
                  <span className="muted">
                    {' '}
                    · {question.status} · {question.answerCount} answer(s) · {timeAgo(question.createdAt)}
                  </span>
                </li>
              ))}
            </ul>
          </Section>
          <OverrideForm cohortId={cohortId} userId={userId} taskIds={taskIds} onDone={student.reload} />
          <ExtensionForm
            cohortId={cohortId}
            userId={userId}
            steps={(plan.data?.steps ?? []).map((step) => step.number)}
          />
        </div>
      </div>
    </div>
  );
}

function StudentEnvironment({
  environment,
  error,
  name,
}: {
  environment: StaffEnvironment | null | undefined;
  error: string | null;
  name: string | undefined;
}) {
  return (
    <Section title="Environment" id="student-environment">
      <ErrorBox error={error} />
      {environment === undefined && !error && <Loading what="environment" />}
      {environment === null && <p className="muted">No environment yet.</p>}
      {environment && (
        <>
          <EnvironmentProgress environment={environment} who={name ?? 'Environment'} />
          <p className="muted small-text">
            Since {timeAgo(environment.stateChangedAt)}
            {environment.namespace && (
              <>
                {' '}
                · namespace <code>{environment.namespace}</code>
              </>
            )}
          </p>
        </>
      )}
    </Section>
  );
}

function OverrideForm({
  cohortId,
  userId,
  taskIds,
  onDone,
}: {
  cohortId: string;
  userId: string;
  taskIds: string[];
  onDone: () => void;
}) {
  const [taskId, setTaskId] = useState('');
  const [status, setStatus] = useState('passed');
  const [points, setPoints] = useState('');
  const [reason, setReason] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setError(null);
    setMessage(null);
    try {
      await request('PUT', `/cohorts/${cohortId}/students/${userId}/tasks/${taskId || taskIds[0]}`, {
        status,
        ...(points !== '' ? { points: Number(points) } : {}),
        reason,
      });
      setMessage('Saved.');
      onDone();
    } catch (failure) {
      setError(describeError(failure));
    }
  };
  return (
    <Section title="Override a task" id="override">
      <form className="form" onSubmit={(event) => void submit(event)}>
        <label htmlFor="override-task">Task</label>
        <select id="override-task" value={taskId} onChange={(event) => setTaskId(event.target.value)}>
          {taskIds.map((id) => (
            <option key={id} value={id}>
              {id}
            </option>
          ))}
        </select>
        <label htmlFor="override-status">Status</label>
        <select id="override-status" value={status} onChange={(event) => setStatus(event.target.value)}>
          {['in_progress', 'pending_review', 'passed', 'failed'].map((value) => (
            <option key={value} value={value}>
              {value.replace('_', ' ')}
            </option>
          ))}
        </select>
        <label htmlFor="override-points">Points (optional)</label>
        <input
          id="override-points"
          type="number"
          min={0}
          value={points}
          onChange={(event) => setPoints(event.target.value)}
        />
        <label htmlFor="override-reason">Reason</label>
        <input
          id="override-reason"
          value={reason}
          onChange={(event) => setReason(event.target.value)}
          required
        />
        <ErrorBox error={error} />
        {message && <p role="status">{message}</p>}
        <button type="submit">Override</button>
      </form>
    </Section>
  );
}

function ExtensionForm({ cohortId, userId, steps }: { cohortId: string; userId: string; steps: number[] }) {
  const [step, setStep] = useState('1');
  const [deadline, setDeadline] = useState('');
  const [reason, setReason] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setError(null);
    setMessage(null);
    try {
      await request('PUT', `/cohorts/${cohortId}/students/${userId}/steps/${step}/deadline`, {
        deadline: new Date(deadline).toISOString(),
        reason,
      });
      setMessage('Extension granted.');
    } catch (failure) {
      setError(describeError(failure));
    }
  };
  return (
    <Section title="Extend a deadline" id="extension">
      <form className="form" onSubmit={(event) => void submit(event)}>
        <label htmlFor="extension-step">Step</label>
        <select id="extension-step" value={step} onChange={(event) => setStep(event.target.value)}>
          {steps.map((value) => (
            <option key={value} value={value}>
              Step {value}
            </option>
          ))}
        </select>
        <label htmlFor="extension-deadline">New deadline</label>
        <input
          id="extension-deadline"
          type="datetime-local"
          value={deadline}
          onChange={(event) => setDeadline(event.target.value)}
          required
        />
        <label htmlFor="extension-reason">Reason</label>
        <input
          id="extension-reason"
          value={reason}
          onChange={(event) => setReason(event.target.value)}
          required
        />
        <ErrorBox error={error} />
        {message && <p role="status">{message}</p>}
        <button type="submit">Extend</button>
      </form>
    </Section>
  );
}
