import { useRef, useState, type FormEvent } from 'react';
import { ApiError, describeError, get, request } from '../api.js';
import { timeAgo } from '../components/status.js';
import { Badge, ErrorBox, Loading, Section } from '../components/ui.js';
import { useFocusFirstInvalid, useLoad } from '../hooks.js';
import type { HostCluster, Page } from '../types.js';

const STATUS_TONE = { active: 'good', draining: 'warn', unreachable: 'bad' } as const;

async function loadClusters(signal: AbortSignal): Promise<HostCluster[]> {
  const all: HostCluster[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `?limit=100&cursor=${encodeURIComponent(cursor)}` : '?limit=100';
    const page: Page<HostCluster> = await get<Page<HostCluster>>(`/host-clusters${query}`, signal);
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

/** One resource: allocated against capacity, as a bar (red past 90 %) with the figures in words. */
function CapacityBar({
  label,
  used,
  total,
  unit,
}: {
  label: string;
  used: number;
  total: number;
  unit: string;
}) {
  const percent = total > 0 ? Math.round((used / total) * 100) : 0;
  const format = (value: number): string =>
    unit === 'cores'
      ? (value / 1000).toLocaleString(undefined, { maximumFractionDigits: 1 })
      : value.toLocaleString();
  return (
    <div className="capacity">
      <span className="capacity-label">
        {label}: <strong>{format(used)}</strong> of {format(total)} {unit} ({percent}%)
      </span>
      <div
        className="budget-track"
        role="meter"
        aria-label={`${label} allocated`}
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={used}
        aria-valuetext={`${percent}%`}
      >
        <div
          className={percent > 90 ? 'budget-fill over' : 'budget-fill'}
          style={{ width: `${Math.min(100, percent)}%` }}
        />
      </div>
    </div>
  );
}

interface Draft {
  name: string;
  region: string;
  kubeconfig: string;
  capacityEnvironments: string;
  capacityCpuMillis: string;
  capacityMemoryMib: string;
}

const EMPTY: Draft = {
  name: '',
  region: '',
  kubeconfig: '',
  capacityEnvironments: '40',
  capacityCpuMillis: '200000',
  capacityMemoryMib: '400000',
};

/** Admin: host clusters with capacity and health; registering one checks its kubeconfig first. */
export function HostClusters() {
  const clusters = useLoad(loadClusters, 'host-clusters');
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const focusFirstInvalid = useFocusFirstInvalid(form);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setNotice(null);
    setFieldErrors({});
    const number = (value: string): number | null => (value.trim() === '' ? null : Number(value));
    try {
      const created = await request<HostCluster>('POST', '/host-clusters', {
        name: draft.name.trim(),
        region: draft.region.trim(),
        kubeconfig: draft.kubeconfig,
        capacityEnvironments: number(draft.capacityEnvironments),
        capacityCpuMillis: number(draft.capacityCpuMillis),
        capacityMemoryMib: number(draft.capacityMemoryMib),
      });
      setDraft(EMPTY);
      setNotice(`Host cluster ${created.name} registered.`);
      clusters.reload();
    } catch (failure) {
      if (failure instanceof ApiError && failure.details.some((detail) => detail.field)) {
        const byField: Record<string, string> = {};
        for (const detail of failure.details)
          if (detail.field)
            byField[detail.field] = [byField[detail.field], detail.problem].filter(Boolean).join('; ');
        setFieldErrors(byField);
        setError(`Not registered: ${failure.message}`);
        focusFirstInvalid();
      } else setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  };

  const field = (key: keyof Draft, label: string, input: 'text' | 'number' | 'textarea', hint?: string) => (
    <div className="form-field">
      <label htmlFor={`hc-${key}`}>{label}</label>
      {input === 'textarea' ? (
        <textarea
          id={`hc-${key}`}
          rows={6}
          className="mono"
          spellCheck={false}
          value={draft[key]}
          aria-invalid={Boolean(fieldErrors[key])}
          aria-describedby={fieldErrors[key] ? `hc-${key}-error` : hint ? `hc-${key}-hint` : undefined}
          onChange={(event) => setDraft({ ...draft, [key]: event.target.value })}
        />
      ) : (
        <input
          id={`hc-${key}`}
          type={input}
          inputMode={input === 'number' ? 'numeric' : undefined}
          value={draft[key]}
          aria-invalid={Boolean(fieldErrors[key])}
          aria-describedby={fieldErrors[key] ? `hc-${key}-error` : hint ? `hc-${key}-hint` : undefined}
          onChange={(event) => setDraft({ ...draft, [key]: event.target.value })}
        />
      )}
      {hint && !fieldErrors[key] && (
        <span className="muted small-text" id={`hc-${key}-hint`}>
          {hint}
        </span>
      )}
      {fieldErrors[key] && (
        <span className="field-error" id={`hc-${key}-error`}>
          {fieldErrors[key]}
        </span>
      )}
    </div>
  );

  return (
    <div className="grid-2">
      <Section title="Host clusters" id="host-clusters">
        <ErrorBox error={clusters.error} />
        {!clusters.data && !clusters.error && <Loading what="host clusters" />}
        {clusters.data?.length === 0 && <p className="muted">No host cluster is registered yet.</p>}
        <ul className="host-clusters">
          {(clusters.data ?? []).map((cluster) => (
            <li key={cluster.id} className="host-cluster" data-host-cluster={cluster.name}>
              <div className="host-cluster-head">
                <strong>{cluster.name}</strong>
                <span className="muted">{cluster.region}</span>
                <Badge tone={STATUS_TONE[cluster.status]}>{cluster.status}</Badge>
              </div>
              <p className="muted small-text">
                <code>{cluster.apiServerUrl}</code> · checked {timeAgo(cluster.lastCheckedAt)}
              </p>
              {cluster.lastCheckError && (
                <p className="bad small-text">Last check: {cluster.lastCheckError}</p>
              )}
              <CapacityBar
                label="Environments"
                used={cluster.allocated.environments}
                total={cluster.capacity.environments}
                unit="environments"
              />
              <CapacityBar
                label="CPU"
                used={cluster.allocated.cpuMillis}
                total={cluster.capacity.cpuMillis}
                unit="cores"
              />
              <CapacityBar
                label="Memory"
                used={cluster.allocated.memoryMib}
                total={cluster.capacity.memoryMib}
                unit="MiB"
              />
            </li>
          ))}
        </ul>
      </Section>
      <Section title="Register a host cluster" id="register-host-cluster">
        <form ref={form} className="form" onSubmit={(event) => void submit(event)} noValidate>
          {field('name', 'Name', 'text', 'Lower-case letters, digits and dashes, e.g. eu-west-1a')}
          {field('region', 'Region', 'text')}
          {field(
            'kubeconfig',
            'Kubeconfig of its service account',
            'textarea',
            'Inline credentials only (see deploy/host-cluster); stored encrypted, never shown again.',
          )}
          {field('capacityEnvironments', 'Capacity: environments', 'number')}
          {field('capacityCpuMillis', 'Capacity: CPU (millicores)', 'number')}
          {field('capacityMemoryMib', 'Capacity: memory (MiB)', 'number')}
          <ErrorBox error={error} />
          {notice && (
            <p role="status" className="notice">
              {notice}
            </p>
          )}
          <button type="submit" disabled={busy}>
            {busy ? 'Checking the cluster…' : 'Register'}
          </button>
        </form>
      </Section>
    </div>
  );
}
