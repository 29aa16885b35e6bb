/**
 * A failure of the machinery around a grading (exec transport down, Kubernetes API unreachable,
 * a probe container that cannot start), never of the student's work. Ports throw it; the runtime
 * turns it into a result with status `error`, and the pipeline retries only those.
 */
export class InfrastructureError extends Error {
  override readonly name = 'InfrastructureError';

  constructor(
    message: string,
    /** A stable, machine-readable reason, e.g. `transport-down` or `missing-port`. */
    readonly code = 'transport-down',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True for an InfrastructureError, including one from another copy of this module. */
export function isInfrastructureError(error: unknown): error is InfrastructureError {
  return (
    error instanceof InfrastructureError || (error instanceof Error && error.name === 'InfrastructureError')
  );
}
