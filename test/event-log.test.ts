import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SqlClient } from '@kubecohort/database';
import { appendCohortEvents, type CohortEvent } from '@kubecohort/realtime';
import { ApiHarness } from './support/api-harness.js';
import { createProgressCohort } from './support/progress-fixtures.js';

// The event log's append of several cohorts' events in one statement, on the real database.

describe('appendCohortEvents', () => {
  let api: ApiHarness;
  let sql: SqlClient;
  let cohorts: [string, string];

  beforeAll(async () => {
    api = await ApiHarness.start();
    sql = api.app.get(SqlClient);
    cohorts = [(await createProgressCohort(api)).id, (await createProgressCohort(api)).id];
  });
  afterAll(() => api.stop());

  const event = (cohortId: string, label: string): CohortEvent => ({
    cohortId,
    type: 'cohort.updated',
    payload: { fields: [label] },
    subjectUserId: null,
  });
  const head = async (cohortId: string) =>
    Number((await api.prisma.cohortEventCounter.findUnique({ where: { cohortId } }))?.lastId ?? 0n);
  const stored = (cohortId: string) =>
    api.prisma.event.findMany({ where: { cohortId }, orderBy: { id: 'asc' } });

  it("reserves each cohort's ids in the order given and answers in that order", async () => {
    const [a, b] = cohorts;
    const [headA, headB] = [await head(a), await head(b)];
    const input = [event(b, 'b1'), event(a, 'a1'), event(b, 'b2'), event(a, 'a2'), event(b, 'b3')];
    const appended = await sql.transaction((tx) => appendCohortEvents(tx, input));
    expect(appended.map((e) => [e.cohortId, (e.payload as { fields: string[] }).fields[0]])).toEqual(
      input.map((e) => [e.cohortId, (e.payload as { fields: string[] }).fields[0]]),
    );
    expect(appended.map((e) => Number(e.id))).toEqual([
      headB + 1,
      headA + 1,
      headB + 2,
      headA + 2,
      headB + 3,
    ]);
    expect([await head(a), await head(b)]).toEqual([headA + 2, headB + 3]);
    const inLog = (await stored(b)).filter((row) => Number(row.id) > headB);
    expect(inLog.map((row) => (row.payload as { fields: string[] }).fields[0])).toEqual(['b1', 'b2', 'b3']);
  });

  it('writers over the same cohorts in opposite orders neither deadlock nor share an id', async () => {
    const [a, b] = cohorts;
    const [headA, headB] = [await head(a), await head(b)];
    const writers = 24;
    await Promise.all(
      Array.from({ length: writers }, (_, index) =>
        sql.transaction(async (tx) => {
          const pair = index % 2 === 0 ? [a, b] : [b, a];
          await appendCohortEvents(tx, [event(pair[0]!, `w${index}`), event(pair[1]!, `w${index}`)]);
          // Hold the counters a moment, as a real writer's other statements would.
          await new Promise((resolve) => setTimeout(resolve, 5));
        }),
      ),
    );
    for (const [cohortId, before] of [
      [a, headA],
      [b, headB],
    ] as const) {
      const ids = (await stored(cohortId)).map((row) => Number(row.id)).filter((id) => id > before);
      expect(ids).toEqual(Array.from({ length: writers }, (_, index) => before + index + 1));
    }
  });
});
