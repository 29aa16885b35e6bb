/**
 * Errors a use case raises for the caller to see. The api maps each kind to an HTTP status
 * (not_found 404, conflict 409, forbidden 403, invalid 400, unavailable 503, rate_limited 429,
 * unauthorized 401); the worker and bot read the kind.
 */
export type DomainErrorKind =
  'invalid' | 'unauthorized' | 'forbidden' | 'not_found' | 'conflict' | 'rate_limited' | 'unavailable';

export interface FieldProblem {
  field: string;
  problem: string;
}

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    /** Stable machine-readable code, e.g. `step_locked`. */
    readonly code: string,
    message: string,
    readonly details: FieldProblem[] = [],
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  static notFound(what: string): DomainError {
    return new DomainError('not_found', 'not_found', `${what} not found`);
  }

  static conflict(code: string, message: string): DomainError {
    return new DomainError('conflict', code, message);
  }

  static invalid(message: string, details: FieldProblem[] = []): DomainError {
    return new DomainError('invalid', 'validation_failed', message, details);
  }

  static forbidden(code: string, message: string): DomainError {
    return new DomainError('forbidden', code, message);
  }
}

/** The body of every error response. */
export interface ErrorBody {
  error: string;
  message: string;
  details: FieldProblem[];
}
