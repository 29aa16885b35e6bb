import type { IncomingMessage } from 'node:http';

/** One request the bot made to the fake REST API, with its body decoded (JSON or multipart). */
export interface RecordedRequest {
  method: string;
  /** Decoded path under the API version, e.g. `/webhooks/123/tok/messages/@original`. */
  path: string;
  query: Record<string, string>;
  /** The JSON body, or a multipart request's `payload_json`. */
  body: any;
  /** Files of a multipart request, their content as UTF-8 text. */
  files: { field: string; name: string; content: string }[];
  authorization: string | null;
  at: number;
}

export async function readRequest(request: IncomingMessage, version: string): Promise<RecordedRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const url = new URL(request.url ?? '/', 'http://fake');
  const prefix = `/api/${version}`;
  const path = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : url.pathname;
  const contentType = request.headers['content-type'] ?? '';
  let body: unknown = undefined;
  const files: RecordedRequest['files'] = [];
  if (contentType.startsWith('multipart/form-data')) {
    // Node's own multipart parser, through the fetch Response.
    const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
    for (const [field, value] of form.entries()) {
      if (typeof value === 'string') {
        if (field === 'payload_json') body = JSON.parse(value);
      } else {
        files.push({
          field,
          name: value.name,
          content: Buffer.from(await value.arrayBuffer()).toString('utf8'),
        });
      }
    }
  } else if (raw.length > 0) {
    body = contentType.includes('json') ? JSON.parse(raw.toString('utf8')) : raw.toString('utf8');
  }
  return {
    method: request.method ?? 'GET',
    path: path.split('/').map(decodeURIComponent).join('/'),
    query: Object.fromEntries(url.searchParams),
    body,
    files,
    authorization: request.headers.authorization ?? null,
    at: Date.now(),
  };
}
