import type { ReactNode } from 'react';

export function Badge({ tone, children }: { tone: string; children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

export function ErrorBox({ error }: { error: string | null | undefined }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {error}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}

export function Section({
  title,
  actions,
  children,
  id,
}: {
  title: string;
  actions?: ReactNode;
  children: ReactNode;
  id?: string;
}) {
  return (
    <section className="card" aria-labelledby={id ? `${id}-title` : undefined}>
      <header className="card-header">
        <h2 id={id ? `${id}-title` : undefined}>{title}</h2>
        {actions}
      </header>
      {children}
    </section>
  );
}

export function ProgressBar({ percent, label }: { percent: number; label: string }) {
  const value = Math.max(0, Math.min(100, Math.round(percent)));
  return (
    <div
      className="progressbar"
      role="progressbar"
      aria-label={label}
      aria-valuenow={value}
      aria-valuemin={0}
      aria-valuemax={100}
    >
      <div className="progressbar-fill" style={{ width: `${value}%` }} />
      <span className="progressbar-text">
        {label} · {value}%
      </span>
    </div>
  );
}

const SUBMISSION_TONES: Record<string, string> = {
  queued: 'neutral',
  running: 'info',
  passed: 'good',
  failed: 'bad',
  pending_review: 'review',
  error: 'warn',
};

export function SubmissionBadge({ status }: { status: string }) {
  return <Badge tone={SUBMISSION_TONES[status] ?? 'neutral'}>{status.replace('_', ' ')}</Badge>;
}
