import { describe, expect, it } from '@jest/globals';
import { environmentLabels, environmentNames } from './environment-names.js';

describe('environment names', () => {
  it('derives stable, valid Kubernetes names from the environment id', () => {
    const id = '0198f3a2-7b4c-7d1e-9f00-1234567890ab';
    const names = environmentNames(id);
    expect(names).toEqual({
      namespace: 'kc-0198f3a27b4c7d1e9f001234567890ab',
      workbenchNamespace: 'kc-0198f3a27b4c7d1e9f001234567890ab-wb',
      release: 'vcluster',
      kubeconfigSecret: 'vc-vcluster',
    });
    expect(environmentNames(id.toUpperCase())).toEqual(names);
    for (const name of [names.namespace, names.workbenchNamespace])
      expect(name).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
    expect(() => environmentNames('not-an-id')).toThrow();
  });

  it('labels with ids only', () => {
    expect(environmentLabels({ id: 'e', cohortId: 'c', userId: 'u' }, 'workbench')).toEqual({
      'app.kubernetes.io/managed-by': 'kubecohort',
      'kubecohort.dev/environment': 'e',
      'kubecohort.dev/cohort': 'c',
      'kubecohort.dev/student': 'u',
      'kubecohort.dev/role': 'workbench',
    });
  });
});
