import { isKubeApiError } from '@kubecohort/kubernetes';

/** A failure that retrying will not fix (the chart cannot install, the credentials are refused...). */
export class ProvisioningFailed extends Error {
  override readonly name = 'ProvisioningFailed';
}

/** Whether a job should give up at once instead of retrying with backoff. */
export function isPermanent(error: unknown): boolean {
  if (error instanceof ProvisioningFailed) return true;
  if (isKubeApiError(error)) return !error.retryable;
  if (error instanceof Error && (error.name === 'KubeconfigError' || error.name === 'SecretBoxError'))
    return true;
  return false;
}

/** A one-line reason for students and staff: what went wrong, never credentials. */
export function failureReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const line = message.split('\n')[0] ?? message;
  if (error instanceof Error && error.name === 'SecretBoxError')
    return `host cluster credentials cannot be decrypted (${line}): check ENCRYPTION_KEYS`;
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}
