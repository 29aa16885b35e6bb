import { SecretBox } from '@kubecohort/auth';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiHarness, type TestUser } from './support/api-harness.js';
import { createCohort, joinStudent, type CohortFixture } from './support/cohort-fixtures.js';

/**
 * Every route the api registers, swept with every kind of caller:
 * - without a token: 401, except the explicit public allow-list;
 * - an instructor and a student of cohort A, given the real ids of cohort B: 404 (403 where the
 *   route is closed to their role), never data;
 * - the owner (cohort B's instructor, its student for /me routes, an admin for admin routes): 2xx.
 * A route added without a sample body here fails the sweep, so no route escapes it.
 */

const PUBLIC = new Set([
  'GET /healthz',
  'GET /readyz',
  'GET /metrics',
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/refresh',
  'POST /api/v1/auth/join',
  'POST /api/v1/auth/reset-password',
]);

interface Route {
  method: string;
  path: string;
}

interface Ids {
  id?: string;
  userId: string;
  inviteId: string;
  taskId: string;
  step: string;
  exportId: string;
  operationId: string;
}

const TASK = 'lab-1-basic-connectivity';

/** Bodies that pass validation, so scoping (not validation) decides the answer. */
function sampleBody(
  route: Route,
  b: World['b'],
): { body?: unknown; raw?: string; contentType?: string } | undefined {
  const key = `${route.method} ${route.path}`;
  const samples: Record<string, { body?: unknown; raw?: string; contentType?: string }> = {
    'PATCH /api/v1/cohorts/:id': { body: { name: 'renamed by an outsider' } },
    'DELETE /api/v1/cohorts/:id': {},
    'PUT /api/v1/cohorts/:id/instructors/:userId': {},
    'DELETE /api/v1/cohorts/:id/instructors/:userId': {},
    'POST /api/v1/cohorts/:id/invites': { body: {} },
    'DELETE /api/v1/cohorts/:id/invites/:inviteId': {},
    'DELETE /api/v1/cohorts/:id/students/:userId': {},
    'POST /api/v1/cohorts/:id/students/:userId/erase': { body: {} },
    'POST /api/v1/cohorts/:id/students/:userId/password-reset': { body: {} },
    'POST /api/v1/cohorts/:id/roster': {
      raw: 'name,email,discord\nEve,eve@example.org,eve\n',
      contentType: 'text/csv',
    },
    'PUT /api/v1/cohorts/:id/plan/steps/:step': { body: { locked: false } },
    'PUT /api/v1/cohorts/:id/students/:userId/steps/:step/deadline': {
      body: { deadline: new Date(Date.now() + 86_400_000).toISOString(), reason: 'outsider' },
    },
    'PUT /api/v1/cohorts/:id/students/:userId/tasks/:taskId': { body: { points: 1, reason: 'outsider' } },
    'POST /api/v1/cohorts/:id/questions': {
      body: { title: 'An outsider asks a question', body: 'with a body long enough' },
    },
    'PATCH /api/v1/questions/:id': { body: { title: 'An outsider edits the title' } },
    'DELETE /api/v1/questions/:id': {},
    'POST /api/v1/questions/:id/lock': { body: {} },
    'POST /api/v1/questions/:id/unlock': { body: {} },
    'POST /api/v1/questions/:id/answers': { body: { body: 'an outsider answers this' } },
    'POST /api/v1/questions/:id/accept': { body: { answerId: b.answerId } },
    'PATCH /api/v1/answers/:id': { body: { body: 'an outsider edits the answer' } },
    'DELETE /api/v1/answers/:id': {},
    'POST /api/v1/answers/:id/vote': { body: { value: 1 } },
    'POST /api/v1/answers/:id/endorse': { body: {} },
    'DELETE /api/v1/answers/:id/endorse': {},
    'DELETE /api/v1/service-tokens/:id': {},
    'DELETE /api/v1/environments/:id': {},
    'PATCH /api/v1/environments/:id': {
      body: { expiresAt: new Date(Date.now() + 86_400_000).toISOString() },
    },
    'POST /api/v1/environments/:id/sleep': {},
    'POST /api/v1/environments/:id/wake': {},
    'POST /api/v1/environments/:id/reset': {},
    'POST /api/v1/cohorts/:id/environments': {},
    'POST /api/v1/submissions/:id/review': {
      body: { score: 1, comment: 'outsider', rubric: [{ id: 'x', points: 1 }] },
    },
  };
  return samples[key];
}

interface World {
  admin: TestUser;
  a: { cohort: CohortFixture; student: { id: string; token: string } };
  b: {
    cohort: CohortFixture;
    student: { id: string; token: string; email: string };
    questionId: string;
    questionTitle: string;
    answerId: string;
    serviceTokenId: string;
    submissionId: string;
    environmentId: string;
    exportId: string;
    operationId: string;
  };
}

function listRoutes(api: ApiHarness): Route[] {
  const router = (
    api.app.getHttpAdapter().getInstance() as {
      router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
    }
  ).router;
  const seen = new Set<string>();
  const routes: Route[] = [];
  for (const layer of router.stack) {
    const route = layer.route;
    // Controller routes only: middleware mounts (`{/*splat}`) and the OpenAPI UI are not ours to sweep.
    // Nest registers each controller route for its one method; multi-method layers are mounts.
    if (!route || route.path.includes('{') || route.path.startsWith('/api/docs')) continue;
    if (Object.keys(route.methods).length !== 1) continue;
    for (const method of Object.keys(route.methods)) {
      const path = route.path.length > 1 ? route.path.replace(/\/$/, '') : route.path;
      const key = `${method.toUpperCase()} ${path}`;
      if (seen.has(key) || !['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      seen.add(key);
      routes.push({ method: method.toUpperCase(), path });
    }
  }
  return routes;
}

/** Required query parameters of GET routes. */
const QUERIES: Record<string, string> = {
  '/api/v1/cohorts/:id/questions/similar': '?title=pods%20cannot%20reach',
};

function fill(path: string, ids: Ids, world: World): string {
  const idFor = (): string => {
    if (path.startsWith('/api/v1/cohorts/:id')) return world.b.cohort.id;
    if (path.startsWith('/api/v1/questions/:id')) return world.b.questionId;
    if (path.startsWith('/api/v1/answers/:id')) return world.b.answerId;
    if (path.startsWith('/api/v1/service-tokens/:id')) return world.b.serviceTokenId;
    if (path.startsWith('/api/v1/submissions/:id')) return world.b.submissionId;
    if (path.startsWith('/api/v1/environments/:id')) return world.b.environmentId;
    throw new Error(`the sweep does not know which id ${path} takes: add it to fill()`);
  };
  const query = QUERIES[path] ?? '';
  return `${path
    .replace(':id', () => idFor())
    .replace(':userId', ids.userId)
    .replace(':inviteId', ids.inviteId)
    .replace(':taskId', ids.taskId)
    .replace(':step', ids.step)
    .replace(':exportId', ids.exportId)
    .replace(':operationId', ids.operationId)}${query}`;
}

describe('authorization sweep over every registered route', () => {
  let api: ApiHarness;
  let world: World;
  let routes: Route[];

  beforeAll(async () => {
    api = await ApiHarness.start();
    const admin = await api.createUser('admin');
    const cohortA = await createCohort(api);
    const cohortB = await createCohort(api);
    const studentA = await joinStudent(api, cohortA);
    const studentB = await joinStudent(api, cohortB);
    const questionTitle = `Secret question of cohort B ${cohortB.id.slice(0, 8)}`;
    const asked = await api.request('POST', `/api/v1/cohorts/${cohortB.id}/questions`, {
      token: studentB.token,
      body: { title: questionTitle, body: 'Why does my pod not reach the other namespace?' },
    });
    expect(asked.status).toBe(201);
    const answered = await api.request('POST', `/api/v1/questions/${asked.body.id}/answers`, {
      token: cohortB.instructor.token,
      body: { body: 'Check the NetworkPolicy in the target namespace.' },
    });
    expect(answered.status).toBe(201);
    const serviceToken = await api.createServiceToken(['read-cohorts']);
    // Other suites may publish newer curriculum versions: take a step-1 task of B's own version.
    const { curriculumVersionId } = await api.prisma.cohort.findUniqueOrThrow({ where: { id: cohortB.id } });
    const stepOneTask = await api.prisma.curriculumTask.findFirstOrThrow({
      where: { versionId: curriculumVersionId, step: { number: 1 } },
      orderBy: { position: 'asc' },
    });
    const submitted = await api.request('POST', '/api/v1/submissions', {
      token: studentB.token,
      body: { taskId: stepOneTask.slug },
    });
    expect(submitted.status).toBe(202);
    // A ready environment of student B, with an encrypted kubeconfig, as provisioning leaves it.
    const environment = await api.prisma.environment.create({
      data: {
        cohortId: cohortB.id,
        userId: studentB.id,
        activeUserId: studentB.id,
        state: 'ready',
        progressPercent: 100,
        namespace: `kc-sweep-${cohortB.id.slice(0, 8)}`,
        vclusterName: 'vc',
        serverUrl: 'https://127.0.0.1:31443',
        kubeconfigEncrypted: api.app.get(SecretBox).encrypt('apiVersion: v1\nkind: Config\nclusters: []\n'),
      },
    });
    // An export of student B's objects, as a reset leaves it (encrypted, not yet expired).
    const bundle = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n';
    const exported = await api.prisma.environmentExport.create({
      data: {
        environmentId: environment.id,
        userId: studentB.id,
        reason: 'reset',
        bundle: api.app.get(SecretBox).encrypt(bundle),
        sizeBytes: bundle.length,
        expiresAt: new Date(Date.now() + 3_600_000),
      },
    });
    // A cohort-wide provisioning of cohort B, finished.
    const operation = await api.prisma.environmentOperation.create({
      data: { cohortId: cohortB.id, kind: 'provision-cohort', state: 'succeeded', total: 1, skipped: 1 },
    });
    world = {
      admin,
      a: { cohort: cohortA, student: studentA },
      b: {
        cohort: cohortB,
        student: studentB,
        questionId: asked.body.id as string,
        questionTitle,
        answerId: answered.body.id as string,
        serviceTokenId: serviceToken.id,
        submissionId: submitted.body.id as string,
        environmentId: environment.id,
        exportId: exported.id,
        operationId: operation.id,
      },
    };
    routes = listRoutes(api);
  });
  afterAll(() => api.stop());

  const idsOf = (): Ids => ({
    userId: world.b.student.id,
    inviteId: world.b.cohort.invite.id,
    taskId: TASK,
    step: '2',
    exportId: world.b.exportId,
    operationId: world.b.operationId,
  });

  it('finds the routes of every module', () => {
    const paths = routes.map((route) => `${route.method} ${route.path}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        'POST /api/v1/auth/login',
        'GET /api/v1/cohorts/:id/progress',
        'POST /api/v1/cohorts/:id/roster',
        'GET /api/v1/questions/:id',
      ]),
    );
    expect(routes.length).toBeGreaterThan(50);
  });

  it('answers 401 without a token everywhere but the public allow-list', async () => {
    const wrong: string[] = [];
    for (const route of routes) {
      const key = `${route.method} ${route.path}`;
      if (PUBLIC.has(key)) continue;
      const res = await api.request(
        route.method,
        fill(route.path, idsOf(), world),
        route.method === 'GET' ? {} : { body: {} },
      );
      if (res.status !== 401) wrong.push(`${key} -> ${res.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it('keeps the allow-list public', async () => {
    for (const key of ['GET /healthz', 'GET /readyz', 'GET /metrics']) {
      const [method, path] = key.split(' ') as [string, string];
      expect((await api.request(method, path)).status).toBe(200);
    }
  });

  it("gives outsiders 404 (or 403 by role) for cohort B's ids, never data", async () => {
    const leaks: string[] = [];
    const missingSamples: string[] = [];
    const secrets = [world.b.cohort.name, world.b.student.email, world.b.questionTitle];
    const outsiders = [
      { who: 'instructor of A', token: world.a.cohort.instructor.token },
      { who: 'student of A', token: world.a.student.token },
    ];
    // Reads first, then writes, so a wrongly allowed write cannot hide a read leak.
    const ordered = [...routes].sort((x, y) => Number(x.method !== 'GET') - Number(y.method !== 'GET'));
    for (const route of ordered) {
      const key = `${route.method} ${route.path}`;
      if (PUBLIC.has(key) || !route.path.includes(':') || route.path.startsWith('/api/v1/me/')) continue;
      const sample = route.method === 'GET' ? {} : sampleBody(route, world.b);
      if (!sample) {
        missingSamples.push(key);
        continue;
      }
      for (const outsider of outsiders) {
        const res = await api.request(route.method, fill(route.path, idsOf(), world), {
          token: outsider.token,
          ...sample,
        });
        const leaked = secrets.find((secret) => res.text.includes(secret));
        if (![403, 404].includes(res.status) || leaked) {
          leaks.push(`${outsider.who}: ${key} -> ${res.status}${leaked ? ` leaked "${leaked}"` : ''}`);
        }
      }
    }
    expect(missingSamples).toEqual([]);
    expect(leaks).toEqual([]);
  });

  it('lets the owner read every resource it owns', async () => {
    const failures: string[] = [];
    for (const route of routes) {
      const key = `${route.method} ${route.path}`;
      if (route.method !== 'GET' || PUBLIC.has(key)) continue;
      const path = fill(route.path, idsOf(), world);
      const isMe = route.path === '/api/v1/me' || route.path.startsWith('/api/v1/me/');
      const candidates = isMe
        ? [world.b.student.token]
        : [world.b.cohort.instructor.token, world.admin.token];
      const statuses: number[] = [];
      for (const token of candidates) {
        const res = await api.request('GET', path, { token });
        statuses.push(res.status);
        if (res.status >= 200 && res.status < 300) break;
      }
      if (!statuses.some((status) => status >= 200 && status < 300))
        failures.push(`${key} -> ${statuses.join('/')}`);
    }
    expect(failures).toEqual([]);
  });
});
