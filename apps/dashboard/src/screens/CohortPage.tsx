import { PROGRESS_STATUS_CODES, statusOfCode } from '@kubecohort/contracts';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { download, get, describeError } from '../api.js';
import { Funnel } from '../components/Funnel.js';
import { Heatmap, type CellDetail } from '../components/Heatmap.js';
import { timeAgo } from '../components/status.js';
import { ErrorBox, Loading, Section, SubmissionBadge } from '../components/ui.js';
import { useLoad } from '../hooks.js';
import { useLive, useLiveStatus } from '../live.js';
import { navigate } from '../router.js';
import type {
  Cohort,
  EventPayloads,
  FunnelView,
  LiveEvent,
  Page,
  ProgressMatrixPage,
  StuckStudentView,
  SubmissionSummary,
} from '../types.js';
import { EnvironmentsPanel } from './EnvironmentsPanel.js';
import { QuestionsInbox } from './QuestionsInbox.js';
import { RosterPanel } from './RosterPanel.js';

type Tab = 'progress' | 'environments' | 'questions' | 'roster';

/** All pages of the progress matrix, merged into one (rows concatenated). */
export async function loadMatrix(cohortId: string, signal: AbortSignal): Promise<ProgressMatrixPage> {
  let merged: ProgressMatrixPage | null = null;
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `?limit=100&cursor=${encodeURIComponent(cursor)}` : '?limit=100';
    const page: ProgressMatrixPage = await get<ProgressMatrixPage>(
      `/cohorts/${cohortId}/progress${query}`,
      signal,
    );
    merged = merged
      ? {
          ...page,
          revision: merged.revision,
          students: [...merged.students, ...page.students],
          cells: [...merged.cells, ...page.cells],
          attempts: [...merged.attempts, ...page.attempts],
          points: [...merged.points, ...page.points],
          updatedAt: [...merged.updatedAt, ...page.updatedAt],
        }
      : page;
    cursor = page.nextCursor;
  } while (cursor);
  return merged;
}

/** Apply a `progress.updated` event to the matrix in place of a refetch (events carry absolute values). */
function applyProgress(
  page: ProgressMatrixPage,
  event: EventPayloads['progress.updated'],
  at: string,
): ProgressMatrixPage {
  const row = page.students.findIndex((student) => student.userId === event.userId);
  const column = page.tasks.findIndex((task) => task.id === event.taskId);
  if (row < 0 || column < 0) return page;
  const replace = <T,>(rows: T[][], value: T): T[][] =>
    rows.map((cells, index) =>
      index === row ? cells.map((cell, c) => (c === column ? value : cell)) : cells,
    );
  const line = page.cells[row]!;
  return {
    ...page,
    cells: page.cells.map((cells, index) =>
      index === row
        ? line.slice(0, column) + PROGRESS_STATUS_CODES[event.status] + line.slice(column + 1)
        : cells,
    ),
    attempts: replace(page.attempts, event.attempts),
    points: replace(page.points, event.points),
    updatedAt: replace(page.updatedAt, Math.floor(Date.parse(at) / 1000)),
  };
}

export function CohortPage({ cohortId, tab }: { cohortId: string; tab: Tab }) {
  const cohort = useLoad((signal) => get<Cohort>(`/cohorts/${cohortId}`, signal), cohortId);
  const matrix = useLoad((signal) => loadMatrix(cohortId, signal), cohortId);
  const funnel = useLoad((signal) => get<FunnelView>(`/cohorts/${cohortId}/funnel`, signal), cohortId);
  const stuck = useLoad(
    (signal) => get<Page<StuckStudentView>>(`/cohorts/${cohortId}/stuck`, signal).then((page) => page.items),
    cohortId,
  );
  const feed = useLoad(
    (signal) =>
      get<Page<SubmissionSummary>>(`/cohorts/${cohortId}/submissions?limit=25`, signal).then(
        (page) => page.items,
      ),
    cohortId,
  );
  // The reviewers' queue: submissions waiting for an instructor, oldest first to be fair.
  const toReview = useLoad(
    (signal) =>
      get<Page<SubmissionSummary>>(
        `/cohorts/${cohortId}/submissions?status=pending_review&limit=50`,
        signal,
      ).then((page) => [...page.items].reverse()),
    `review:${cohortId}`,
  );
  const [flashed, setFlashed] = useState<Set<string>>(new Set());
  const [details, setDetails] = useState<Map<string, CellDetail>>(new Map());
  const [questionsVersion, setQuestionsVersion] = useState(0);
  const [lastEventAt, setLastEventAt] = useState<string | null>(null);
  const funnelTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const status = useLiveStatus();

  const flash = useCallback((key: string) => {
    setFlashed((current) => new Set(current).add(key));
    setTimeout(
      () =>
        setFlashed((current) => {
          const next = new Set(current);
          next.delete(key);
          return next;
        }),
      2500,
    );
  }, []);

  const onEvent = useCallback(
    (event: LiveEvent) => {
      setLastEventAt(event.at);
      switch (event.type) {
        case 'progress.updated': {
          const payload = event.payload as EventPayloads['progress.updated'];
          matrix.setData((page) => (page ? applyProgress(page, payload, event.at) : page));
          flash(`${payload.userId}:${payload.taskId}`);
          // The funnel is a cheap aggregate: refresh it once things settle.
          if (funnelTimer.current) clearTimeout(funnelTimer.current);
          funnelTimer.current = setTimeout(() => funnel.reload(), 1500);
          break;
        }
        case 'submission.queued': {
          const payload = event.payload as EventPayloads['submission.queued'];
          feed.setData((items) =>
            [
              {
                id: payload.submissionId,
                cohortId,
                userId: payload.userId,
                taskId: payload.taskId,
                status: 'queued' as const,
                score: null,
                maxScore: null,
                createdAt: event.at,
                finishedAt: null,
              },
              ...(items ?? []).filter((item) => item.id !== payload.submissionId),
            ].slice(0, 50),
          );
          break;
        }
        case 'submission.graded': {
          const payload = event.payload as EventPayloads['submission.graded'];
          feed.setData((items) => {
            const known = (items ?? []).some((item) => item.id === payload.submissionId);
            const graded = {
              id: payload.submissionId,
              cohortId,
              userId: payload.userId,
              taskId: payload.taskId,
              status: payload.status,
              score: payload.score,
              maxScore: payload.maxScore,
              createdAt: event.at,
              finishedAt: event.at,
            };
            return known
              ? items!.map((item) =>
                  item.id === payload.submissionId ? { ...item, ...graded, createdAt: item.createdAt } : item,
                )
              : [graded, ...(items ?? [])].slice(0, 50);
          });
          // Into the reviewers' queue when it waits for a review, out of it once reviewed.
          toReview.setData((items) => {
            const rest = (items ?? []).filter((item) => item.id !== payload.submissionId);
            return payload.status === 'pending_review'
              ? [
                  ...rest,
                  {
                    id: payload.submissionId,
                    cohortId,
                    userId: payload.userId,
                    taskId: payload.taskId,
                    status: payload.status,
                    score: payload.score,
                    maxScore: payload.maxScore,
                    createdAt: event.at,
                    finishedAt: null,
                  },
                ]
              : rest;
          });
          const failed = payload.failedChecks[0];
          const result = `${payload.status}${payload.score !== null ? ` (${payload.score}/${payload.maxScore ?? '?'})` : ''}${failed?.message ? ` — ${failed.message}` : ''}`;
          setDetails((current) =>
            new Map(current).set(`${payload.userId}:${payload.taskId}`, { lastResult: result }),
          );
          break;
        }
        case 'student.stuck': {
          const payload = event.payload as EventPayloads['student.stuck'];
          stuck.setData((items) => {
            const name =
              matrix.data?.students.find((student) => student.userId === payload.userId)?.displayName ??
              'A student';
            const entry: StuckStudentView = { ...payload, displayName: name };
            return [entry, ...(items ?? []).filter((item) => item.userId !== payload.userId)];
          });
          break;
        }
        case 'question.created':
        case 'question.answered':
        case 'question.solved':
          setQuestionsVersion((value) => value + 1);
          break;
        case 'plan.updated':
        case 'enrollment.changed':
          // The contract: these change the matrix's shape, read it again.
          matrix.reload();
          funnel.reload();
          break;
        case 'environment.changed':
        case 'cohort.updated':
          break;
      }
    },
    [cohortId, feed, flash, funnel, matrix, stuck, toReview],
  );
  const onReload = useCallback(() => {
    matrix.reload();
    funnel.reload();
    stuck.reload();
    feed.reload();
    toReview.reload();
  }, [feed, funnel, matrix, stuck, toReview]);
  useLive(cohortId, onEvent, onReload);
  useEffect(
    () => () => {
      if (funnelTimer.current) clearTimeout(funnelTimer.current);
    },
    [],
  );

  const names = useMemo(
    () => new Map((matrix.data?.students ?? []).map((student) => [student.userId, student.displayName])),
    [matrix.data?.students],
  );
  const statusOf = useCallback(
    (row: number, column: number) => statusOfCode(matrix.data?.cells[row]?.charAt(column) ?? 'L'),
    [matrix.data],
  );
  const openStudent = (userId: string): void => navigate(`/cohorts/${cohortId}/students/${userId}`);
  const [exportError, setExportError] = useState<string | null>(null);

  const tabs: { id: Tab; label: string }[] = [
    { id: 'progress', label: 'Progress' },
    { id: 'environments', label: 'Environments' },
    { id: 'questions', label: 'Q&A inbox' },
    { id: 'roster', label: 'Roster & grades' },
  ];

  return (
    <div className="page">
      <div className="page-title">
        <div>
          <a href="#/cohorts" className="crumb">
            ← Cohorts
          </a>
          <h1>{cohort.data?.name ?? 'Cohort'}</h1>
          {cohort.data && (
            <p className="muted">
              {cohort.data.curriculumVersion.title} v{cohort.data.curriculumVersion.version} ·{' '}
              {cohort.data.status} · {matrix.data?.students.length ?? '…'} students
            </p>
          )}
        </div>
        <div className="live-indicator" data-live={status} aria-live="polite">
          <span className={`dot dot-${status}`} aria-hidden="true" />
          {status === 'live' ? 'Live' : status === 'connecting' ? 'Reconnecting…' : 'Offline'}
          {lastEventAt && <span className="muted"> · last event {timeAgo(lastEventAt)}</span>}
        </div>
      </div>
      <ErrorBox error={cohort.error} />
      <nav className="tabs" aria-label="Cohort sections">
        {tabs.map((item) => (
          <a
            key={item.id}
            href={`#/cohorts/${cohortId}${item.id === 'progress' ? '' : `/${item.id}`}`}
            className={tab === item.id ? 'tab active' : 'tab'}
            aria-current={tab === item.id ? 'page' : undefined}
          >
            {item.label}
          </a>
        ))}
      </nav>

      {tab === 'progress' && (
        <div className="grid-progress">
          <Section title="Progress heatmap" id="heatmap">
            <ErrorBox error={matrix.error} />
            {matrix.data ? (
              <Heatmap
                page={matrix.data}
                statusOf={statusOf}
                flashed={flashed}
                details={details}
                onOpenStudent={openStudent}
              />
            ) : (
              !matrix.error && <Loading what="progress" />
            )}
          </Section>
          <div className="side">
            <Section title="Seven-step funnel" id="funnel">
              <ErrorBox error={funnel.error} />
              {funnel.data ? (
                <Funnel funnel={funnel.data} total={matrix.data?.students.length ?? 0} />
              ) : (
                <Loading what="funnel" />
              )}
            </Section>
            <Section title="Stuck students" id="stuck">
              <ErrorBox error={stuck.error} />
              {stuck.data && stuck.data.length === 0 && <p className="muted">Nobody is stuck right now.</p>}
              <ul className="stuck-list">
                {(stuck.data ?? []).map((student) => (
                  <li key={student.userId}>
                    <a href={`#/cohorts/${cohortId}/students/${student.userId}`}>{student.displayName}</a>
                    <span className="muted">
                      {' '}
                      · step {student.step}
                      {student.taskId ? ` · ${student.taskId}` : ''}
                    </span>
                    <ul className="reasons">
                      {student.reasons.map((reason) => (
                        <li key={reason}>{reason}</li>
                      ))}
                    </ul>
                  </li>
                ))}
              </ul>
            </Section>
            <Section
              title={`Awaiting review${toReview.data ? ` (${toReview.data.length})` : ''}`}
              id="to-review"
            >
              <ErrorBox error={toReview.error} />
              {toReview.data?.length === 0 && <p className="muted">Nothing waits for a review.</p>}
              <ol className="feed">
                {(toReview.data ?? []).map((item) => (
                  <li key={item.id} data-review={item.id}>
                    <a href={`#/submissions/${item.id}`}>
                      Review <strong>{names.get(item.userId) ?? 'Student'}</strong> · {item.taskId}
                    </a>
                    <span className="feed-meta">
                      <span className="muted">submitted {timeAgo(item.createdAt)}</span>
                    </span>
                  </li>
                ))}
              </ol>
            </Section>
            <Section title="Live submissions" id="feed">
              <ErrorBox error={feed.error} />
              {feed.data && feed.data.length === 0 && <p className="muted">No submissions yet.</p>}
              <ol className="feed" aria-live="polite" aria-relevant="additions">
                {(feed.data ?? []).map((item) => (
                  <li key={item.id} data-submission={item.id}>
                    <a href={`#/submissions/${item.id}`}>
                      <strong>{names.get(item.userId) ?? 'Student'}</strong> · {item.taskId}
                    </a>
                    <span className="feed-meta">
                      <SubmissionBadge status={item.status} />
                      {item.score !== null && (
                        <span>
                          {item.score}/{item.maxScore ?? '?'}
                        </span>
                      )}
                      <span className="muted">{timeAgo(item.finishedAt ?? item.createdAt)}</span>
                    </span>
                  </li>
                ))}
              </ol>
            </Section>
          </div>
        </div>
      )}
      {tab === 'environments' && (
        <EnvironmentsPanel cohortId={cohortId} students={matrix.data?.students ?? []} />
      )}
      {tab === 'questions' && <QuestionsInbox cohortId={cohortId} version={questionsVersion} staff />}
      {tab === 'roster' && (
        <RosterPanel
          cohortId={cohortId}
          onExport={() => {
            setExportError(null);
            download(
              `/cohorts/${cohortId}/export.csv`,
              `${(cohort.data?.name ?? 'cohort').replace(/\W+/g, '-')}-grades.csv`,
            ).catch((error: unknown) => setExportError(describeError(error)));
          }}
          exportError={exportError}
        />
      )}
    </div>
  );
}
