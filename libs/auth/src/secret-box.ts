import { Inject, Injectable } from '@nestjs/common';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export const ENCRYPTION_KEYS = Symbol('ENCRYPTION_KEYS');

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

export class SecretBoxError extends Error {}

const VERSION = 'v1';

/**
 * Encrypts secrets at rest (kubeconfigs, cluster credentials) with AES-256-GCM. The first key
 * encrypts; every configured key decrypts, so keys rotate by prepending a new one and
 * re-encrypting at leisure. Ciphertext: `v1.<keyId>.<iv>.<tag>.<data>` (base64url parts);
 * the key id and version are bound as associated data, so they cannot be swapped.
 */
@Injectable()
export class SecretBox {
  private readonly byId: Map<string, Buffer>;

  constructor(@Inject(ENCRYPTION_KEYS) private readonly keys: readonly EncryptionKey[]) {
    if (keys.length === 0) throw new SecretBoxError('at least one encryption key is required');
    for (const { id, key } of keys) {
      if (key.length !== 32) throw new SecretBoxError(`encryption key ${id} must be 32 bytes`);
      if (!/^[A-Za-z0-9_-]{1,32}$/.test(id)) throw new SecretBoxError(`encryption key id ${id} is not valid`);
    }
    this.byId = new Map(keys.map(({ id, key }) => [id, key]));
  }

  /** Parses `id:base64key[,id:base64key...]` (first = current key). */
  static parseKeys(spec: string): EncryptionKey[] {
    return spec
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part) => {
        const [id, material] = part.split(':');
        if (!id || !material)
          throw new SecretBoxError('keys look like id:base64-of-32-bytes, comma-separated');
        return { id, key: Buffer.from(material, 'base64') };
      });
  }

  encrypt(plaintext: string): string {
    const { id, key } = this.keys[0]!;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(`${VERSION}.${id}`));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [
      VERSION,
      id,
      iv.toString('base64url'),
      tag.toString('base64url'),
      data.toString('base64url'),
    ].join('.');
  }

  decrypt(ciphertext: string): string {
    const parts = ciphertext.split('.');
    if (parts.length !== 5 || parts[0] !== VERSION) throw new SecretBoxError('not a kubecohort ciphertext');
    const [version, id, iv, tag, data] = parts as [string, string, string, string, string];
    const key = this.byId.get(id);
    if (!key) throw new SecretBoxError(`no decryption key with id ${id} is configured`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(`${version}.${id}`));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new SecretBoxError('ciphertext failed authentication');
    }
  }

  /** True when the ciphertext was made with an older key and should be re-encrypted. */
  needsRotation(ciphertext: string): boolean {
    return ciphertext.split('.')[1] !== this.keys[0]!.id;
  }
}
