/**
 * The API client: same origin, access token in memory only, refresh token in the api's httpOnly
 * cookie (login with `refreshTokenIn: 'cookie'`), one silent refresh on a 401.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: { field?: string; problem?: string; line?: number; message?: string }[] = [],
  ) {
    super(message);
  }
}

interface Tokens {
  accessToken: string;
  expiresIn: number;
}

let accessToken: string | null = null;
let refreshing: Promise<string | null> | null = null;
const listeners = new Set<(token: string | null) => void>();

export function currentToken(): string | null {
  return accessToken;
}

/** Called with the new token (or null on logout / expired session). */
export function onTokenChange(listener: (token: string | null) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Remembers that this browser has a session cookie, so a first visit does not try a refresh. */
const SESSION_HINT = 'kubecohort.session';

function setToken(token: string | null): void {
  accessToken = token;
  try {
    if (token) localStorage.setItem(SESSION_HINT, '1');
    else localStorage.removeItem(SESSION_HINT);
  } catch {
    /* storage disabled: refresh is just tried every time */
  }
  for (const listener of listeners) listener(token);
}

async function parse(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function errorOf(status: number, body: unknown): ApiError {
  const value = (body ?? {}) as { error?: string; message?: string; details?: ApiError['details'] };
  return new ApiError(
    status,
    value.error ?? `http_${status}`,
    value.message ?? `Request failed (${status})`,
    value.details ?? [],
  );
}

export async function login(email: string, password: string): Promise<void> {
  const response = await fetch('/api/v1/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    credentials: 'same-origin',
    body: JSON.stringify({ email, password, refreshTokenIn: 'cookie' }),
  });
  const body = await parse(response);
  if (!response.ok) throw errorOf(response.status, body);
  setToken((body as Tokens).accessToken);
}

/** Trade the refresh cookie for a new access token; null when there is no session. */
export function refresh(): Promise<string | null> {
  if (!accessToken && !hasSessionHint()) return Promise.resolve(null);
  refreshing ??= (async () => {
    try {
      const response = await fetch('/api/v1/auth/refresh', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        credentials: 'same-origin',
        body: '{}',
      });
      if (!response.ok) {
        setToken(null);
        return null;
      }
      const token = ((await parse(response)) as Tokens).accessToken;
      setToken(token);
      return token;
    } catch {
      return null;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

function hasSessionHint(): boolean {
  try {
    return localStorage.getItem(SESSION_HINT) !== null;
  } catch {
    return true;
  }
}

export async function logout(): Promise<void> {
  try {
    await request('POST', '/auth/logout', {});
  } finally {
    setToken(null);
  }
}

export interface RequestOptions {
  raw?: string;
  contentType?: string;
  signal?: AbortSignal;
}

async function send(method: string, path: string, body: unknown, options: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = {};
  if (accessToken) headers.authorization = `Bearer ${accessToken}`;
  let payload: string | undefined;
  if (options.raw !== undefined) {
    payload = options.raw;
    headers['content-type'] = options.contentType ?? 'text/plain';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['content-type'] = 'application/json';
  }
  return fetch(`/api/v1${path}`, {
    method,
    headers,
    body: payload,
    credentials: 'same-origin',
    signal: options.signal,
  });
}

/** Raw response (for downloads); refreshes once on 401. */
export async function requestRaw(
  method: string,
  path: string,
  body?: unknown,
  options: RequestOptions = {},
): Promise<Response> {
  let response = await send(method, path, body, options);
  if (response.status === 401 && (await refresh())) response = await send(method, path, body, options);
  return response;
}

export async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  options: RequestOptions = {},
): Promise<T> {
  const response = await requestRaw(method, path, body, options);
  const parsed = await parse(response);
  if (!response.ok) throw errorOf(response.status, parsed);
  return parsed as T;
}

export const get = <T>(path: string, signal?: AbortSignal): Promise<T> =>
  request<T>('GET', path, undefined, { signal });

/** Download an authenticated resource as a file (CSV export, kubeconfig). */
export async function download(path: string, filename: string): Promise<void> {
  const response = await requestRaw('GET', path);
  if (!response.ok) throw errorOf(response.status, await parse(response));
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    const fields = error.details
      .filter((detail) => detail.field)
      .map((detail) => `${detail.field} ${detail.problem ?? ''}`.trim());
    return fields.length > 0 ? `${error.message}: ${fields.join('; ')}` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * The api has no such route (yet): 405, or a 404 from the router itself ("Cannot POST /…") rather
 * than a use case's "not found". Screens coded against routes still being built say so plainly.
 */
export function isMissingRoute(error: unknown): boolean {
  if (!(error instanceof ApiError)) return false;
  return error.status === 405 || (error.status === 404 && /^Cannot [A-Z]+ \//.test(error.message));
}
