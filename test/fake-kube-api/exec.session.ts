/**
 * pods/<name>/exec over WebSocket with the Kubernetes channel protocol: every binary frame starts
 * with a channel byte (0 stdin, 1 stdout, 2 stderr, 3 status JSON, 4 resize, 255 close in v5).
 * The command's answer comes from a test-provided handler instead of a container.
 */

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { ExecContext, ExecHandler, ExecResult } from './fake-kube-api.types.js';

export const CHANNEL = { stdin: 0, stdout: 1, stderr: 2, status: 3, resize: 4, close: 255 } as const;

/** Preference order. v5 is only preferred when stdin is used: its close frame is how the client says stdin ended. */
const PROTOCOLS = [
  'v4.channel.k8s.io',
  'v5.channel.k8s.io',
  'v3.channel.k8s.io',
  'v2.channel.k8s.io',
  'channel.k8s.io',
];
/** Without v5's close frame, stdin counts as finished after this much silence. */
const STDIN_IDLE_MS = 50;

export interface ExecRequest {
  namespace: string;
  pod: string;
  container: string;
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

const defaultHandler: ExecHandler = (ctx) => ({
  stderr: `fake-kube-api: no exec handler registered; call server.onExec(...) in the test (command: ${JSON.stringify(ctx.command)})\n`,
  exitCode: 126,
});

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function frame(channel: number, payload: string | Buffer): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  return Buffer.concat([Buffer.from([channel]), body]);
}

export function statusFrameBody(result: ExecResult, command: string[]): Record<string, unknown> {
  const code = result.exitCode ?? 0;
  if (code === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

export class ExecServer {
  private handler: ExecHandler = defaultHandler;
  /** Every exec that reached the handler, in order. */
  readonly calls: ExecContext[] = [];
  private readonly wss: WebSocketServer;

  constructor() {
    this.wss = new WebSocketServer({
      noServer: true,
      handleProtocols: (offered, req) => {
        const wantsStdin = /[?&]stdin=(true|1)(&|$)/.test(req.url ?? '');
        if (wantsStdin && offered.has('v5.channel.k8s.io')) return 'v5.channel.k8s.io';
        return PROTOCOLS.find((p) => offered.has(p)) ?? false;
      },
    });
  }

  setHandler(handler: ExecHandler | undefined): void {
    this.handler = handler ?? defaultHandler;
  }

  upgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    request: ExecRequest,
    onOpen: () => void,
  ): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      onOpen();
      this.run(ws, request);
    });
  }

  close(): void {
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
  }

  private run(ws: WebSocket, request: ExecRequest): void {
    const chunks: Buffer[] = [];
    let started = false;
    let idle: NodeJS.Timeout | undefined;
    const start = (): void => {
      if (started) return;
      started = true;
      if (idle) clearTimeout(idle);
      void this.answer(ws, request, request.stdin ? Buffer.concat(chunks).toString('utf8') : undefined);
    };
    ws.on('message', (data) => {
      const buf = toBuffer(data);
      if (buf.length === 0) return;
      if (buf[0] === CHANNEL.stdin) {
        chunks.push(buf.subarray(1));
        if (ws.protocol !== 'v5.channel.k8s.io') {
          if (idle) clearTimeout(idle);
          idle = setTimeout(start, STDIN_IDLE_MS);
        }
      } else if (buf[0] === CHANNEL.close && buf[1] === CHANNEL.stdin) {
        start();
      }
    });
    ws.on('close', () => {
      if (idle) clearTimeout(idle);
    });
    if (!request.stdin) start();
    else if (ws.protocol !== 'v5.channel.k8s.io') idle = setTimeout(start, STDIN_IDLE_MS);
  }

  private async answer(ws: WebSocket, request: ExecRequest, stdin: string | undefined): Promise<void> {
    const ctx: ExecContext = {
      namespace: request.namespace,
      pod: request.pod,
      container: request.container,
      command: request.command,
      tty: request.tty,
      ...(stdin !== undefined ? { stdin } : {}),
    };
    this.calls.push(ctx);
    let result: ExecResult;
    let status: Record<string, unknown>;
    try {
      result = await this.handler(ctx);
      status = statusFrameBody(result, request.command);
    } catch (err) {
      result = {};
      status = {
        metadata: {},
        status: 'Failure',
        reason: 'InternalError',
        message: err instanceof Error ? err.message : String(err),
      };
    }
    if (ws.readyState !== ws.OPEN) return;
    const stdout = result.stdout ?? '';
    const stderr = result.stderr ?? '';
    if (request.stdout && stdout.length > 0) ws.send(frame(CHANNEL.stdout, stdout));
    if (request.stderr && stderr.length > 0)
      ws.send(frame(request.tty ? CHANNEL.stdout : CHANNEL.stderr, stderr));
    ws.send(frame(CHANNEL.status, JSON.stringify(status)));
    ws.close(1000);
  }
}
