import { useCallback, useMemo, useState } from 'react';
import { describeError, download, get, isMissingRoute, request } from '../api.js';
import { ENVIRONMENT_STATE, EnvironmentProgress, IN_MOTION } from '../components/environment.js';
import { timeAgo } from '../components/status.js';
import { ErrorBox, Loading, Section } from '../components/ui.js';
import { useLoad } from '../hooks.js';
import { useLive } from '../live.js';
import type { EnvironmentState, EventPayloads, LiveEvent, Page, StaffEnvironment } from '../types.js';

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
  const environments = useLoad((signal) => loadEnvironments(cohortId, signal), `env:${cohortId}`);
  const [messages, setMessages] = useState<Map<string, { text: string; error: boolean }>>(new Map());
  const [pending, setPending] = useState<Set<string>>(new Set());
  const [bulk, setBulk] = useState<{ text: string; error: boolean } | null>(null);

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
      await request('POST', `/cohorts/${cohortId}/environments`, {});
      setBulk({
        text: 'Provisioning started for every enrolled student; progress appears below.',
        error: false,
      });
    } catch (failure) {
      setBulk({
        text: isMissingRoute(failure)
          ? 'Provisioning for the whole cohort is not available on this server yet (the api has no such route).'
          : `Could not start provisioning: ${describeError(failure)}`,
        error: true,
      });
    }
  };

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
                          {env.kubeconfigAvailable && (
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
        <CostForecast cohortId={cohortId} />
      </div>
    </div>
  );
}

type Forecast = Record<string, unknown>;

/** `cpuHours` -> `CPU hours`, `memoryGibHours` -> `memory GiB hours`. */
function humanize(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return (words.charAt(0).toUpperCase() + words.slice(1))
    .replace(/\bcpu\b/gi, 'CPU')
    .replace(/\bgib\b/gi, 'GiB')
    .replace(/\bmib\b/gi, 'MiB');
}

function numbersOf(value: unknown, prefix = ''): [string, number][] {
  if (typeof value === 'number' && Number.isFinite(value)) return [[prefix, value]];
  if (!value || typeof value !== 'object' || Array.isArray(value)) return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, inner]) =>
    numbersOf(inner, prefix ? `${prefix}.${key}` : key),
  );
}

/**
 * GET /cohorts/:id/cost-forecast (students x footprint x schedule). Its exact shape is still being
 * settled, so this shows its figures by name, and forecast-vs-budget bars for every figure that has
 * a budget counterpart (`budget.<name>`).
 */
function CostForecast({ cohortId }: { cohortId: string }) {
  const forecast = useLoad(async (signal) => {
    try {
      return {
        available: true as const,
        data: await get<Forecast>(`/cohorts/${cohortId}/cost-forecast`, signal),
      };
    } catch (failure) {
      if (isMissingRoute(failure)) return { available: false as const };
      throw failure;
    }
  }, `forecast:${cohortId}`);
  const figures = forecast.data?.available ? numbersOf(forecast.data.data) : [];
  const budgets = new Map(
    figures.filter(([key]) => key.startsWith('budget.')).map(([key, value]) => [key.slice(7), value]),
  );
  const plain = figures.filter(([key]) => !key.startsWith('budget.'));
  const compared = plain.filter(([key]) => budgets.has(key.split('.').pop() ?? key));
  return (
    <Section title="Cost forecast" id="cost-forecast">
      <ErrorBox error={forecast.error} />
      {forecast.loading && !forecast.data && <Loading what="cost forecast" />}
      {forecast.data && !forecast.data.available && (
        <p className="muted" role="status">
          The cost forecast is not available on this server yet.
        </p>
      )}
      {forecast.data?.available && figures.length === 0 && <p className="muted">No figures yet.</p>}
      {compared.length > 0 && (
        <ul className="budget-bars" aria-label="Forecast against budget">
          {compared.map(([key, value]) => {
            const budget = budgets.get(key.split('.').pop() ?? key)!;
            const percent = budget > 0 ? (value / budget) * 100 : 0;
            return (
              <li key={key}>
                <span>
                  {humanize(key.split('.').pop() ?? key)}: <strong>{Math.round(value * 10) / 10}</strong> of{' '}
                  {Math.round(budget * 10) / 10}
                </span>
                <div className="budget-track" aria-hidden="true">
                  <div
                    className={percent > 100 ? 'budget-fill over' : 'budget-fill'}
                    style={{ width: `${Math.min(100, percent)}%` }}
                  />
                </div>
              </li>
            );
          })}
        </ul>
      )}
      {plain.length > 0 && (
        <dl className="forecast-figures">
          {plain.map(([key, value]) => (
            <div key={key}>
              <dt>{humanize(key.replace(/\./g, ' '))}</dt>
              <dd>{Math.round(value * 100) / 100}</dd>
            </div>
          ))}
        </dl>
      )}
    </Section>
  );
}
