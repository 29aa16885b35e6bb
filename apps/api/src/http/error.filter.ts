import { DomainError, type DomainErrorKind, type ErrorBody, type FieldProblem } from '@kubecohort/contracts';
import { Prisma } from '@kubecohort/database';
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';

const STATUS: Record<DomainErrorKind, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  unavailable: 503,
};

const HTTP_ERROR_NAMES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  503: 'unavailable',
};

/** Field-level validation failure raised by the validation pipe. */
export class ValidationFailed extends HttpException {
  constructor(readonly details: FieldProblem[]) {
    super('validation failed', 400);
  }
}

/**
 * Every error leaves as `{error, message, details}` with the right status; nothing unexpected
 * leaks (no stack traces, no SQL): unknown errors are logged and answered with a bare 500.
 */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('ErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const response = host.switchToHttp().getResponse<Response>();
    const [status, body, retryAfter] = this.describe(exception);
    if (status >= 500)
      this.logger.error(
        {
          err: exception instanceof Error ? exception.message : String(exception),
          stack: exception instanceof Error ? exception.stack : undefined,
        },
        'request failed',
      );
    if (retryAfter !== undefined) response.setHeader('Retry-After', String(retryAfter));
    if (!response.headersSent) response.status(status).json(body);
  }

  private describe(exception: unknown): [number, ErrorBody, number?] {
    if (exception instanceof ValidationFailed) {
      return [
        400,
        { error: 'validation_failed', message: summarise(exception.details), details: exception.details },
      ];
    }
    if (exception instanceof DomainError) {
      return [
        STATUS[exception.kind],
        { error: exception.code, message: exception.message, details: exception.details },
        exception.retryAfterSeconds,
      ];
    }
    if (exception instanceof Prisma.PrismaClientKnownRequestError) {
      if (exception.code === 'P2025') return [404, { error: 'not_found', message: 'not found', details: [] }];
      if (exception.code === 'P2002')
        return [409, { error: 'conflict', message: 'already exists', details: [] }];
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const message =
        typeof response === 'object' && response !== null && 'message' in response
          ? String(response.message)
          : exception.message;
      return [status, { error: HTTP_ERROR_NAMES[status] ?? 'error', message, details: [] }];
    }
    // body-parser errors carry their status (413 too large, 400 malformed JSON, 415 charset).
    const bodyError = exception as { type?: string; status?: number; statusCode?: number };
    const status = bodyError.status ?? bodyError.statusCode;
    if (typeof bodyError.type === 'string' && typeof status === 'number' && status >= 400 && status < 500) {
      const message =
        bodyError.type === 'entity.too.large'
          ? 'request body is larger than the limit'
          : bodyError.type === 'entity.parse.failed'
            ? 'request body is not valid JSON'
            : 'request body could not be read';
      return [status, { error: HTTP_ERROR_NAMES[status] ?? 'bad_request', message, details: [] }];
    }
    // PostgreSQL or Redis out of reach (pool exhausted or server down): retryable, not a bug.
    const message = exception instanceof Error ? exception.message : '';
    if (
      /timeout exceeded when trying to connect|ECONNREFUSED|Connection is closed|Can't reach database/i.test(
        message,
      )
    ) {
      return [
        503,
        { error: 'unavailable', message: 'a dependency is unavailable; try again shortly', details: [] },
        5,
      ];
    }
    return [500, { error: 'internal', message: 'internal error', details: [] }];
  }
}

function summarise(details: FieldProblem[]): string {
  const first = details.slice(0, 3).map((detail) => `${detail.field} ${detail.problem}`);
  return `invalid request: ${first.join('; ')}${details.length > 3 ? ` (+${details.length - 3} more)` : ''}`;
}
