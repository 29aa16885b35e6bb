import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Clock } from '@kubecohort/config';
import { PrismaService, SqlClient, type Statement } from '@kubecohort/database';
import { EnvironmentActivity } from '@kubecohort/environments';
import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';

// EnvironmentActivity against the per-run test database: marks gathered in memory, written in batches.

const RECORD = 'environments_activity_record_batch_v1';
const THROTTLE_SECONDS = 60;

/** The real SqlClient, counting the statements it runs (and failing them on demand). */
class ObservedSql extends SqlClient {
  readonly calls: string[] = [];
  failing = false;

  override async query<T>(statement: Statement, values: readonly unknown[]): Promise<T[]> {
    this.calls.push(statement.name);
    if (this.failing) throw new Error(`${statement.name} failed on purpose`);
    return super.query<T>(statement, values);
  }

  count(name: string): number {
    return this.calls.filter((call) => call === name).length;
  }
}

/** A clock the test moves. */
class TestClock extends Clock {
  at = new Date();
  override now(): Date {
    return new Date(this.at);
  }
}

describe('EnvironmentActivity', () => {
  let prisma: PrismaService;
  const longAgo = new Date(Date.now() - 3600_000);

  beforeAll(() => {
    prisma = new PrismaService({ url: process.env.DATABASE_URL!, poolMax: 3 });
  });
  afterAll(async () => {
    await prisma.onApplicationShutdown();
  });

  /** Students with an environment each (ready unless said), last active an hour ago. */
  async function students(states: ('ready' | 'sleeping')[]): Promise<string[]> {
    const ids = states.map(() => randomUUID());
    await prisma.user.createMany({
      data: ids.map((id) => ({ id, role: 'student' as const, displayName: 'Active student' })),
    });
    await prisma.environment.createMany({
      data: ids.map((id, index) => ({
        userId: id,
        activeUserId: id,
        state: states[index]!,
        lastActivityAt: longAgo,
      })),
    });
    return ids;
  }

  const lastActive = async (ids: string[]) =>
    (
      await prisma.environment.findMany({
        where: { activeUserId: { in: ids } },
        select: { activeUserId: true, lastActivityAt: true },
      })
    ).reduce(
      (byUser, row) => byUser.set(row.activeUserId!, row.lastActivityAt.getTime()),
      new Map<string, number>(),
    );

  function activity(): { activity: EnvironmentActivity; sql: ObservedSql; clock: TestClock } {
    const sql = new ObservedSql(prisma);
    const clock = new TestClock();
    return {
      activity: new EnvironmentActivity(sql, clock, { throttleSeconds: THROTTLE_SECONDS }),
      sql,
      clock,
    };
  }

  it('records without a round trip, then writes a batch of students with one statement', async () => {
    const ids = await students(['ready', 'ready', 'ready', 'sleeping']);
    const { activity: marks, sql, clock } = activity();
    for (const id of ids) marks.record(id);
    expect(sql.calls).toEqual([]);
    await marks.flush();
    expect(sql.count(RECORD)).toBe(1);
    const after = await lastActive(ids);
    // Ready environments carry the mark (millisecond precision); a sleeping one is not watched.
    for (const id of ids.slice(0, 3)) expect(after.get(id)).toBe(clock.at.getTime());
    expect(after.get(ids[3]!)).toBe(longAgo.getTime());
  });

  it('throttles per student in memory, and in the UPDATE for rows another api wrote recently', async () => {
    const [mine, others] = await students(['ready', 'ready']);
    const { activity: marks, sql, clock } = activity();
    marks.record(mine!);
    await marks.flush();
    const first = clock.at.getTime();
    clock.at = new Date(first + 10_000);
    marks.record(mine!); // within the throttle: not even gathered
    await marks.flush();
    expect(sql.count(RECORD)).toBe(1);
    expect((await lastActive([mine!])).get(mine!)).toBe(first);

    // Another instance wrote `others` 10 s ago: this process has never seen them, but the row is
    // recent, so the UPDATE leaves it.
    const recent = new Date(clock.at.getTime() - 10_000);
    await prisma.environment.update({ where: { activeUserId: others! }, data: { lastActivityAt: recent } });
    marks.record(others!);
    await marks.flush();
    expect(sql.count(RECORD)).toBe(2);
    expect((await lastActive([others!])).get(others!)).toBe(recent.getTime());

    // Past the interval (counted from this process's last mark of each), both are written again.
    clock.at = new Date(first + 10_000 + (THROTTLE_SECONDS + 1) * 1000);
    marks.record(mine!);
    marks.record(others!);
    await marks.flush();
    const after = await lastActive([mine!, others!]);
    expect(after.get(mine!)).toBe(clock.at.getTime());
    expect(after.get(others!)).toBe(clock.at.getTime());
  });

  it('writes by itself within a second, and at shutdown', async () => {
    const [early, late] = await students(['ready', 'ready']);
    const { activity: marks, clock } = activity();
    marks.record(early!);
    const deadline = Date.now() + 3000;
    while ((await lastActive([early!])).get(early!) !== clock.at.getTime()) {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    marks.record(late!);
    await marks.onModuleDestroy();
    expect((await lastActive([late!])).get(late!)).toBe(clock.at.getTime());
  });

  it('never fails the caller: a failed write is logged', async () => {
    const [id] = await students(['ready']);
    const { activity: marks, sql } = activity();
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      sql.failing = true;
      marks.record(id!);
      await expect(marks.flush()).resolves.toBeUndefined();
      expect(warn).toHaveBeenCalledWith(
        expect.objectContaining({ users: 1, err: expect.stringContaining('failed on purpose') }),
        'activity marks not written',
      );
      // A later batch is written as usual.
      sql.failing = false;
      const [next] = await students(['ready']);
      marks.record(next!);
      await marks.flush();
      expect((await lastActive([next!])).get(next!)).not.toBe(longAgo.getTime());
    } finally {
      warn.mockRestore();
    }
  });
});
