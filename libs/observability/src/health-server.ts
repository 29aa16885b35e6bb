import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HealthService } from './health.service.js';

/**
 * The small health port of processes that serve no HTTP API (worker, bot):
 * `GET /healthz` (alive) and `GET /readyz` (dependencies reachable, 503 otherwise).
 */
export class HealthServer {
  private server?: Server;

  constructor(private readonly health: HealthService) {}

  async listen(port: number, host = '0.0.0.0'): Promise<number> {
    this.server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' || (path !== '/healthz' && path !== '/readyz')) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
        return;
      }
      if (path === '/healthz') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
        return;
      }
      this.health.readiness().then(
        (report) =>
          res
            .writeHead(report.ready ? 200 : 503, { 'content-type': 'application/json' })
            .end(JSON.stringify({ status: report.ready ? 'ready' : 'unavailable', checks: report.checks })),
        () => res.writeHead(503).end(),
      );
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
  }
}
