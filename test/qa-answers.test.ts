import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { ApiHarness } from './support/api-harness.js';
import { answer, ask, createQaCohort, enroll, qaAudit, qaEvents, taskOf } from './support/qa-fixtures.js';

const LAB3 = 'lab-3-network-policy';
const LAB2 = 'lab-2-service-discovery';

describe('Q&A: answers, votes, acceptance, endorsement, FAQ', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await ApiHarness.start();
  });
  afterAll(() => api.stop());

  describe('POST /questions/:id/answers', () => {
    it('answers (201), marks the question answered and writes question.answered', async () => {
      const cohort = await createQaCohort(api);
      const [asker, helper] = [await enroll(api, cohort), await enroll(api, cohort)];
      const question = await ask(api, asker, cohort.id, {
        title: 'Why no endpoints?',
        body: 'kubectl get ep is empty',
      });
      const created = await answer(api, helper, question.id, '  Check the selector labels.  ');
      expect(created).toEqual(
        expect.objectContaining({
          questionId: question.id,
          author: { id: helper.id, displayName: helper.displayName },
          body: 'Check the selector labels.',
          score: 0,
          myVote: 0,
          accepted: false,
          endorsement: null,
          discordMessageId: null,
        }),
      );
      const detail = await api.request('GET', `/api/v1/questions/${question.id}`, { token: asker.token });
      expect(detail.body).toEqual(expect.objectContaining({ status: 'answered', answerCount: 1 }));
      const events = await qaEvents(api, cohort.id, 'question.answered');
      expect(events.map((event) => [event.payload, event.subjectUserId])).toEqual([
        [{ questionId: question.id, answerId: created.id, userId: helper.id }, null],
      ]);
      // The staff answer too.
      await answer(api, cohort.instructor, question.id, 'Also look at the port names.');
    });

    it('validates the body; 404 for other cohorts and unknown questions; 401 without a token', async () => {
      const cohort = await createQaCohort(api);
      const asker = await enroll(api, cohort);
      const question = await ask(api, asker, cohort.id, { title: 'Validation target', body: 'x' });
      const path = `/api/v1/questions/${question.id}/answers`;
      const empty = await api.request('POST', path, { token: asker.token, body: { body: '   ', extra: 1 } });
      expect(empty.status).toBe(400);
      expect(new Set((empty.body.details as { field: string }[]).map((detail) => detail.field))).toEqual(
        new Set(['body', 'extra']),
      );
      const other = await createQaCohort(api);
      for (const user of [await enroll(api, other), other.instructor]) {
        expect((await api.request('POST', path, { token: user.token, body: { body: 'x' } })).status).toBe(
          404,
        );
      }
      expect(
        (
          await api.request('POST', `/api/v1/questions/${randomUUID()}/answers`, {
            token: asker.token,
            body: { body: 'x' },
          })
        ).status,
      ).toBe(404);
      expect((await api.request('POST', path, { body: { body: 'x' } })).status).toBe(401);
      expect(await api.prisma.answer.count({ where: { questionId: question.id } })).toBe(0);
    });
  });

  describe('POST /answers/:id/vote', () => {
    it('keeps one vote per person, changeable; the same vote twice is idempotent; 0 withdraws; the score is the sum', async () => {
      const cohort = await createQaCohort(api);
      const [asker, author, v1, v2] = [
        await enroll(api, cohort),
        await enroll(api, cohort),
        await enroll(api, cohort),
        await enroll(api, cohort),
      ];
      const question = await ask(api, asker, cohort.id, { title: 'Vote on me', body: 'x' });
      const target = await answer(api, author, question.id);
      const vote = (user: { token: string }, value: unknown) =>
        api.request('POST', `/api/v1/answers/${target.id}/vote`, { token: user.token, body: { value } });

      expect((await vote(v1, 1)).body).toEqual({ answerId: target.id, value: 1, score: 1 });
      expect((await vote(v1, 1)).body).toEqual({ answerId: target.id, value: 1, score: 1 });
      expect((await vote(v2, 1)).body.score).toBe(2);
      expect((await vote(v1, -1)).body).toEqual({ answerId: target.id, value: -1, score: 0 });
      expect((await vote(asker, -1)).body.score).toBe(-1);
      expect((await vote(v1, 0)).body).toEqual({ answerId: target.id, value: 0, score: 0 });
      expect((await vote(v1, 0)).body.score).toBe(0);
      const votes = await api.prisma.vote.findMany({
        where: { answerId: target.id },
        orderBy: { userId: 'asc' },
      });
      expect(votes.map((row) => [row.userId, row.value]).sort()).toEqual(
        [
          [asker.id, -1],
          [v2.id, 1],
        ].sort(),
      );
      expect((await api.prisma.answer.findUniqueOrThrow({ where: { id: target.id } })).score).toBe(0);

      const detail = await api.request('GET', `/api/v1/questions/${question.id}`, { token: v2.token });
      expect(detail.body.answers[0]).toEqual(expect.objectContaining({ id: target.id, score: 0, myVote: 1 }));

      const own = await vote(author, 1);
      expect(own.status).toBe(403);
      expect(own.body.error).toBe('own_answer');
      for (const bad of [2, '1', null]) {
        const res = await vote(v1, bad);
        expect(res.status).toBe(400);
        expect(res.body.details).toEqual([expect.objectContaining({ field: 'value' })]);
      }
      const other = await createQaCohort(api);
      expect((await vote(await enroll(api, other), 1)).status).toBe(404);
      expect(
        (
          await api.request('POST', `/api/v1/answers/${randomUUID()}/vote`, {
            token: v1.token,
            body: { value: 1 },
          })
        ).status,
      ).toBe(404);
    });

    it('counts concurrent votes exactly', async () => {
      const cohort = await createQaCohort(api);
      const [asker, author] = [await enroll(api, cohort), await enroll(api, cohort)];
      const question = await ask(api, asker, cohort.id, { title: 'Popular answer', body: 'x' });
      const target = await answer(api, author, question.id);
      const voters = await Promise.all(Array.from({ length: 8 }, () => enroll(api, cohort)));
      const results = await Promise.all(
        voters.flatMap((voter) =>
          [1, 1].map((value) =>
            api.request('POST', `/api/v1/answers/${target.id}/vote`, { token: voter.token, body: { value } }),
          ),
        ),
      );
      expect(results.every((res) => res.status === 200)).toBe(true);
      expect((await api.prisma.answer.findUniqueOrThrow({ where: { id: target.id } })).score).toBe(8);
    });
  });

  describe('POST /questions/:id/accept', () => {
    it('the asker accepts: solved by "accepted", question.solved written once; moving the acceptance writes nothing new', async () => {
      const cohort = await createQaCohort(api);
      const [asker, h1, h2] = [
        await enroll(api, cohort),
        await enroll(api, cohort),
        await enroll(api, cohort),
      ];
      const question = await ask(api, asker, cohort.id, { title: 'Accept me', body: 'x' });
      const first = await answer(api, h1, question.id, 'first');
      const second = await answer(api, h2, question.id, 'second');
      const path = `/api/v1/questions/${question.id}/accept`;

      const accepted = await api.request('POST', path, { token: asker.token, body: { answerId: second.id } });
      expect(accepted.status).toBe(200);
      expect(accepted.body).toEqual(
        expect.objectContaining({
          status: 'solved',
          solvedBy: 'accepted',
          solvedAt: expect.any(String),
          acceptedAnswerId: second.id,
        }),
      );
      expect(
        accepted.body.answers.map((item: { id: string; accepted: boolean }) => [item.id, item.accepted]),
      ).toEqual([
        [second.id, true],
        [first.id, false],
      ]);
      expect(
        (await api.request('POST', path, { token: asker.token, body: { answerId: second.id } })).status,
      ).toBe(200);
      const moved = await api.request('POST', path, { token: asker.token, body: { answerId: first.id } });
      expect(moved.body).toEqual(
        expect.objectContaining({
          acceptedAnswerId: first.id,
          solvedBy: 'accepted',
          solvedAt: accepted.body.solvedAt,
        }),
      );
      const events = await qaEvents(api, cohort.id, 'question.solved');
      expect(events.map((event) => [event.payload, event.subjectUserId])).toEqual([
        [{ questionId: question.id, userId: asker.id, by: 'accepted' }, null],
      ]);
      // The asker accepting is not a moderation action.
      expect(await qaAudit(api, 'qa.answer.accept', question.id)).toHaveLength(0);
    });

    it('an instructor of the cohort may accept (audited); another student 403; other cohorts 404; foreign answers 400', async () => {
      const cohort = await createQaCohort(api);
      const [asker, helper, peer] = [
        await enroll(api, cohort),
        await enroll(api, cohort),
        await enroll(api, cohort),
      ];
      const question = await ask(api, asker, cohort.id, { title: 'Staff may accept', body: 'x' });
      const reply = await answer(api, helper, question.id);
      const elsewhere = await answer(
        api,
        helper,
        (await ask(api, peer, cohort.id, { title: 'Another one', body: 'x' })).id,
      );
      const path = `/api/v1/questions/${question.id}/accept`;

      const byPeer = await api.request('POST', path, { token: peer.token, body: { answerId: reply.id } });
      expect(byPeer.status).toBe(403);
      expect(byPeer.body.error).toBe('not_asker');
      const byHelper = await api.request('POST', path, { token: helper.token, body: { answerId: reply.id } });
      expect(byHelper.status).toBe(403);
      const other = await createQaCohort(api);
      expect(
        (await api.request('POST', path, { token: other.instructor.token, body: { answerId: reply.id } }))
          .status,
      ).toBe(404);
      const foreign = await api.request('POST', path, {
        token: asker.token,
        body: { answerId: elsewhere.id },
      });
      expect(foreign.status).toBe(400);
      expect(foreign.body.details).toEqual([
        { field: 'answerId', problem: 'is not an answer to this question' },
      ]);
      const malformed = await api.request('POST', path, { token: asker.token, body: { answerId: 'nope' } });
      expect(malformed.status).toBe(400);
      expect(malformed.body.details).toEqual([expect.objectContaining({ field: 'answerId' })]);

      const byInstructor = await api.request('POST', path, {
        token: cohort.instructor.token,
        body: { answerId: reply.id },
      });
      expect(byInstructor.status).toBe(200);
      expect(byInstructor.body).toEqual(
        expect.objectContaining({ status: 'solved', solvedBy: 'accepted', acceptedAnswerId: reply.id }),
      );
      const audit = await qaAudit(api, 'qa.answer.accept', question.id);
      expect(audit).toEqual([
        expect.objectContaining({ actorId: cohort.instructor.id, metadata: { answerId: reply.id } }),
      ]);
      expect((await qaEvents(api, cohort.id, 'question.solved')).map((event) => event.payload)).toEqual([
        { questionId: question.id, userId: asker.id, by: 'accepted' },
      ]);
    });
  });

  describe('endorsement and answer order', () => {
    it('staff endorse (idempotent) and withdraw; students 403; answers sort accepted, endorsed, score, time', async () => {
      const cohort = await createQaCohort(api);
      const students = await Promise.all(Array.from({ length: 6 }, () => enroll(api, cohort)));
      const [asker, a1, a2, a3, a4, voter] = students as [(typeof students)[0], ...typeof students];
      const question = await ask(api, asker, cohort.id, { title: 'Order of answers', body: 'x' });
      const oldest = await answer(api, a1!, question.id, 'oldest, no votes');
      const voted = await answer(api, a2!, question.id, 'upvoted');
      const endorsed = await answer(api, a3!, question.id, 'endorsed');
      const accepted = await answer(api, a4!, question.id, 'accepted');
      const newest = await answer(api, cohort.instructor, question.id, 'newest, no votes');
      await api.request('POST', `/api/v1/answers/${voted.id}/vote`, {
        token: voter!.token,
        body: { value: 1 },
      });
      await api.request('POST', `/api/v1/answers/${endorsed.id}/vote`, {
        token: voter!.token,
        body: { value: -1 },
      });

      const denied = await api.request('POST', `/api/v1/answers/${endorsed.id}/endorse`, {
        token: asker.token,
      });
      expect(denied.status).toBe(403);
      expect(denied.body.error).toBe('staff_only');
      const done = await api.request('POST', `/api/v1/answers/${endorsed.id}/endorse`, {
        token: cohort.instructor.token,
      });
      expect(done.status).toBe(200);
      expect(done.body.endorsement).toEqual({
        by: { id: cohort.instructor.id, displayName: expect.any(String) },
        at: expect.any(String),
      });
      const again = await api.request('POST', `/api/v1/answers/${endorsed.id}/endorse`, {
        token: cohort.instructor.token,
      });
      expect(again.body.endorsement.at).toBe(done.body.endorsement.at);
      await api.request('POST', `/api/v1/questions/${question.id}/accept`, {
        token: asker.token,
        body: { answerId: accepted.id },
      });

      const detail = await api.request('GET', `/api/v1/questions/${question.id}`, { token: voter!.token });
      expect(detail.body.answers.map((item: { id: string }) => item.id)).toEqual([
        accepted.id,
        endorsed.id,
        voted.id,
        oldest.id,
        newest.id,
      ]);
      expect(detail.body.answers.map((item: { myVote: number }) => item.myVote)).toEqual([0, -1, 1, 0, 0]);

      const other = await createQaCohort(api);
      expect(
        (await api.request('POST', `/api/v1/answers/${voted.id}/endorse`, { token: other.instructor.token }))
          .status,
      ).toBe(404);
      const withdrawn = await api.request('DELETE', `/api/v1/answers/${endorsed.id}/endorse`, {
        token: cohort.instructor.token,
      });
      expect(withdrawn.status).toBe(200);
      expect(withdrawn.body.endorsement).toBeNull();
      const after = await api.request('GET', `/api/v1/questions/${question.id}`, { token: voter!.token });
      expect(after.body.answers.map((item: { id: string }) => item.id)).toEqual([
        accepted.id,
        voted.id,
        oldest.id,
        newest.id,
        endorsed.id,
      ]);
    });
  });

  describe('PATCH/DELETE /answers/:id', () => {
    it('the author or staff edit and delete; others 403; deleting the accepted answer takes the acceptance back', async () => {
      const cohort = await createQaCohort(api);
      const [asker, author, peer] = [
        await enroll(api, cohort),
        await enroll(api, cohort),
        await enroll(api, cohort),
      ];
      const question = await ask(api, asker, cohort.id, { title: 'Edit my answer', body: 'x' });
      const reply = await answer(api, author, question.id, 'first draft');
      const path = `/api/v1/answers/${reply.id}`;

      const edited = await api.request('PATCH', path, {
        token: author.token,
        body: { body: 'second draft' },
      });
      expect(edited.status).toBe(200);
      expect(edited.body.body).toBe('second draft');
      expect((await api.request('PATCH', path, { token: peer.token, body: { body: 'vandal' } })).status).toBe(
        403,
      );
      expect((await api.request('DELETE', path, { token: peer.token })).status).toBe(403);
      expect((await api.request('PATCH', path, { token: author.token, body: {} })).status).toBe(400);
      const byStaff = await api.request('PATCH', path, {
        token: cohort.instructor.token,
        body: { body: 'tidied by staff' },
      });
      expect(byStaff.body.body).toBe('tidied by staff');
      expect(await qaAudit(api, 'qa.answer.edit', reply.id)).toHaveLength(1);

      await api.request('POST', `/api/v1/questions/${question.id}/accept`, {
        token: asker.token,
        body: { answerId: reply.id },
      });
      expect((await api.request('DELETE', path, { token: author.token })).status).toBe(204);
      const detail = await api.request('GET', `/api/v1/questions/${question.id}`, { token: asker.token });
      expect(detail.body).toEqual(
        expect.objectContaining({
          status: 'open',
          answerCount: 0,
          acceptedAnswerId: null,
          solvedBy: null,
          solvedAt: null,
          answers: [],
        }),
      );
      expect(
        (await api.request('PATCH', path, { token: author.token, body: { body: 'ghost' } })).status,
      ).toBe(404);

      const second = await answer(api, peer, question.id, 'another');
      expect(
        (await api.request('DELETE', `/api/v1/answers/${second.id}`, { token: cohort.instructor.token }))
          .status,
      ).toBe(204);
      expect(await qaAudit(api, 'qa.answer.delete', second.id)).toHaveLength(1);
    });
  });

  describe('GET /cohorts/:id/faq', () => {
    it('lists accepted answers grouped by task and step in plan order; unaccepted, deleted and other cohorts excluded', async () => {
      const cohort = await createQaCohort(api);
      const lab2 = taskOf(cohort, LAB2);
      const lab3 = taskOf(cohort, LAB3);
      const [asker, helper] = [await enroll(api, cohort), await enroll(api, cohort)];
      const solve = async (
        body: { title: string; taskId?: string; step?: number; tags?: string[] },
        text: string,
      ) => {
        const question = await ask(api, asker, cohort.id, { body: `${body.title}?`, ...body });
        const reply = await answer(api, helper, question.id, text);
        const res = await api.request('POST', `/api/v1/questions/${question.id}/accept`, {
          token: asker.token,
          body: { answerId: reply.id },
        });
        expect(res.status).toBe(200);
        return { question, reply };
      };
      const general = await solve({ title: 'Where are the slides' }, 'In the drive.');
      const onLab3 = await solve(
        { title: 'Default deny blocks DNS', taskId: LAB3, tags: ['dns'] },
        'Allow UDP 53 to kube-dns.',
      );
      const onLab2 = await solve({ title: 'Headless service', taskId: LAB2 }, 'clusterIP: None.');
      const onStep = await solve({ title: 'Reading for this step', step: lab3.step }, 'Chapter 4.');
      const removed = await solve({ title: 'Deleted later', taskId: LAB3 }, 'gone');
      await api.request('DELETE', `/api/v1/questions/${removed.question.id}`, {
        token: cohort.instructor.token,
      });
      const unaccepted = await ask(api, asker, cohort.id, {
        title: 'Not accepted yet',
        body: 'x',
        taskId: LAB3,
      });
      await answer(api, helper, unaccepted.id);
      await api.request('POST', `/api/v1/answers/${onLab3.reply.id}/endorse`, {
        token: cohort.instructor.token,
      });

      const res = await api.request('GET', `/api/v1/cohorts/${cohort.id}/faq`, { token: helper.token });
      expect(res.status).toBe(200);
      expect(res.body.cohortId).toBe(cohort.id);
      const groups = res.body.groups as {
        step: number | null;
        taskId: string | null;
        entries: { questionId: string }[];
      }[];
      const expected: [number | null, string | null, string][] = [];
      const stepGroup: [number | null, string | null, string] = [lab3.step, null, onStep.question.id];
      const taskGroups: [number | null, string | null, string][] = [
        [lab2.step, LAB2, onLab2.question.id],
        [lab3.step, LAB3, onLab3.question.id],
      ];
      // Plan order: by step; a step's general questions before its tasks; the cohort's general ones last.
      for (const group of [...taskGroups, stepGroup].sort(
        (a, b) => (a[0] ?? 99) - (b[0] ?? 99) || (a[1] === null ? -1 : b[1] === null ? 1 : 0),
      )) {
        expected.push(group);
      }
      if (lab2.step === lab3.step) {
        const lab2Index = cohort.tasks.findIndex((task) => task.id === LAB2);
        const lab3Index = cohort.tasks.findIndex((task) => task.id === LAB3);
        expect(lab2Index).toBeLessThan(lab3Index);
      }
      expected.push([null, null, general.question.id]);
      expect(
        groups.map((group) => [
          group.step,
          group.taskId,
          group.entries.map((entry) => entry.questionId).join(),
        ]),
      ).toEqual(expected);
      const lab3Group = groups.find((group) => group.taskId === LAB3) as unknown as {
        taskTitle: string;
        stepTitle: string;
        entries: unknown[];
      };
      expect(lab3Group.taskTitle).toBe(lab3.title);
      expect(lab3Group.stepTitle).toEqual(expect.any(String));
      expect(lab3Group.entries[0]).toEqual({
        questionId: onLab3.question.id,
        title: 'Default deny blocks DNS',
        body: 'Default deny blocks DNS?',
        tags: ['dns'],
        solvedAt: expect.any(String),
        answer: {
          id: onLab3.reply.id,
          body: 'Allow UDP 53 to kube-dns.',
          author: { id: helper.id, displayName: helper.displayName },
          score: 0,
          endorsed: true,
        },
      });

      const other = await createQaCohort(api);
      expect(
        (
          await api.request('GET', `/api/v1/cohorts/${cohort.id}/faq`, {
            token: (await enroll(api, other)).token,
          })
        ).status,
      ).toBe(404);
      const empty = await api.request('GET', `/api/v1/cohorts/${other.id}/faq`, {
        token: other.instructor.token,
      });
      expect(empty.body).toEqual({ cohortId: other.id, groups: [] });
    });
  });
});
