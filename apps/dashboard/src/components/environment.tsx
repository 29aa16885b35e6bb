import type { EnvironmentState, EnvironmentView } from '../types.js';
import { Badge, ProgressBar } from './ui.js';

/** Badge tone and words per state; "in motion" states show a progress bar. */
export const ENVIRONMENT_STATE: Record<EnvironmentState, { tone: string; label: string; fill: string }> = {
  requested: { tone: 'neutral', label: 'Requested', fill: '#94a3b8' },
  provisioning: { tone: 'info', label: 'Provisioning', fill: '#2563eb' },
  ready: { tone: 'good', label: 'Ready', fill: '#15803d' },
  sleeping: { tone: 'review', label: 'Sleeping', fill: '#7c3aed' },
  waking: { tone: 'info', label: 'Waking', fill: '#0891b2' },
  deleting: { tone: 'warn', label: 'Deleting', fill: '#d97706' },
  deleted: { tone: 'neutral', label: 'Deleted', fill: '#cbd5e1' },
  failed: { tone: 'bad', label: 'Failed', fill: '#b91c1c' },
};

export const IN_MOTION: EnvironmentState[] = ['requested', 'provisioning', 'waking', 'deleting'];

/** `vcluster-release` -> `vcluster release` for people. */
export function stepLabel(step: string | null): string {
  return step ? step.replace(/-/g, ' ') : 'waiting';
}

export function EnvironmentStateBadge({ state }: { state: EnvironmentState }) {
  const style = ENVIRONMENT_STATE[state] ?? { tone: 'neutral', label: state };
  return <Badge tone={style.tone}>{style.label}</Badge>;
}

/** State, and while it is changing, a progress bar labelled with the current step. */
export function EnvironmentProgress({
  environment,
  who,
}: {
  environment: Pick<EnvironmentView, 'state' | 'progressStep' | 'progressPercent' | 'stateReason'>;
  who?: string;
}) {
  const moving = IN_MOTION.includes(environment.state);
  return (
    <div className="env-progress">
      <EnvironmentStateBadge state={environment.state} />
      {moving && (
        <ProgressBar
          percent={environment.progressPercent}
          label={`${who ? `${who}: ` : ''}${stepLabel(environment.progressStep)}`}
        />
      )}
      {environment.state === 'failed' && environment.stateReason && (
        <span className="bad env-reason">{environment.stateReason}</span>
      )}
    </div>
  );
}
