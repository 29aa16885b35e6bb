import type { EnvironmentStateName } from '@kubecohort/contracts';

/**
 * The environment lifecycle. `ready -> provisioning` is the reconciler's repair: a ready
 * environment whose namespace vanished from its host cluster is provisioned again (every step is
 * idempotent, so what still exists is kept).
 */
const TRANSITIONS: Readonly<Record<EnvironmentStateName, readonly EnvironmentStateName[]>> = {
  requested: ['provisioning', 'deleting', 'failed'],
  provisioning: ['ready', 'failed', 'deleting'],
  ready: ['sleeping', 'deleting', 'failed', 'provisioning'],
  sleeping: ['waking', 'deleting'],
  waking: ['ready', 'failed', 'deleting'],
  deleting: ['deleted', 'failed'],
  failed: ['deleting'],
  deleted: [],
};

/** States in which the environment counts as the student's one live environment (activeUserId set). */
export const LIVE_STATES: readonly EnvironmentStateName[] = [
  'requested',
  'provisioning',
  'ready',
  'sleeping',
  'waking',
];

export function canTransition(from: EnvironmentStateName, to: EnvironmentStateName): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Every state `to` may be entered from. */
export function sourcesOf(to: EnvironmentStateName): EnvironmentStateName[] {
  return (Object.keys(TRANSITIONS) as EnvironmentStateName[]).filter((from) => canTransition(from, to));
}

export function isLive(state: EnvironmentStateName): boolean {
  return LIVE_STATES.includes(state);
}
