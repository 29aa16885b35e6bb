import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { prismaSql } from '@kubecohort/database';
import { QuestionSolver } from '@kubecohort/qa';
import { Transactions } from '@kubecohort/realtime';
import { ApiHarness } from './support/api-harness.js';
import {
  answer,
  ask,
  createQaCohort,
  enroll,
  type QaCohort,
  type QaStudent,
  qaEvents,
  recordGrading,
} from './support/qa-fixtures.js';

const LAB3 = 'lab-3-network-policy';
const LAB2 = 'lab-2-service-discovery';

/**
 * The grading hook: the grading pipeline calls QuestionSolver.onGradingPassed inside its own
 * transaction when a submission passes. Called here the same way, on the real database.
 */
describe('Q&A: questions solved by grading', () => {
  let api: ApiHarness;
  let solver: QuestionSolver;
  let transactions: Transactions;

  beforeAll(async () => {
    api = await ApiHarness.start();
    solver = api.app.get(QuestionSolver);
    transactions = api.app.get(Transactions);
  });
  afterAll(() => api.stop());

  /** What the grading pipeline does: record the passing submission and call the hook in one transaction. */
  async function gradingPasses(cohort: QaCohort, student: QaStudent, taskId: string): Promise<string[]> {
    const submissionId = await recordGrading(api, cohort, student, taskId, {
      status: 'passed',
      score: 10,
      maxScore: 10,
    });
    return transactions.run((tx, emit) =>
      solver.onGradingPassed(
        { cohortId: cohort.id, userId: student.id, taskId, submissionId },
        prismaSql(tx),
        emit,
      ),
    );
  }

  const get = (user: { token: string }, id: string) =>
    api.request('GET', `/api/v1/questions/${id}`, { token: user.token });

  it("solves the asker's open and answered questions on that task (question.solved by 'grading'), nothing else", async () => {
    const cohort = await createQaCohort(api);
    const [asker, peer] = [await enroll(api, cohort), await enroll(api, cohort)];
    const open = await ask(api, asker, cohort.id, {
      title: 'My policy fails check 2',
      body: 'x',
      taskId: LAB3,
    });
    const answered = await ask(api, asker, cohort.id, {
      title: 'Also this on lab 3',
      body: 'x',
      taskId: LAB3,
    });
    await answer(api, peer, answered.id);
    const otherTask = await ask(api, asker, cohort.id, { title: 'Lab 2 question', body: 'x', taskId: LAB2 });
    const noTask = await ask(api, asker, cohort.id, { title: 'General question', body: 'x' });
    const peersQuestion = await ask(api, peer, cohort.id, {
      title: 'Same task, other student',
      body: 'x',
      taskId: LAB3,
    });
    const deleted = await ask(api, asker, cohort.id, {
      title: 'Deleted one on lab 3',
      body: 'x',
      taskId: LAB3,
    });
    await api.request('DELETE', `/api/v1/questions/${deleted.id}`, { token: asker.token });

    const solved = await gradingPasses(cohort, asker, LAB3);
    expect(new Set(solved)).toEqual(new Set([open.id, answered.id]));

    for (const id of [open.id, answered.id]) {
      const res = await get(asker, id);
      expect(res.body).toEqual(
        expect.objectContaining({
          status: 'solved',
          solvedBy: 'grading',
          solvedAt: expect.any(String),
          acceptedAnswerId: null,
        }),
      );
    }
    expect((await get(asker, otherTask.id)).body.status).toBe('open');
    expect((await get(asker, noTask.id)).body.status).toBe('open');
    expect((await get(peer, peersQuestion.id)).body.status).toBe('open');
    expect((await api.prisma.question.findUniqueOrThrow({ where: { id: deleted.id } })).status).toBe('open');

    const events = await qaEvents(api, cohort.id, 'question.solved');
    expect(events).toHaveLength(2);
    expect(new Set(events.map((event) => (event.payload as { questionId: string }).questionId))).toEqual(
      new Set([open.id, answered.id]),
    );
    for (const event of events) {
      expect(event.subjectUserId).toBeNull();
      expect(event.payload).toEqual(expect.objectContaining({ userId: asker.id, by: 'grading' }));
    }

    // Passing again solves nothing more.
    expect(await gradingPasses(cohort, asker, LAB3)).toEqual([]);
    expect(await qaEvents(api, cohort.id, 'question.solved')).toHaveLength(2);
    // A later acceptance records the answer but the question stays solved by grading, no new event.
    const reply = (await get(asker, answered.id)).body.answers[0];
    const accepted = await api.request('POST', `/api/v1/questions/${answered.id}/accept`, {
      token: asker.token,
      body: { answerId: reply.id },
    });
    expect(accepted.body).toEqual(
      expect.objectContaining({ status: 'solved', solvedBy: 'grading', acceptedAnswerId: reply.id }),
    );
    expect(await qaEvents(api, cohort.id, 'question.solved')).toHaveLength(2);
  });

  it('does not re-solve a question whose answer was accepted first', async () => {
    const cohort = await createQaCohort(api);
    const [asker, helper] = [await enroll(api, cohort), await enroll(api, cohort)];
    const question = await ask(api, asker, cohort.id, {
      title: 'Accepted before the pass',
      body: 'x',
      taskId: LAB3,
    });
    const reply = await answer(api, helper, question.id);
    const accepted = await api.request('POST', `/api/v1/questions/${question.id}/accept`, {
      token: asker.token,
      body: { answerId: reply.id },
    });
    expect(accepted.body.solvedBy).toBe('accepted');

    expect(await gradingPasses(cohort, asker, LAB3)).toEqual([]);
    const after = await get(asker, question.id);
    expect(after.body).toEqual(
      expect.objectContaining({ status: 'solved', solvedBy: 'accepted', solvedAt: accepted.body.solvedAt }),
    );
    const events = await qaEvents(api, cohort.id, 'question.solved');
    expect(events.map((event) => event.payload)).toEqual([
      { questionId: question.id, userId: asker.id, by: 'accepted' },
    ]);
  });

  it("takes part in the caller's transaction: a rolled-back grading solves nothing; without one it runs its own", async () => {
    const cohort = await createQaCohort(api);
    const asker = await enroll(api, cohort);
    const question = await ask(api, asker, cohort.id, {
      title: 'Rolled back grading',
      body: 'x',
      taskId: LAB3,
    });
    const submissionId = await recordGrading(api, cohort, asker, LAB3, { status: 'passed' });
    const input = { cohortId: cohort.id, userId: asker.id, taskId: LAB3, submissionId };

    await expect(
      transactions.run(async (tx, emit) => {
        expect(await solver.onGradingPassed(input, prismaSql(tx), emit)).toEqual([question.id]);
        throw new Error('grading pipeline failed after the hook');
      }),
    ).rejects.toThrow('grading pipeline failed');
    expect((await get(asker, question.id)).body.status).toBe('open');
    expect(await qaEvents(api, cohort.id, 'question.solved')).toHaveLength(0);

    expect(await solver.onGradingPassed(input)).toEqual([question.id]);
    expect((await get(asker, question.id)).body.solvedBy).toBe('grading');
    expect(await qaEvents(api, cohort.id, 'question.solved')).toHaveLength(1);
  });

  it('an acceptance racing the grading has exactly one winner and one question.solved', async () => {
    const cohort = await createQaCohort(api);
    const [asker, helper] = [await enroll(api, cohort), await enroll(api, cohort)];
    const question = await ask(api, asker, cohort.id, {
      title: 'Race between accept and grading',
      body: 'x',
      taskId: LAB3,
    });
    const reply = await answer(api, helper, question.id);
    const [accepted] = await Promise.all([
      api.request('POST', `/api/v1/questions/${question.id}/accept`, {
        token: asker.token,
        body: { answerId: reply.id },
      }),
      gradingPasses(cohort, asker, LAB3),
    ]);
    expect(accepted.status).toBe(200);
    const events = await qaEvents(api, cohort.id, 'question.solved');
    expect(events).toHaveLength(1);
    const by = (events[0]!.payload as { by: string }).by;
    expect((await get(asker, question.id)).body).toEqual(
      expect.objectContaining({ status: 'solved', solvedBy: by, acceptedAnswerId: reply.id }),
    );
  });
});
