import { useState, type FormEvent } from 'react';
import { get } from '../api.js';
import { ErrorBox, Loading, Section } from '../components/ui.js';
import { useLoad } from '../hooks.js';
import type { AuditLogEntry, CohortSummary, Page, UserRow } from '../types.js';

const PAGE_SIZE = 25;

/** Actions the api records, offered as suggestions; `family.*` matches a whole family. */
const KNOWN_ACTIONS = [
  'cohort.*',
  'cohort.create',
  'cohort.update',
  'cohort.delete',
  'cohort.instructor.assign',
  'cohort.instructor.unassign',
  'enrollment.*',
  'environment.*',
  'host-cluster.register',
  'invite.*',
  'password-reset.*',
  'plan.*',
  'progress.override',
  'progress.export',
  'qa.*',
  'roster.import',
  'service-token.*',
  'submission.review',
  'user.create',
  'user.erase',
];

interface Filters {
  cohortId: string;
  actorId: string;
  action: string;
}

const NO_FILTERS: Filters = { cohortId: '', actorId: '', action: '' };

function queryOf(filters: Filters, cursor: string | null): string {
  const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (filters.cohortId) params.set('cohortId', filters.cohortId);
  if (filters.actorId) params.set('actorId', filters.actorId);
  if (filters.action.trim()) params.set('action', filters.action.trim());
  if (cursor) params.set('cursor', cursor);
  return `?${params.toString()}`;
}

function describeMetadata(metadata: Record<string, unknown> | null): string {
  if (!metadata) return '';
  return Object.entries(metadata)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' · ');
}

/**
 * The audit log (admins): who did what to which target, newest first, filtered by cohort, actor
 * and action, in pages of 25 (the api's cursors; the cursors of earlier pages are kept for "Newer").
 */
export function AuditLog() {
  const choices = useLoad(async (signal) => {
    const [cohorts, instructors, admins] = await Promise.all([
      get<Page<CohortSummary>>('/cohorts?limit=100', signal),
      get<Page<UserRow>>('/users?role=instructor&limit=100', signal),
      get<Page<UserRow>>('/users?role=admin&limit=100', signal),
    ]);
    return { cohorts: cohorts.items, staff: [...admins.items, ...instructors.items] };
  }, 'audit-choices');
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  // cursors[i] is the cursor of page i (null for the first page).
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const query = queryOf(filters, cursor);
  const page = useLoad((signal) => get<Page<AuditLogEntry>>(`/audit-log${query}`, signal), query);
  const cohortName = new Map((choices.data?.cohorts ?? []).map((cohort) => [cohort.id, cohort.name]));

  const apply = (event: FormEvent): void => {
    event.preventDefault();
    setFilters({ ...draft });
    setCursors([null]);
  };
  const clear = (): void => {
    setDraft(NO_FILTERS);
    setFilters(NO_FILTERS);
    setCursors([null]);
  };
  const filterBy = (change: Partial<Filters>): void => {
    const next = { ...filters, ...change };
    setDraft(next);
    setFilters(next);
    setCursors([null]);
  };

  return (
    <Section title="Audit log" id="audit">
      <form className="filters" onSubmit={apply} aria-label="Filter the audit log">
        <div className="filter">
          <label htmlFor="audit-cohort">Cohort</label>
          <select
            id="audit-cohort"
            value={draft.cohortId}
            onChange={(event) => setDraft({ ...draft, cohortId: event.target.value })}
          >
            <option value="">All cohorts</option>
            {(choices.data?.cohorts ?? []).map((cohort) => (
              <option key={cohort.id} value={cohort.id}>
                {cohort.name}
              </option>
            ))}
          </select>
        </div>
        <div className="filter">
          <label htmlFor="audit-actor">Actor</label>
          <select
            id="audit-actor"
            value={draft.actorId}
            onChange={(event) => setDraft({ ...draft, actorId: event.target.value })}
          >
            <option value="">Anyone</option>
            {(choices.data?.staff ?? []).map((user) => (
              <option key={user.id} value={user.id}>
                {user.displayName} ({user.role})
              </option>
            ))}
            {draft.actorId && !choices.data?.staff.some((user) => user.id === draft.actorId) && (
              <option value={draft.actorId}>the selected user</option>
            )}
          </select>
        </div>
        <div className="filter">
          <label htmlFor="audit-action">Action</label>
          <input
            id="audit-action"
            list="audit-actions"
            placeholder="e.g. cohort.* or submission.review"
            value={draft.action}
            onChange={(event) => setDraft({ ...draft, action: event.target.value })}
          />
          <datalist id="audit-actions">
            {KNOWN_ACTIONS.map((action) => (
              <option key={action} value={action} />
            ))}
          </datalist>
        </div>
        <div className="filter-buttons">
          <button type="submit">Filter</button>
          <button type="button" className="secondary" onClick={clear}>
            Clear
          </button>
        </div>
      </form>
      <ErrorBox error={page.error} />
      {page.loading && !page.data && <Loading what="audit log" />}
      {page.data && page.data.items.length === 0 && !page.error && (
        <p className="muted">No entries match these filters.</p>
      )}
      {page.data && page.data.items.length > 0 && (
        <div className="table-scroll">
          <table className="audit-table" aria-label="Audit log entries" aria-busy={page.loading}>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Cohort</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {page.data.items.map((entry) => (
                <tr key={entry.id} data-audit={entry.action}>
                  <td>
                    <time dateTime={entry.at}>{new Date(entry.at).toLocaleString()}</time>
                  </td>
                  <td>
                    {entry.actor ? (
                      <button
                        type="button"
                        className="link"
                        title="Only this actor"
                        onClick={() => filterBy({ actorId: entry.actor!.id })}
                      >
                        {entry.actor.displayName}
                      </button>
                    ) : (
                      <span className="muted">system</span>
                    )}
                    {entry.actor && <span className="muted"> ({entry.actor.role})</span>}
                    {entry.actAs && <span className="muted"> for {entry.actAs.displayName}</span>}
                  </td>
                  <td>
                    <code>{entry.action}</code>
                  </td>
                  <td>
                    {entry.targetType}
                    {entry.targetId && <span className="muted mono"> {entry.targetId.slice(0, 8)}</span>}
                  </td>
                  <td>
                    {entry.cohortId ? (
                      <button
                        type="button"
                        className="link"
                        title="Only this cohort"
                        onClick={() => filterBy({ cohortId: entry.cohortId! })}
                      >
                        {cohortName.get(entry.cohortId) ?? entry.cohortId.slice(0, 8)}
                      </button>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td className="audit-details">
                    {describeMetadata(entry.metadata)}
                    {entry.ip && <span className="muted"> · from {entry.ip}</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav className="pager" aria-label="Audit log pages">
        <button
          type="button"
          className="secondary"
          disabled={cursors.length <= 1 || page.loading}
          onClick={() => setCursors(cursors.slice(0, -1))}
        >
          ← Newer
        </button>
        <span className="muted" aria-live="polite">
          Page {cursors.length}
        </span>
        <button
          type="button"
          className="secondary"
          disabled={!page.data?.nextCursor || page.loading}
          onClick={() => page.data?.nextCursor && setCursors([...cursors, page.data.nextCursor])}
        >
          Older →
        </button>
      </nav>
    </Section>
  );
}
