import type { PrismaService } from '@kubecohort/database';
import { randomBytes, randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { FakeKubeApiServer, type KubeObject } from '../fake-kube-api/index.js';
import type { ControllerOptions } from '../fake-kube-api/fake-kube-api.types.js';
import { DIST, RunningProcess } from './processes.js';

/**
 * Environments under test: a fake host cluster (the fake Kubernetes API server, plus what the real
 * vcluster chart would do with our values that the fake's chart simulation does not: a NodePort
 * and an answering API server), and the api and worker as real processes.
 */

/** A fixed test key: the api, the worker and the test itself must all decrypt the same ciphertexts. */
export const TEST_ENCRYPTION_KEYS = `k1:${Buffer.alloc(32, 7).toString('base64')}`;
export const NODE_ADDRESS = '203.0.113.7';

/** Settings shared by the api and the worker in these tests (fast waits, the fake's service proxy). */
export function environmentSettings(overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
    ENV_ADDRESS_MODE: 'nodeport',
    ENV_NODE_ADDRESS: NODE_ADDRESS,
    VCLUSTER_PROBE: 'service-proxy',
    ENV_RECHECK_INTERVAL_MS: '100',
    ENV_STEP_TIMEOUT_SECONDS: '20',
    ENV_RECONCILE_INTERVAL_SECONDS: '5',
    KUBE_CLIENT_QPS: '500',
    KUBE_RETRY_ATTEMPTS: '6',
    ENV_QUOTA_CPU_MILLIS: '1000',
    ENV_QUOTA_MEMORY_MIB: '1024',
    WORKBENCH_CPU_MILLIS: '500',
    WORKBENCH_MEMORY_MIB: '512',
    ...overrides,
  };
}

/** A Redis prefix of its own, so no other suite's worker takes these jobs (or the other way round). */
export function privateRedisPrefix(): string {
  return `${process.env.REDIS_PREFIX ?? 'kc-test'}:env-${randomBytes(3).toString('hex')}`;
}

export class FakeHostCluster {
  private unsubscribe?: () => void;

  private constructor(readonly server: FakeKubeApiServer) {}

  static async start(controller: Partial<ControllerOptions> = {}): Promise<FakeHostCluster> {
    const server = new FakeKubeApiServer({
      // A token of its own: the log and response checks look for it.
      token: `host-token-${randomBytes(12).toString('hex')}`,
      controller: {
        helmReleaseReadyDelayMs: 150,
        podReadyDelayMs: 50,
        namespaceDeletionDelayMs: 300,
        helmUninstallDelayMs: 50,
        ...controller,
      },
    });
    await server.start();
    const cluster = new FakeHostCluster(server);
    cluster.simulateChartValues();
    cluster.answerVclusterApi();
    return cluster;
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await this.server.stop();
  }

  kubeconfig(): string {
    return this.server.kubeconfig();
  }

  /** Namespaces that belong to an environment (by label), terminating ones included. */
  namespacesOf(environmentId: string): KubeObject[] {
    return this.server
      .listObjects('v1', 'Namespace')
      .filter((ns) => ns.metadata.labels?.['kubecohort.dev/environment'] === environmentId);
  }

  helmReleasesOf(namespace: string): KubeObject[] {
    return this.server.listObjects('helm.toolkit.fluxcd.io/v2', 'HelmRelease', namespace);
  }

  /**
   * The fake's chart simulation makes a ClusterIP Service; the real chart makes it a NodePort when
   * our values say so (controlPlane.service.spec.type), and Kubernetes assigns the port.
   */
  private simulateChartValues(): void {
    this.unsubscribe = this.server.store.subscribe((event) => {
      if (event.type !== 'ADDED' || event.key !== '/services') return;
      const service = event.object;
      const namespace = service.metadata.namespace;
      if (service.metadata.labels?.app !== 'vcluster' || !namespace) return;
      setImmediate(() => {
        const release = this.server
          .listObjects('helm.toolkit.fluxcd.io/v2', 'HelmRelease', namespace)
          .find((hr) => (hr.spec as { releaseName?: string }).releaseName === service.metadata.name);
        const type = (release?.spec as any)?.values?.controlPlane?.service?.spec?.type;
        if (type !== 'NodePort') return;
        const ports = ((service.spec as { ports?: Record<string, unknown>[] }).ports ?? []).map((port) => ({
          ...port,
          nodePort: randomInt(30000, 32768),
        }));
        try {
          this.server.patchObject(
            { apiVersion: 'v1', kind: 'Service', namespace, name: service.metadata.name },
            { spec: { type: 'NodePort', ports } },
          );
        } catch {
          // deleted meanwhile
        }
      });
    });
  }

  /** The vcluster API server answering /version, once its StatefulSet is ready (through the service proxy). */
  private answerVclusterApi(): void {
    this.server.onServiceProxy((ctx) => {
      if (ctx.path !== 'version') return undefined;
      const sts = this.server.getObject({
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        namespace: ctx.namespace,
        name: ctx.service,
      });
      const ready = ((sts?.status as { readyReplicas?: number } | undefined)?.readyReplicas ?? 0) > 0;
      return ready
        ? {
            body: JSON.stringify({ major: '1', minor: '32', gitVersion: 'v1.32.1' }),
            contentType: 'application/json',
          }
        : { status: 503, body: 'not ready' };
    });
  }
}

export interface ProcessOptions {
  databaseUrl: string;
  redisPrefix: string;
  env?: NodeJS.ProcessEnv;
}

function processBase(options: ProcessOptions): NodeJS.ProcessEnv {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: options.redisPrefix,
    ...environmentSettings(),
    ...options.env,
  };
}

/** The built worker, serving only the provisioning queue. */
export async function startWorker(options: ProcessOptions): Promise<RunningProcess> {
  const worker = RunningProcess.start(DIST.worker, {
    ...processBase(options),
    HEALTH_PORT: '0',
    LOG_LEVEL: 'debug',
    WORKER_QUEUES: 'provisioning',
    WORKER_CONCURRENCY: '10',
    ...options.env,
  });
  await worker.waitForLog(/worker ready \(health on :(\d+)\)/, 90000);
  return worker;
}

/** The built api; returns the process and its base URL. */
export async function startApi(
  options: ProcessOptions & { jwtSecret: string },
): Promise<{ api: RunningProcess; url: string }> {
  const api = RunningProcess.start(DIST.api, {
    ...processBase(options),
    JWT_SECRET: options.jwtSecret,
    COOKIE_SECURE: 'false',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'debug',
    ...options.env,
  });
  const port = await api.waitForLog(/api listening on http:\/\/127\.0\.0\.1:(\d+)/, 90000);
  return { api, url: `http://127.0.0.1:${port}` };
}

export interface HttpAnswer {
  status: number;
  body: any;
  text: string;
  headers: Headers;
}

/** fetch against any base URL (the api process), JSON in and out. */
export async function call(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<HttpAnswer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  return { status: response.status, body, text, headers: response.headers };
}

/** Polls the environment row until `done`; fails with what it last saw. */
export async function waitForEnvironment(
  prisma: PrismaService,
  id: string,
  done: (env: { state: string; progressStep: string | null; progressPercent: number }) => boolean,
  timeoutMs = 60000,
): Promise<{
  state: string;
  progressStep: string | null;
  progressPercent: number;
  stateReason: string | null;
}> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const env = await prisma.environment.findUniqueOrThrow({ where: { id } });
    if (done(env)) return env;
    if (Date.now() > deadline)
      throw new Error(
        `environment ${id} still ${env.state} (${env.progressStep}, ${env.progressPercent}%): ${env.stateReason ?? ''}`,
      );
    await sleep(100);
  }
}
