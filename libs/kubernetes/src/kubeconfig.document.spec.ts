import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { KubeconfigDocument, KubeconfigError } from './kubeconfig.document.js';

const SECRET = 'c2VjcmV0LWtleS1tYXRlcmlhbA==';

function kubeconfig(
  user: Record<string, unknown> = { 'client-key-data': SECRET },
  cluster: Record<string, unknown> = {},
) {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'vc',
        cluster: { server: 'https://localhost:8443', 'certificate-authority-data': 'Q0E=', ...cluster },
      },
    ],
    users: [{ name: 'vc', user }],
    contexts: [{ name: 'vc', context: { cluster: 'vc', user: 'vc' } }],
    'current-context': 'vc',
  });
}

describe('KubeconfigDocument', () => {
  it('reads the current server and rewrites every cluster, keeping TLS material', () => {
    const doc = KubeconfigDocument.parse(kubeconfig());
    expect(doc.server).toBe('https://localhost:8443');
    const rewritten = parse(doc.withServer('https://203.0.113.7:31443', { contextName: 'kubecohort' })) as {
      clusters: { cluster: Record<string, string> }[];
      contexts: { name: string }[];
      'current-context': string;
      users: { user: Record<string, string> }[];
    };
    expect(rewritten.clusters[0]!.cluster).toEqual({
      server: 'https://203.0.113.7:31443',
      'certificate-authority-data': 'Q0E=',
    });
    expect(rewritten['current-context']).toBe('kubecohort');
    expect(rewritten.contexts[0]!.name).toBe('kubecohort');
    expect(rewritten.users[0]!.user['client-key-data']).toBe(SECRET);
    expect(KubeconfigDocument.parse(doc.withServer('https://vc.example.org')).server).toBe(
      'https://vc.example.org',
    );
  });

  it.each([
    ['an exec plugin', { exec: { command: '/bin/sh' } }, {}, /exec/],
    ['an auth provider', { 'auth-provider': { name: 'gcp' } }, {}, /auth-provider/],
    ['a client key file', { 'client-key': '/etc/passwd' }, {}, /client-key/],
    ['a token file', { tokenFile: '/var/run/token' }, {}, /tokenFile/],
    ['a CA file', { token: 't' }, { 'certificate-authority': '/ca.pem' }, /certificate-authority/],
    ['a server that is not http(s)', { token: 't' }, { server: 'file:///x' }, /server URL/],
  ])('refuses %s', (_what, user, cluster, message) => {
    expect(() => KubeconfigDocument.parse(kubeconfig(user, cluster))).toThrow(message);
  });

  it('refuses broken documents without quoting them', () => {
    const broken = `apiVersion: v1\nusers:\n  - name: x\n    user: {token: ${SECRET}\n`;
    try {
      KubeconfigDocument.parse(broken);
      throw new Error('expected a KubeconfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(KubeconfigError);
      expect((error as Error).message).not.toContain(SECRET);
      expect((error as Error).message).toMatch(/not valid YAML/);
    }
    expect(() => KubeconfigDocument.parse('')).toThrow(/empty/);
    expect(() => KubeconfigDocument.parse('- a\n- b\n')).toThrow(/mapping/);
    const noContext = JSON.parse(kubeconfig()) as Record<string, unknown>;
    noContext['current-context'] = 'other';
    expect(() => KubeconfigDocument.parse(JSON.stringify(noContext))).toThrow(/not defined/);
  });
});
