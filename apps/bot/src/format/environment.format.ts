import type { EnvironmentView } from '../api/api.types.js';
import { message, progressBar } from './text.format.js';

/** States in which the environment is on its way and the bar moves. */
export const SETTING_UP: readonly EnvironmentView['state'][] = ['requested', 'provisioning', 'waking'];

export function formatEnvironment(env: EnvironmentView): string {
  switch (env.state) {
    case 'requested':
    case 'provisioning':
    case 'waking':
      return message([
        `🛠️ Your environment is being set up${env.progressStep ? ` (${env.progressStep})` : ''}…`,
        progressBar(env.progressPercent),
        'I will send you a direct message when it is ready.',
      ]);
    case 'ready':
      return message([
        '✅ Your environment is ready.',
        env.serverUrl ? `API server: \`${env.serverUrl}\`` : null,
        'Get your kubeconfig with `/env kubeconfig` (sent privately).',
      ]);
    case 'sleeping':
      return '😴 Your environment is asleep to save resources; it wakes up when you use it (or `/env create`).';
    case 'deleting':
      return message(['🧹 Your environment is being deleted…', progressBar(env.progressPercent)]);
    case 'deleted':
      return 'Your environment was deleted. Create a new one with `/env create`.';
    case 'failed':
      return message([
        `⚠️ Your environment could not be set up${env.stateReason ? `: ${env.stateReason}` : ''}.`,
        'Try `/env reset confirm:True`, or ask your instructor.',
      ]);
  }
}
