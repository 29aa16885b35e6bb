import { useCallback, useEffect, useMemo, useState } from 'react';
import { describeError, download, get, isMissingRoute, request } from '../api.js';
import { ENVIRONMENT_STATE, EnvironmentProgress, IN_MOTION } from '../components/environment.js';
import { timeAgo } from '../components/status.js';
import { Badge, ErrorBox, Loading, ProgressBar, Section } from '../components/ui.js';
import { useLoad } from '../hooks.js';
import { useLive } from '../live.js';
import { useMe } from '../session.js';
import type {
  CostForecast,
  EnvironmentOperation,
  EnvironmentState,
  EventPayloads,
  LiveEvent,
  Page,
  StaffEnvironment,
} from '../types.js';

type Action = 'sleep' | 'wake' | 'reset';

const ACTION_LABEL: Record<Action, string> = { sleep: 'Sleep', wake: 'Wake', reset: 'Reset' };
const ACTION_DONE: Record<Action, string> = {
  sleep: 'going to sleep',
  wake: 'waking up',
  reset: 'being reset (the student’s objects are exported first)',
};

/** Which actions make sense in which state (the api decides; this only avoids pointless clicks). */
function allowed(state: EnvironmentState, action: Action): boolean {
  if (action === 'sleep') return state === 'ready';
  if (action === 'wake') return state === 'sleeping';
  return state === 'ready' || state === 'sleeping' || state === 'failed';
}

export async function loadEnvironments(cohortId: string, signal: AbortSignal): Promise<StaffEnvironment[]> {
  const all: StaffEnvironment[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `?limit=100&cursor=${encodeURIComponent(cursor)}` : '?limit=100';
    const page: Page<StaffEnvironment> = await get<Page<StaffEnvironment>>(
      `/cohorts/${cohortId}/environments${query}`,
      signal,
    );
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

/** An `environment.changed` event applied to the list: events carry absolute state and progress. */
function applyChange(
  list: StaffEnvironment[],
  change: EventPayloads['environment.changed'],
  at: string,
): StaffEnvironment[] {
  const patch = {
    state: change.state,
    progressStep: change.progressStep,
    progressPercent: change.progressPercent,
    stateReason: change.reason ?? null,
    stateChangedAt: at,
    kubeconfigAvailable: change.state === 'ready',
  };
  if (change.state === 'deleted') return list.filter((env) => env.id !== change.environmentId);
  if (list.some((env) => env.id === change.environmentId))
    return list.map((env) => (env.id === change.environmentId ? { ...env, ...patch } : env));
  // A new environment (first request, or a reset's replacement): it supersedes the student's old one.
  const fresh: StaffEnvironment = {
    id: change.environmentId,
    cohortId: null,
    userId: change.userId,
    hostClusterId: null,
    namespace: null,
    workbenchNamespace: null,
    serverUrl: null,
    requestedAt: at,
    readyAt: null,
    expiresAt: null,
    ...patch,
  };
  return [fresh, ...list];
}

interface Row {
  userId: string | null;
  name: string;
  environment: StaffEnvironment | null;
}

/**
 * The cohort's environments: a chart of how many are in each state, then one row per student with
 * provisioning progress (live from `environment.changed`), sleep / wake / reset, the cost forecast.
 */
export function EnvironmentsPanel({
  cohortId,
  students,
}: {
  cohortId: string;
  students: { userId: string; displayName: string }[];
}) {
  // The api hands a student's kubeconfig to the instructors teaching the cohort only (audited).
  const me = useMe();
  const environments = useLoad((signal) => loadEnvironments(cohortId, signal), `env:${cohortId}`);
  const [messages, setMessages] = useState<Map<string, { text: string; error: boolean }>>(new Map());
  const [pending, setPending] = useState<Set<string>>(new Set());
  const [bulk, setBulk] = useState<{ text: string; error: boolean } | null>(null);
  const [operation, setOperation] = useState<EnvironmentOperation | null>(null);

  const onEvent = useCallback(
    (event: LiveEvent) => {
      if (event.type !== 'environment.changed') return;
      const change = event.payload as EventPayloads['environment.changed'];
      environments.setData((list) => applyChange(list ?? [], change, event.at));
    },
    [environments],
  );
  useLive(cohortId, onEvent, environments.reload);

  const rows = useMemo<Row[]>(() => {
    const list = environments.data ?? [];
    // The newest environment of each student (after a reset the old one may still be tearing down).
    const byUser = new Map<string, StaffEnvironment>();
    for (const env of list) {
      if (!env.userId) continue;
      const known = byUser.get(env.userId);
      if (!known || Date.parse(env.requestedAt) > Date.parse(known.requestedAt)) byUser.set(env.userId, env);
    }
    const enrolled = new Set(students.map((student) => student.userId));
    return [
      ...students.map((student) => ({
        userId: student.userId,
        name: student.displayName,
        environment: byUser.get(student.userId) ?? null,
      })),
      ...[...byUser.values()]
        .filter((env) => env.userId && !enrolled.has(env.userId))
        .map((env) => ({ userId: env.userId, name: 'Former student', environment: env })),
    ];
  }, [environments.data, students]);

  const counts = useMemo(() => {
    const result = new Map<EnvironmentState | 'none', number>();
    for (const row of rows) {
      const key = row.environment?.state ?? 'none';
      result.set(key, (result.get(key) ?? 0) + 1);
    }
    return result;
  }, [rows]);

  const say = (id: string, text: string, error: boolean): void =>
    setMessages((current) => new Map(current).set(id, { text, error }));

  const act = async (row: Row, action: Action): Promise<void> => {
    const env = row.environment;
    if (!env) return;
    if (
      action === 'reset' &&
      !window.confirm(`Reset ${row.name}'s environment? Their objects are exported first.`)
    )
      return;
    setPending((current) => new Set(current).add(env.id));
    try {
      const updated = await request<StaffEnvironment>('POST', `/environments/${env.id}/${action}`, {});
      if (updated && typeof updated === 'object' && 'state' in updated)
        environments.setData((list) =>
          (list ?? []).some((item) => item.id === updated.id)
            ? (list ?? []).map((item) => (item.id === updated.id ? { ...item, ...updated } : item))
            : [{ ...env, ...updated }, ...(list ?? [])],
        );
      say(env.id, `${row.name}'s environment is ${ACTION_DONE[action]}.`, false);
    } catch (failure) {
      say(
        env.id,
        isMissingRoute(failure)
          ? `${ACTION_LABEL[action]} is not available on this server yet (the api has no such route).`
          : `${ACTION_LABEL[action]} failed: ${describeError(failure)}`,
        true,
      );
    } finally {
      setPending((current) => {
        const next = new Set(current);
        next.delete(env.id);
        return next;
      });
    }
  };

  const provisionAll = async (): Promise<void> => {
    setBulk(null);
    try {
      const started = await request<EnvironmentOperation>('POST', `/cohorts/${cohortId}/environments`, {});
      setOperation(started);
    } catch (failure) {
      setBulk({
        text: isMissingRoute(failure)
          ? 'Provisioning for the whole cohort is not available on this server yet (the api has no such route).'
          : `Could not start provisioning: ${describeError(failure)}`,
        error: true,
      });
    }
  };

  // A running cohort-wide operation: its counters are read every 2 s until it ends.
  useEffect(() => {
    if (!operation || operation.state !== 'running') return;
    const timer = setTimeout(() => {
      get<EnvironmentOperation>(`/cohorts/${cohortId}/environments/operations/${operation.id}`).then(
        setOperation,
        (failure: unknown) => setBulk({ text: describeError(failure), error: true }),
      );
    }, 2000);
    return () => clearTimeout(timer);
  }, [cohortId, operation]);

  const total = rows.length;
  const order: (EnvironmentState | 'none')[] = [
    'ready',
    'provisioning',
    'requested',
    'waking',
    'sleeping',
    'deleting',
    'failed',
    'none',
  ];
  const fillOf = (key: EnvironmentState | 'none'): string =>
    key === 'none' ? '#e5e7eb' : ENVIRONMENT_STATE[key].fill;
  const labelOf = (key: EnvironmentState | 'none'): string =>
    key === 'none' ? 'No environment' : ENVIRONMENT_STATE[key].label;

  return (
    <div className="grid-progress">
      <Section
        title="Environments"
        id="environments"
        actions={
          <button type="button" className="secondary" onClick={() => void provisionAll()}>
            Provision for everyone
          </button>
        }
      >
        {bulk && (
          <p className={bulk.error ? 'error' : 'notice'} role={bulk.error ? 'alert' : 'status'}>
            {bulk.text}
          </p>
        )}
        {operation && (
          <div className="operation" role="status">
            <ProgressBar
              percent={operation.percent}
              label={`Provisioning the cohort: ${operation.ready} ready, ${operation.skipped} already had one, ${operation.failed} failed of ${operation.total}`}
            />
            {operation.state === 'succeeded' && <p className="notice">Every student has an environment.</p>}
            {operation.state === 'stopped' && (
              <p className="bad">Stopped: {operation.stopReason?.replace(/_/g, ' ') ?? 'unknown reason'}.</p>
            )}
          </div>
        )}
        <ErrorBox error={environments.error} />
        {!environments.data && !environments.error && <Loading what="environments" />}
        {environments.data && total > 0 && (
          <figure className="env-chart" aria-labelledby="env-chart-caption">
            <div className="stacked-bar" aria-hidden="true">
              {order
                .filter((key) => (counts.get(key) ?? 0) > 0)
                .map((key) => (
                  <span
                    key={key}
                    className="stacked-segment"
                    style={{ width: `${((counts.get(key) ?? 0) / total) * 100}%`, background: fillOf(key) }}
                    title={`${labelOf(key)}: ${counts.get(key)}`}
                  />
                ))}
            </div>
            <figcaption id="env-chart-caption">
              <ul className="legend" aria-label="Environments by state">
                {order
                  .filter((key) => (counts.get(key) ?? 0) > 0)
                  .map((key) => (
                    <li key={key} data-state-count={key}>
                      <span className="swatch" style={{ background: fillOf(key) }} aria-hidden="true" />
                      {labelOf(key)}: <strong>{counts.get(key)}</strong>
                    </li>
                  ))}
              </ul>
            </figcaption>
          </figure>
        )}
        {environments.data && (
          <table className="env-table" aria-label="Environments of the students">
            <thead>
              <tr>
                <th scope="col">Student</th>
                <th scope="col">State and progress</th>
                <th scope="col">Since</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => {
                const env = row.environment;
                const message = env ? messages.get(env.id) : undefined;
                return (
                  <tr
                    key={row.userId ?? env?.id}
                    data-env-user={row.userId ?? ''}
                    data-env-state={env?.state ?? 'none'}
                  >
                    <th scope="row">
                      {row.userId ? (
                        <a href={`#/cohorts/${cohortId}/students/${row.userId}`}>{row.name}</a>
                      ) : (
                        row.name
                      )}
                    </th>
                    <td className="env-cell">
                      {env ? (
                        <EnvironmentProgress environment={env} who={row.name} />
                      ) : (
                        <span className="muted">No environment</span>
                      )}
                      {message && (
                        <p className={message.error ? 'env-message bad' : 'env-message ok'} role="status">
                          {message.text}
                        </p>
                      )}
                    </td>
                    <td className="muted">{env ? timeAgo(env.stateChangedAt) : '—'}</td>
                    <td>
                      {env && (
                        <div className="row env-actions">
                          {(['sleep', 'wake', 'reset'] as Action[]).map((action) => (
                            <button
                              key={action}
                              type="button"
                              className="secondary small"
                              disabled={pending.has(env.id) || !allowed(env.state, action)}
                              aria-label={`${ACTION_LABEL[action]} ${row.name}'s environment`}
                              onClick={() => void act(row, action)}
                            >
                              {ACTION_LABEL[action]}
                            </button>
                          ))}
                          {env.kubeconfigAvailable && me?.role === 'instructor' && (
                            <button
                              type="button"
                              className="link small"
                              aria-label={`Download ${row.name}'s kubeconfig`}
                              onClick={() =>
                                void download(
                                  `/environments/${env.id}/kubeconfig`,
                                  `${row.name.replace(/\W+/g, '-')}-kubeconfig.yaml`,
                                ).catch((failure: unknown) => say(env.id, describeError(failure), true))
                              }
                            >
                              kubeconfig
                            </button>
                          )}
                        </div>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        {environments.data &&
          rows.some((row) => row.environment && IN_MOTION.includes(row.environment.state)) && (
            <p className="muted">Progress bars move live as the worker reports each step.</p>
          )}
      </Section>
      <div className="side">
        <CostForecastSection cohortId={cohortId} />
      </div>
    </div>
  );
}

const round1 = (value: number): string => (Math.round(value * 10) / 10).toLocaleString();

/**
 * One resource (CPU hours or memory GiB hours): spent so far and the forecast, against the budget
 * when there is one (otherwise against the larger of the two). Figures in words beside the bars.
 */
function ResourceBars({
  label,
  unit,
  spent,
  forecast,
  budget,
}: {
  label: string;
  unit: string;
  spent: number;
  forecast: number | null;
  budget: number | null;
}) {
  const scale = budget ?? Math.max(spent, forecast ?? 0, 1);
  const width = (value: number): string => `${Math.min(100, (value / scale) * 100)}%`;
  const over = (value: number | null): boolean => budget !== null && value !== null && value > budget;
  return (
    <li className="resource" data-resource={label}>
      <strong>{label}</strong>
      <div className="resource-row">
        <span className="resource-name">Spent</span>
        <div className="budget-track" aria-hidden="true">
          <div className={over(spent) ? 'budget-fill over' : 'budget-fill'} style={{ width: width(spent) }} />
        </div>
        <span className="resource-value">
          {round1(spent)} {unit}
        </span>
      </div>
      <div className="resource-row">
        <span className="resource-name">Forecast</span>
        <div className="budget-track" aria-hidden="true">
          {forecast !== null && (
            <div
              className={over(forecast) ? 'budget-fill forecast over' : 'budget-fill forecast'}
              style={{ width: width(forecast) }}
            />
          )}
        </div>
        <span className="resource-value">{forecast === null ? '—' : `${round1(forecast)} ${unit}`}</span>
      </div>
      <p className="muted small-text">
        {budget === null ? 'No budget (unlimited).' : `Budget: ${round1(budget)} ${unit}.`}
      </p>
    </li>
  );
}

/**
 * GET /cohorts/:id/cost-forecast (issue #5's route): students x footprint x schedule, what ran so
 * far, and the budget. A server without the route yet says so instead of failing.
 */
function CostForecastSection({ cohortId }: { cohortId: string }) {
  const forecast = useLoad(async (signal) => {
    try {
      return {
        available: true as const,
        data: await get<CostForecast>(`/cohorts/${cohortId}/cost-forecast`, signal),
      };
    } catch (failure) {
      if (isMissingRoute(failure)) return { available: false as const };
      throw failure;
    }
  }, `forecast:${cohortId}`);
  const data = forecast.data?.available ? forecast.data.data : null;
  return (
    <Section
      title="Cost forecast"
      id="cost-forecast"
      actions={
        data && data.withinBudget !== null ? (
          <Badge tone={data.withinBudget ? 'good' : 'bad'}>
            {data.withinBudget ? 'within budget' : 'over budget'}
          </Badge>
        ) : undefined
      }
    >
      <ErrorBox error={forecast.error} />
      {forecast.loading && !forecast.data && <Loading what="cost forecast" />}
      {forecast.data && !forecast.data.available && (
        <p className="muted" role="status">
          The cost forecast is not available on this server yet.
        </p>
      )}
      {data && (
        <>
          <p className="muted small-text">
            {data.students} student(s) × {round1((data.footprint?.cpuMillis ?? 0) / 1000)} CPU,{' '}
            {round1((data.footprint?.memoryMib ?? 0) / 1024)} GiB each ×{' '}
            {data.schedule?.hoursPerEnvironment !== null && data.schedule?.hoursPerEnvironment !== undefined
              ? `${round1(data.schedule.hoursPerEnvironment)} h`
              : 'an open-ended schedule'}{' '}
            ({data.schedule?.awakeHoursPerDay ?? '?'} h awake a day
            {data.schedule?.days ? ` over ${data.schedule.days} days` : ''})
          </p>
          {!data.forecast && (
            <p className="muted small-text">Give the cohort start and end dates to get a forecast.</p>
          )}
          <ul className="budget-bars" aria-label="Spent and forecast against budget">
            <ResourceBars
              label="CPU"
              unit="CPU-hours"
              spent={data.spent?.cpuHours ?? 0}
              forecast={data.forecast?.cpuHours ?? null}
              budget={data.budget?.cpuHours ?? null}
            />
            <ResourceBars
              label="Memory"
              unit="GiB-hours"
              spent={data.spent?.memoryGibHours ?? 0}
              forecast={data.forecast?.memoryGibHours ?? null}
              budget={data.budget?.memoryGibHours ?? null}
            />
          </ul>
        </>
      )}
    </Section>
  );
}
