import { useCallback, useState } from 'react';
import { ApiError, describeError, download, get, isMissingRoute, request } from '../api.js';
import { EnvironmentProgress, IN_MOTION } from '../components/environment.js';
import { timeAgo } from '../components/status.js';
import { ErrorBox, Loading, Section } from '../components/ui.js';
import { useLoad } from '../hooks.js';
import { useLive } from '../live.js';
import type { EnvironmentExport, EnvironmentView, EventPayloads, LiveEvent, Me } from '../types.js';

type Mine = { environment: EnvironmentView } | { environment: null };

/** The student's own environment: ask for one, watch it provision live, download the kubeconfig. */
export function MyEnvironment({ me }: { me: Me }) {
  const mine = useLoad<Mine>(async (signal) => {
    try {
      return { environment: await get<EnvironmentView>('/me/environment', signal) };
    } catch (failure) {
      // 404: never asked for one yet.
      if (failure instanceof ApiError && failure.status === 404 && !isMissingRoute(failure))
        return { environment: null };
      throw failure;
    }
  }, 'me-environment');
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const onEvent = useCallback(
    (event: LiveEvent) => {
      if (event.type !== 'environment.changed') return;
      const change = event.payload as EventPayloads['environment.changed'];
      if (change.userId !== me.id) return;
      mine.setData((current) => {
        const known = current?.environment;
        if (known && known.id !== change.environmentId && change.state === 'deleted') return current;
        const base: EnvironmentView =
          known && known.id === change.environmentId
            ? known
            : {
                id: change.environmentId,
                cohortId: event.cohortId,
                serverUrl: null,
                requestedAt: event.at,
                readyAt: null,
                kubeconfigAvailable: false,
                state: change.state,
                stateReason: null,
                progressStep: null,
                progressPercent: 0,
                stateChangedAt: event.at,
                expiresAt: null,
              };
        return {
          environment: {
            ...base,
            state: change.state,
            progressStep: change.progressStep,
            progressPercent: change.progressPercent,
            stateReason: change.reason ?? null,
            stateChangedAt: event.at,
            kubeconfigAvailable: change.state === 'ready',
            readyAt: change.state === 'ready' ? (base.readyAt ?? event.at) : base.readyAt,
          },
        };
      });
      // The event carries state and progress; the server address and kubeconfig come with a read.
      if (change.state === 'ready') mine.reload();
    },
    [me.id, mine],
  );
  useLive(me.enrollment?.cohortId, onEvent, mine.reload);

  const run = async (label: string, work: () => Promise<string>): Promise<void> => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      setNotice(await work());
    } catch (failure) {
      setError(
        isMissingRoute(failure)
          ? `${label} is not available on this server yet.`
          : failure instanceof ApiError && failure.code === 'no_capacity'
            ? 'No host cluster has room right now. Try again in a few minutes, or ask your instructor.'
            : describeError(failure),
      );
    } finally {
      setBusy(false);
    }
  };

  const ask = () =>
    run('Asking for an environment', async () => {
      const env = await request<EnvironmentView>('POST', '/me/environment', {});
      mine.setData(() => ({ environment: env }));
      return env.state === 'ready' ? 'Your environment is ready.' : 'Your environment is being prepared.';
    });
  const lifecycle = (action: 'sleep' | 'wake' | 'reset') =>
    run(action === 'sleep' ? 'Sleep' : action === 'wake' ? 'Wake' : 'Reset', async () => {
      if (
        action === 'reset' &&
        !window.confirm(
          'Reset your environment? Your objects are exported first, then you get a fresh cluster.',
        )
      )
        return '';
      const env = await request<EnvironmentView>('POST', `/me/environment/${action}`, {});
      mine.setData(() => ({ environment: env }));
      return action === 'sleep'
        ? 'Your environment is going to sleep.'
        : action === 'wake'
          ? 'Your environment is waking up.'
          : 'Your environment is being reset.';
    });
  const kubeconfig = () =>
    run('Kubeconfig download', async () => {
      await download('/me/environment/kubeconfig', 'kubecohort-kubeconfig.yaml');
      return 'Kubeconfig downloaded: use it with kubectl --kubeconfig kubecohort-kubeconfig.yaml';
    });

  if (!me.enrollment)
    return (
      <div className="page">
        <h1>My environment</h1>
        <p>You are not enrolled in a cohort.</p>
      </div>
    );
  const env = mine.data?.environment ?? null;
  return (
    <div className="page">
      <h1>My environment</h1>
      <p className="muted">
        Your own virtual Kubernetes cluster (a vcluster) and a workbench, for the labs of{' '}
        {me.enrollment.cohortName}.
      </p>
      <Section title="Environment" id="my-environment">
        <ErrorBox error={mine.error} />
        {mine.loading && !mine.data && <Loading what="your environment" />}
        {mine.data && !env && (
          <>
            <p>You have no environment yet.</p>
            <button type="button" disabled={busy} onClick={() => void ask()}>
              Create my environment
            </button>
          </>
        )}
        {env && (
          <div className="stack my-env">
            <EnvironmentProgress environment={env} who="Your environment" />
            <p className="muted">
              {IN_MOTION.includes(env.state)
                ? 'This page updates by itself as each step completes.'
                : `Since ${timeAgo(env.stateChangedAt)}.`}
              {env.serverUrl && (
                <>
                  {' '}
                  API server: <code>{env.serverUrl}</code>
                </>
              )}
            </p>
            <div className="row">
              <button
                type="button"
                disabled={busy || !env.kubeconfigAvailable}
                onClick={() => void kubeconfig()}
                aria-describedby={env.kubeconfigAvailable ? undefined : 'kubeconfig-why'}
              >
                Download kubeconfig
              </button>
              {env.state === 'ready' && (
                <button
                  type="button"
                  className="secondary"
                  disabled={busy}
                  onClick={() => void lifecycle('sleep')}
                >
                  Sleep
                </button>
              )}
              {env.state === 'sleeping' && (
                <button
                  type="button"
                  className="secondary"
                  disabled={busy}
                  onClick={() => void lifecycle('wake')}
                >
                  Wake
                </button>
              )}
              {(env.state === 'ready' || env.state === 'sleeping' || env.state === 'failed') && (
                <button
                  type="button"
                  className="secondary"
                  disabled={busy}
                  onClick={() => void lifecycle('reset')}
                >
                  Reset
                </button>
              )}
              {(env.state === 'deleted' || env.state === 'failed') && (
                <button type="button" disabled={busy} onClick={() => void ask()}>
                  Create a new environment
                </button>
              )}
            </div>
            {!env.kubeconfigAvailable && (
              <p id="kubeconfig-why" className="muted">
                The kubeconfig can be downloaded once the environment is ready.
              </p>
            )}
          </div>
        )}
        <ErrorBox error={error} />
        {notice && (
          <p role="status" className="notice">
            {notice}
          </p>
        )}
      </Section>
      <Exports version={env?.id ?? ''} />
    </div>
  );
}

function formatSize(bytes: number): string {
  return bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 * 1024
      ? `${Math.round(bytes / 102.4) / 10} KiB`
      : `${Math.round(bytes / 104857.6) / 10} MiB`;
}

/**
 * What was exported of the student's objects before a reset or teardown (issue #5), downloadable
 * until it expires. Read again when the environment changes (a reset makes a new one).
 */
function Exports({ version }: { version: string }) {
  const exports = useLoad<EnvironmentExport[] | null>(async (signal) => {
    try {
      return await get<EnvironmentExport[]>('/me/environment/exports', signal);
    } catch (failure) {
      if (isMissingRoute(failure)) return null;
      throw failure;
    }
  }, `exports:${version}`);
  const [error, setError] = useState<string | null>(null);
  if (exports.data === null || (exports.data && exports.data.length === 0)) return null;
  return (
    <Section title="Saved exports of your objects" id="exports">
      <p className="muted">
        Before a reset or teardown, what you created in your cluster is saved as YAML. Re-create it with{' '}
        <code>kubectl apply -f</code>.
      </p>
      <ErrorBox error={exports.error ?? error} />
      <ul className="student-list">
        {(exports.data ?? []).map((item) => (
          <li key={item.id} data-export={item.id}>
            <button
              type="button"
              className="link"
              onClick={() => {
                setError(null);
                download(
                  `/me/environment/exports/${item.id}`,
                  `kubecohort-export-${item.createdAt.slice(0, 10)}.yaml`,
                ).catch((failure: unknown) => setError(describeError(failure)));
              }}
            >
              Download the {item.reason} export of {new Date(item.createdAt).toLocaleString()}
            </button>
            <span className="muted">
              {' '}
              · {formatSize(item.sizeBytes)} · kept until {new Date(item.expiresAt).toLocaleDateString()}
            </span>
          </li>
        ))}
      </ul>
    </Section>
  );
}
