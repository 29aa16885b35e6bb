import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiHarness } from './support/api-harness.js';
import { TcpProxy } from './support/tcp-proxy.js';

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await check()) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

describe('operations: readiness follows PostgreSQL, metrics, OpenAPI', () => {
  let api: ApiHarness;
  let proxy: TcpProxy;

  beforeAll(async () => {
    // The api reaches PostgreSQL through a proxy this test can cut, so no other test is disturbed.
    const real = new URL(process.env.DATABASE_URL!);
    proxy = new TcpProxy(real.hostname, Number(real.port || 5432));
    await proxy.start();
    const viaProxy = new URL(real);
    viaProxy.port = String(proxy.port);
    api = await ApiHarness.start({ DATABASE_URL: viaProxy.toString() });
  });
  afterAll(async () => {
    await api.stop();
    await proxy.stop();
  });

  it('answers /healthz and /readyz 200 when PostgreSQL and Redis are up', async () => {
    expect((await api.request('GET', '/healthz')).status).toBe(200);
    // A loaded CI machine may need a moment for the first PostgreSQL connection.
    await waitFor(async () => (await api.request('GET', '/readyz')).status === 200, 10000);
    const ready = await api.request('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks.postgres.ok).toBe(true);
    expect(ready.body.checks.redis.ok).toBe(true);
  });

  it('turns /readyz into 503 within 5 s when PostgreSQL stops, and back to 200 when it returns', async () => {
    await proxy.cut();
    const down = await waitFor(async () => (await api.request('GET', '/readyz')).status === 503, 5000);
    expect(down).toBeLessThan(5000);
    const body = (await api.request('GET', '/readyz')).body;
    expect(body.checks.postgres.ok).toBe(false);
    expect(body.checks.redis.ok).toBe(true);
    // Liveness is unaffected: the process is fine, its dependency is not.
    expect((await api.request('GET', '/healthz')).status).toBe(200);

    await proxy.restore();
    await waitFor(async () => (await api.request('GET', '/readyz')).status === 200, 10000);
  });

  it('exposes Prometheus metrics with request durations by route, DB pool and queue depths', async () => {
    await api.request('GET', '/healthz');
    const metrics = await api.request('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(/kubecohort_http_request_duration_seconds_bucket\{.*route="\/healthz"/);
    expect(metrics.text).toMatch(/kubecohort_db_pool_connections\{state="max"\} \d+/);
    expect(metrics.text).toMatch(/kubecohort_queue_jobs\{queue="grading",state="waiting"\} \d+/);
  });

  it('serves the OpenAPI document generated from the code', async () => {
    const doc = await api.request('GET', '/api/docs-json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/auth/login', '/api/v1/auth/refresh']),
    );
    expect((await api.request('GET', '/api/docs')).status).toBe(200);
  });

  it('sends security headers and a request id', async () => {
    const res = await api.request('GET', '/healthz', { headers: { 'x-request-id': 'trace-123' } });
    expect(res.headers.get('x-request-id')).toBe('trace-123');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('strict-transport-security')).toMatch(/max-age/);
  });
});

describe('operations: metrics behind METRICS_TOKEN', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await ApiHarness.start({ METRICS_TOKEN: 'metrics-token-0123456789' });
  });
  afterAll(() => api.stop());

  it('requires the token when configured', async () => {
    expect((await api.request('GET', '/metrics')).status).toBe(401);
    expect((await api.request('GET', '/metrics', { token: 'wrong-token-000000000000' })).status).toBe(401);
    expect((await api.request('GET', '/metrics', { token: 'metrics-token-0123456789' })).status).toBe(200);
  });
});
