import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiHarness } from './support/api-harness.js';
import { answer, ask, createQaCohort, enroll, type QaCohort, type QaStudent } from './support/qa-fixtures.js';

/** Full-text search of questions: relevance (title above body), body words, cohort scope, stable pages. */
describe('Q&A search (PostgreSQL full-text)', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await ApiHarness.start();
  });
  afterAll(() => api.stop());

  const search = async (
    cohort: { id: string },
    user: { token: string },
    query: string,
  ): Promise<string[]> => {
    const res = await api.request('GET', `/api/v1/cohorts/${cohort.id}/questions?${query}`, {
      token: user.token,
    });
    expect(res.status).toBe(200);
    return res.body.items.map((item: { id: string }) => item.id);
  };
  const q = (text: string) => `q=${encodeURIComponent(text)}`;

  /** Questions asked by a rotating set of students (asking is rate limited per person). */
  async function asker(cohort: QaCohort): Promise<(title: string, body: string) => Promise<string>> {
    const students: QaStudent[] = await Promise.all(Array.from({ length: 3 }, () => enroll(api, cohort)));
    let turn = 0;
    return async (title, body) => {
      const student = students[turn++ % students.length]!;
      return (await ask(api, student, cohort.id, { title, body })).id;
    };
  }

  // With ts_rank or ts_rank_cd alone both body distractors would outscore the target on
  // "networkpolicy dns" (adjacent repetitions); the title tier is what puts the target first.
  it('ranks a question with the words in its TITLE above distractors whose BODIES repeat them', async () => {
    const cohort = await createQaCohort(api);
    const reader = await enroll(api, cohort);
    const add = await asker(cohort);
    // Asked first: recency cannot be what puts it on top.
    const target = await add(
      'Why does my NetworkPolicy block DNS?',
      'After applying it my pods cannot resolve names.',
    );
    const bodyRepeats = await add(
      'Help with lab three',
      'networkpolicy dns networkpolicy dns networkpolicy dns. The NetworkPolicy blocks DNS, NetworkPolicy DNS, networkpolicy dns!',
    );
    const bodyAdjacent = await add(
      'Pods cannot resolve names',
      'NetworkPolicy DNS NetworkPolicy DNS NetworkPolicy DNS NetworkPolicy DNS NetworkPolicy DNS',
    );
    const halfTitle = await add(
      'DNS is slow in my namespace',
      'networkpolicy networkpolicy networkpolicy networkpolicy',
    );
    const unrelated = await add('Calico BGP peering stays idle', 'No routes are exchanged.');

    const both = await search(cohort, reader, q('networkpolicy dns'));
    expect(both[0]).toBe(target);
    // One of the two words in the title beats none in the title.
    expect(both[1]).toBe(halfTitle);
    expect(new Set(both.slice(2))).toEqual(new Set([bodyRepeats, bodyAdjacent]));
    expect(both).not.toContain(unrelated);

    const single = await search(cohort, reader, q('networkpolicy'));
    expect(single[0]).toBe(target);
    expect(new Set(single)).toEqual(new Set([target, bodyRepeats, bodyAdjacent, halfTitle]));

    // Stemming: "blocking" matches "block" and "blocks".
    const stemmed = await search(cohort, reader, q('blocking'));
    expect(stemmed[0]).toBe(target);
    expect(stemmed).toContain(bodyRepeats);

    // Same words, other way round: the question with "resolve names" in its title wins over the body hit.
    expect(await search(cohort, reader, q('resolve names'))).toEqual([bodyAdjacent, target]);
  });

  it('finds questions by words of their body only; phrases, exclusions and stop words behave', async () => {
    const cohort = await createQaCohort(api);
    const reader = await enroll(api, cohort);
    const add = await asker(cohort);
    const kubeProxy = await add(
      'Service unreachable from outside',
      'kube-proxy runs in iptables mode and the NodePort drops packets.',
    );
    const conntrack = await add('Flaky connections', 'conntrack table fills up; packets dropped under load.');
    await add('Ingress returns 404', 'The path rule is wrong.');

    expect(await search(cohort, reader, q('iptables'))).toEqual([kubeProxy]);
    expect(await search(cohort, reader, q('NodePort'))).toEqual([kubeProxy]);
    expect(new Set(await search(cohort, reader, q('dropping packets')))).toEqual(
      new Set([kubeProxy, conntrack]),
    );
    expect(await search(cohort, reader, q('packets -conntrack'))).toEqual([kubeProxy]);
    expect(await search(cohort, reader, q('"drops packets"'))).toEqual([kubeProxy]);
    expect(await search(cohort, reader, q('the and of'))).toEqual([]);
    expect(await search(cohort, reader, q('nothing-like-this-anywhere'))).toEqual([]);
    // An empty q is no search: the newest-first list.
    expect(await search(cohort, reader, 'q=%20')).toHaveLength(3);
  });

  it('searches only the caller’s cohort and combines with filters', async () => {
    const cohort = await createQaCohort(api);
    const other = await createQaCohort(api);
    const [student, outsider] = [await enroll(api, cohort), await enroll(api, other)];
    const mine = await ask(api, student, cohort.id, {
      title: 'Egress gateway timeouts',
      body: 'x',
      tags: ['egress'],
    });
    const answered = await ask(api, student, cohort.id, { title: 'Egress policy for DNS', body: 'x' });
    await answer(api, cohort.instructor, answered.id);
    const theirs = await ask(api, outsider, other.id, {
      title: 'Egress gateway timeouts',
      body: 'egress egress egress',
    });

    expect(new Set(await search(cohort, student, q('egress')))).toEqual(new Set([mine.id, answered.id]));
    expect(await search(other, outsider, q('egress'))).toEqual([theirs.id]);
    expect(await search(cohort, student, `${q('egress')}&unanswered=true`)).toEqual([mine.id]);
    expect(await search(cohort, student, `${q('egress')}&tag=egress`)).toEqual([mine.id]);
    expect(
      (
        await api.request('GET', `/api/v1/cohorts/${other.id}/questions?${q('egress')}`, {
          token: student.token,
        })
      ).status,
    ).toBe(404);
  });

  it('pages through ranked results with a stable cursor, even while questions are added', async () => {
    const cohort = await createQaCohort(api);
    const reader = await enroll(api, cohort);
    const add = await asker(cohort);
    const titles = [
      ['Service mesh sidecar injection', 'Istio sidecar is not injected.'],
      ['Mesh mTLS fails', 'sidecar certificates expire; mesh traffic fails.'],
      ['Sidecar memory', 'The sidecar uses a lot of memory in the mesh.'],
      ['Mesh or no mesh', 'Do we need a mesh at all?'],
      ['Linkerd vs Istio', 'Which mesh should I choose? mesh mesh.'],
      ['Traffic split', 'Canary with a service mesh.'],
      ['Retries', 'Where do I configure retries? mesh'],
      ['Unrelated question', 'Nothing here.'],
    ];
    for (const [title, body] of titles) await add(title!, body!);
    // Ties in rank are broken by time and id; two identical questions make a real tie.
    await add('Mesh', 'identical');
    await add('Mesh', 'identical');

    const full = await search(cohort, reader, `${q('mesh')}&limit=100`);
    expect(full).toHaveLength(9);

    const paged: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { status: number; body: any } = await api.request(
        'GET',
        `/api/v1/cohorts/${cohort.id}/questions?${q('mesh')}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        { token: reader.token },
      );
      expect(res.status).toBe(200);
      paged.push(...res.body.items.map((item: { id: string }) => item.id));
      cursor = res.body.nextCursor;
      pages += 1;
      // A new best match arriving mid-way lands before the cursor: no duplicates, nothing skipped.
      if (pages === 2) await add('Mesh mesh service mesh', 'mesh');
    } while (cursor);
    expect(paged).toEqual(full);

    // A cursor of the plain list is not a search cursor, and vice versa.
    const plain = await api.request('GET', `/api/v1/cohorts/${cohort.id}/questions?limit=1`, {
      token: reader.token,
    });
    const mixed = await api.request(
      'GET',
      `/api/v1/cohorts/${cohort.id}/questions?${q('mesh')}&cursor=${plain.body.nextCursor}`,
      {
        token: reader.token,
      },
    );
    expect(mixed.status).toBe(400);
    expect(mixed.body.details).toEqual([expect.objectContaining({ field: 'cursor' })]);
    const searched = await api.request('GET', `/api/v1/cohorts/${cohort.id}/questions?${q('mesh')}&limit=1`, {
      token: reader.token,
    });
    expect(
      (
        await api.request(
          'GET',
          `/api/v1/cohorts/${cohort.id}/questions?cursor=${searched.body.nextCursor}`,
          { token: reader.token },
        )
      ).status,
    ).toBe(400);
  });
});
