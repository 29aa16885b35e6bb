import { ENVIRONMENT_STATES } from '@kubecohort/contracts';
import { describe, expect, it } from '@jest/globals';
import { canTransition, isLive, sourcesOf } from './environment-states.js';

describe('environment state machine', () => {
  it('follows requested -> provisioning -> ready -> deleting -> deleted', () => {
    expect(canTransition('requested', 'provisioning')).toBe(true);
    expect(canTransition('provisioning', 'ready')).toBe(true);
    expect(canTransition('ready', 'deleting')).toBe(true);
    expect(canTransition('deleting', 'deleted')).toBe(true);
  });

  it('never leaves deleted, never skips provisioning, and deletes failed environments', () => {
    for (const to of ENVIRONMENT_STATES) expect(canTransition('deleted', to)).toBe(false);
    expect(canTransition('requested', 'ready')).toBe(false);
    expect(canTransition('failed', 'deleting')).toBe(true);
    expect(canTransition('failed', 'ready')).toBe(false);
    expect(sourcesOf('deleting').sort()).toEqual([
      'failed',
      'provisioning',
      'ready',
      'requested',
      'sleeping',
      'waking',
    ]);
  });

  it('lets the reconciler repair a ready environment by provisioning it again', () => {
    expect(canTransition('ready', 'provisioning')).toBe(true);
    expect(canTransition('sleeping', 'provisioning')).toBe(false);
  });

  it('counts only non-terminal, non-deleting states as the live environment', () => {
    expect(ENVIRONMENT_STATES.filter(isLive)).toEqual([
      'requested',
      'provisioning',
      'ready',
      'sleeping',
      'waking',
    ]);
  });
});
