/** A failed API call: the API's `{error, message, details}` plus the status and Retry-After. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** The API's stable error code (`step_locked`, `discord_not_linked`...); `network` when unreachable. */
    readonly code: string,
    message: string,
    readonly details: { field: string; problem: string }[] = [],
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  static is(error: unknown, ...codes: string[]): error is ApiError {
    return error instanceof ApiError && (codes.length === 0 || codes.includes(error.code));
  }
}
