import { describe, expect, it } from '@jest/globals';
import { SecretBox } from '@kubecohort/auth';
import { parseEncryptionKeys } from './encryption-keys.js';

const key = (byte: number) => Buffer.alloc(32, byte).toString('base64');

describe('parseEncryptionKeys', () => {
  it('accepts current-first key lists that SecretBox can use, and old keys still decrypt', () => {
    const old = parseEncryptionKeys(`k1:${key(1)}`);
    const rotated = parseEncryptionKeys(`k2:${key(2)}, k1:${key(1)}`);
    expect(rotated.map((k) => k.id)).toEqual(['k2', 'k1']);
    const sealed = new SecretBox(old).encrypt('kubeconfig');
    expect(new SecretBox(rotated).decrypt(sealed)).toBe('kubeconfig');
  });

  it.each(['', 'k1', `k1:${Buffer.alloc(16).toString('base64')}`, `bad id:${key(1)}`, `k1:${key(1)}:x`])(
    'refuses %j',
    (spec) => {
      expect(() => parseEncryptionKeys(spec)).toThrow(/id:base64-of-32-bytes/);
    },
  );
});
