import { describe, expect, it } from '@jest/globals';
import { VclusterValuesTemplate } from './vcluster-values.template.js';

describe('vcluster values template', () => {
  it('loads the versioned template from deploy/ and fills its placeholders with JSON values', () => {
    const template = VclusterValuesTemplate.load('deploy/vcluster/vcluster.yaml');
    expect(template.version).toMatch(/^\d+$/);
    const values = template.render({
      serviceType: 'NodePort',
      extraSANs: ['203.0.113.7'],
      ingressEnabled: false,
      ingressHost: 'kc-x.vc.example.org',
      ingressClass: 'nginx',
    }) as {
      controlPlane: {
        service: { spec: { type: string } };
        proxy: { extraSANs: string[] };
        ingress: { enabled: boolean };
      };
      sync: { toHost: { networkPolicies: { enabled: boolean } } };
      policies: Record<string, { enabled: boolean }>;
    };
    expect(values.controlPlane.service.spec.type).toBe('NodePort');
    expect(values.controlPlane.proxy.extraSANs).toEqual(['203.0.113.7']);
    expect(values.controlPlane.ingress.enabled).toBe(false);
    // Network policies written inside the vcluster must reach the host to be enforced.
    expect(values.sync.toHost.networkPolicies.enabled).toBe(true);
    expect(Object.values(values.policies).every((p) => p.enabled === false)).toBe(true);
  });

  it('refuses a template without a version or with an unknown placeholder', () => {
    expect(() => VclusterValuesTemplate.fromText('a: 1\n')).toThrow(/kubecohort-values-version/);
    expect(() => VclusterValuesTemplate.fromText('# kubecohort-values-version: 2\na: ${nope}\n')).toThrow(
      /unknown placeholder\(s\): nope/,
    );
    expect(() => VclusterValuesTemplate.fromText('# kubecohort-values-version: 2\n- a\n')).toThrow(/mapping/);
  });

  it('keeps values that look like YAML syntax as plain strings', () => {
    const template = VclusterValuesTemplate.fromText(
      '# kubecohort-values-version: 3\nhost: ${ingressHost}\n',
    );
    const values = template.render({
      serviceType: 'ClusterIP',
      extraSANs: [],
      ingressEnabled: true,
      ingressHost: 'a: b # c',
      ingressClass: 'x',
    });
    expect(values).toEqual({ host: 'a: b # c' });
  });
});
