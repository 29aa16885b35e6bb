import { get } from '../api.js';
import { Badge, ErrorBox, Loading } from '../components/ui.js';
import { useLoad } from '../hooks.js';
import type { CohortSummary, Page } from '../types.js';

const TONE = { draft: 'neutral', active: 'good', completed: 'info', archived: 'neutral' } as const;

async function allCohorts(signal: AbortSignal): Promise<CohortSummary[]> {
  const items: CohortSummary[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<CohortSummary> = await get<Page<CohortSummary>>(
      `/cohorts?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      signal,
    );
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && items.length < 1000);
  return items;
}

export function CohortList() {
  const cohorts = useLoad(allCohorts, 'cohorts');
  return (
    <div className="page">
      <h1>Cohorts</h1>
      <ErrorBox error={cohorts.error} />
      {!cohorts.data && !cohorts.error && <Loading what="cohorts" />}
      {cohorts.data?.length === 0 && <p className="muted">You do not teach any cohort yet.</p>}
      <ul className="cohort-cards">
        {(cohorts.data ?? []).map((cohort) => (
          <li key={cohort.id}>
            <a href={`#/cohorts/${cohort.id}`} className="card cohort-card">
              <span className="cohort-name">{cohort.name}</span>
              <Badge tone={TONE[cohort.status]}>{cohort.status}</Badge>
              <span className="muted">
                {cohort.startsAt ? new Date(cohort.startsAt).toLocaleDateString() : 'no start date'} –{' '}
                {cohort.endsAt ? new Date(cohort.endsAt).toLocaleDateString() : 'open'} · {cohort.timeZone}
              </span>
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}
