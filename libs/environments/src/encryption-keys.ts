import { SecretBox, type EncryptionKey } from '@kubecohort/auth';
import { randomBytes } from 'node:crypto';

export const ENCRYPTION_KEYS_FORMAT = 'must be id:base64-of-32-bytes, comma-separated, current key first';

/**
 * Parses ENCRYPTION_KEYS for the apps' config validation: every key must be usable by SecretBox
 * (an id of letters, digits, _ or -, and exactly 32 bytes), so a bad key stops the process at boot.
 */
export function parseEncryptionKeys(spec: string): EncryptionKey[] {
  let keys: EncryptionKey[];
  try {
    keys = SecretBox.parseKeys(spec);
  } catch {
    throw new Error(ENCRYPTION_KEYS_FORMAT);
  }
  const valid =
    keys.length > 0 &&
    spec.split(',').every((part) => part.trim() === '' || part.split(':').length === 2) &&
    keys.every(({ id, key }) => /^[A-Za-z0-9_-]{1,32}$/.test(id) && key.length === 32);
  if (!valid) throw new Error(ENCRYPTION_KEYS_FORMAT);
  return keys;
}

/**
 * Tests only (NODE_ENV=test, no ENCRYPTION_KEYS): a random key for this process. Nothing it
 * encrypts survives a restart or can be read by another process, so suites that exercise
 * environments across the api and the worker must set ENCRYPTION_KEYS themselves.
 */
export function throwawayEncryptionKeys(): EncryptionKey[] {
  return [{ id: 'throwaway', key: randomBytes(32) }];
}
