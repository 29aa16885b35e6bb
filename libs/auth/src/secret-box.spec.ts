import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { SecretBox, SecretBoxError } from './secret-box.js';

const key = (id: string) => ({ id, key: randomBytes(32) });

describe('SecretBox', () => {
  it('round-trips and never produces the same ciphertext twice', () => {
    const box = new SecretBox([key('k1')]);
    const a = box.encrypt('apiVersion: v1\nkind: Config');
    const b = box.encrypt('apiVersion: v1\nkind: Config');
    expect(a).not.toBe(b);
    expect(a).not.toContain('Config');
    expect(box.decrypt(a)).toBe('apiVersion: v1\nkind: Config');
  });

  it('decrypts with an old key after rotation and reports what needs re-encryption', () => {
    const old = key('k1');
    const before = new SecretBox([old]).encrypt('secret');
    const rotated = new SecretBox([key('k2'), old]);
    expect(rotated.decrypt(before)).toBe('secret');
    expect(rotated.needsRotation(before)).toBe(true);
    expect(rotated.needsRotation(rotated.encrypt('secret'))).toBe(false);
  });

  it('rejects tampering, a swapped key id and unknown keys', () => {
    const k1 = key('k1');
    const box = new SecretBox([k1]);
    const sealed = box.encrypt('secret');
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[4]!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(() => box.decrypt([...parts.slice(0, 4), flipped.toString('base64url')].join('.'))).toThrow(
      SecretBoxError,
    );
    // Same key material under another id: the id is authenticated, so this fails too.
    const alias = new SecretBox([{ id: 'k9', key: k1.key }]);
    expect(() => alias.decrypt(['v1', 'k9', ...parts.slice(2)].join('.'))).toThrow('failed authentication');
    expect(() => new SecretBox([key('k2')]).decrypt(sealed)).toThrow('no decryption key with id k1');
    expect(() => box.decrypt('plain text')).toThrow('not a kubecohort ciphertext');
  });

  it('parses key specs and refuses short keys', () => {
    const material = randomBytes(32).toString('base64');
    expect(SecretBox.parseKeys(`new:${material}, old:${material}`).map((k) => k.id)).toEqual(['new', 'old']);
    expect(() => new SecretBox([{ id: 'k1', key: randomBytes(16) }])).toThrow('32 bytes');
    expect(() => SecretBox.parseKeys('nocolon')).toThrow(SecretBoxError);
  });
});
