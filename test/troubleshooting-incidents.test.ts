/**
 * Starting a troubleshooting incident end to end: the student starts the task through the api,
 * which queues grading.prepare-incident; the worker (in process, live transports) finds their
 * ready environment, opens its vcluster — here the fake API server — with the kubeconfig stored
 * encrypted in the environment row, and deploys the troubleshoot app with the student's fault.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SecretBox } from '@kubecohort/auth';
import { parseEncryptionKeys } from '@kubecohort/environments';
import { faultFor, troubleshootApp, withFault } from '@kubecohort/grading';
import type { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { FakeKubeApiServer } from './fake-kube-api/index.js';
import { ApiHarness } from './support/api-harness.js';
import { createPrivateDatabase, type PrivateDatabase } from './support/grading-database.js';
import {
  createGradingCohort,
  createHostCluster,
  startInProcessWorker,
  TEST_ENCRYPTION_KEYS,
  testWorkerEnv,
  waitFor,
} from './support/grading-fixtures.js';

describe('troubleshooting incidents', () => {
  let db: PrivateDatabase;
  let api: ApiHarness;
  let worker: INestApplicationContext;
  let vcluster: FakeKubeApiServer;
  const prefix = `${process.env.REDIS_PREFIX ?? 'kc-test'}:incidents-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    db = await createPrivateDatabase('incidents');
    api = await ApiHarness.start({
      ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
      DATABASE_URL: db.url,
      REDIS_PREFIX: prefix,
    });
    worker = await startInProcessWorker(
      testWorkerEnv(db.url, {
        REDIS_PREFIX: prefix,
        ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
        // The live transports: the worker opens the student's vcluster with their kubeconfig.
        GRADING_TEST_GRADERS: 'false',
      }),
    );
    vcluster = new FakeKubeApiServer({ controller: { namespaceDeletionDelayMs: 20 } });
    await vcluster.start();
  }, 120_000);

  afterAll(async () => {
    await worker?.close();
    await api?.stop();
    await vcluster?.stop();
    await db?.drop();
  });

  async function studentWithEnvironment(state: 'ready' | 'sleeping') {
    const hostClusterId = await createHostCluster(api.prisma);
    const cohort = await createGradingCohort(api, {
      students: 1,
      unlocked: [1, 2, 3, 4, 5],
      environment: () => ({ hostClusterId, state }),
    });
    const student = cohort.students[0]!;
    const box = new SecretBox(parseEncryptionKeys(TEST_ENCRYPTION_KEYS));
    await api.prisma.environment.updateMany({
      where: { activeUserId: student.id },
      data: { serverUrl: vcluster.url, kubeconfigEncrypted: box.encrypt(vcluster.kubeconfig()) },
    });
    return student;
  }

  const web = { apiVersion: 'v1', kind: 'Service', namespace: 'troubleshoot', name: 'web' };

  it("deploys the app with the student's fault into their vcluster when they start the incident", async () => {
    const student = await studentWithEnvironment('ready');
    const res = await api.request('POST', '/api/v1/me/tasks/troubleshooting-incident-2/start', {
      token: student.token,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ taskId: 'troubleshooting-incident-2', status: 'in_progress' });

    const fault = faultFor(student.id, 2);
    const expected = withFault(troubleshootApp(), fault);
    await waitFor('the troubleshoot app in the vcluster', () =>
      Promise.resolve(
        expected.every((object) =>
          vcluster.getObject({
            apiVersion: object.apiVersion,
            kind: object.kind,
            namespace: object.metadata.namespace,
            name: object.metadata.name,
          }),
        ),
      ),
    );
    // The broken objects are deployed broken, as the student's fault says.
    const service = vcluster.getObject(web)!.spec as { selector: unknown; ports: { targetPort: unknown }[] };
    expect(service.selector).toEqual(fault === 'broken-selector' ? { app: 'web-v2' } : { app: 'web' });
    expect(service.ports[0]!.targetPort).toBe(fault === 'wrong-target-port' ? 8081 : 8080);

    // Starting it again redeploys over what the student changed.
    vcluster.seed({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'scratch', namespace: 'troubleshoot' },
    });
    expect(
      (
        await api.request('POST', '/api/v1/me/tasks/troubleshooting-incident-2/start', {
          token: student.token,
        })
      ).status,
    ).toBe(200);
    await waitFor('the scratch object to be gone with the old namespace', () =>
      Promise.resolve(
        !vcluster.getObject({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          namespace: 'troubleshoot',
          name: 'scratch',
        }) && vcluster.getObject(web) !== undefined,
      ),
    );
  }, 60_000);
});
