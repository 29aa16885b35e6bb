/** Errors answered as real `kind: Status` bodies, so clients parse them like the real API server's. */

import type { JsonMap } from './fake-kube-api.types.js';

export interface StatusCause {
  type?: string;
  message?: string;
  field?: string;
  reason?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Expired',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

export function reasonForCode(code: number): string {
  return REASONS[code] ?? (code >= 500 ? 'InternalError' : 'Unknown');
}

export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toStatus(): JsonMap {
    return statusBody(this.code, this.reason, this.message, this.details);
  }
}

export function statusBody(code: number, reason: string, message: string, details?: StatusDetails): JsonMap {
  const body: JsonMap = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  };
  if (details) body.details = details;
  return body;
}

export function successStatus(details: StatusDetails): JsonMap {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details };
}

/** `secrets`, `statefulsets.apps`: the qualified resource name the real server puts in messages. */
export function qualifiedResource(plural: string, group: string): string {
  return group ? `${plural}.${group}` : plural;
}

export const errors = {
  notFound(plural: string, group: string, name: string): KubeApiError {
    return new KubeApiError(404, 'NotFound', `${qualifiedResource(plural, group)} "${name}" not found`, {
      name,
      group: group || undefined,
      kind: plural,
    });
  },
  notFoundPath(): KubeApiError {
    return new KubeApiError(404, 'NotFound', 'the server could not find the requested resource', {});
  },
  alreadyExists(plural: string, group: string, name: string): KubeApiError {
    return new KubeApiError(
      409,
      'AlreadyExists',
      `${qualifiedResource(plural, group)} "${name}" already exists`,
      {
        name,
        group: group || undefined,
        kind: plural,
      },
    );
  },
  conflict(plural: string, group: string, name: string, why: string): KubeApiError {
    return new KubeApiError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualifiedResource(plural, group)} "${name}": ${why}`,
      { name, group: group || undefined, kind: plural },
    );
  },
  staleResourceVersion(plural: string, group: string, name: string): KubeApiError {
    return errors.conflict(
      plural,
      group,
      name,
      'the object has been modified; please apply your changes to the latest version and try again',
    );
  },
  invalid(kind: string, group: string, name: string, causes: StatusCause[]): KubeApiError {
    const list = causes.map((c) => `${c.field ?? ''}: ${c.message ?? ''}`).join(', ');
    return new KubeApiError(422, 'Invalid', `${kind} "${name}" is invalid: ${list}`, {
      name,
      group: group || undefined,
      kind,
      causes: causes.map((c) => ({
        reason: c.reason ?? 'FieldValueInvalid',
        message: c.message,
        field: c.field,
      })),
    });
  },
  badRequest(message: string): KubeApiError {
    return new KubeApiError(400, 'BadRequest', message);
  },
  forbidden(message: string, details?: StatusDetails): KubeApiError {
    return new KubeApiError(403, 'Forbidden', message, details);
  },
  methodNotAllowed(): KubeApiError {
    return new KubeApiError(
      405,
      'MethodNotAllowed',
      'the server does not allow this method on the requested resource',
    );
  },
  unsupportedMediaType(contentType: string): KubeApiError {
    return new KubeApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (got ${contentType})`,
    );
  },
  unauthorized(): KubeApiError {
    return new KubeApiError(401, 'Unauthorized', 'Unauthorized');
  },
  expired(message: string): KubeApiError {
    return new KubeApiError(410, 'Expired', message);
  },
};
