import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { AccountStatus } from '@kubecohort/auth';
import { PrismaService, SqlClient, type Statement } from '@kubecohort/database';
import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

// AccountStatus against the per-run test database, with short intervals so nothing waits seconds.

const SET = 'auth_inactive_accounts_v1';
const PER_USER = 'auth_account_active_v1';

/** The real SqlClient, counting the statements it runs (and failing chosen ones on demand). */
class ObservedSql extends SqlClient {
  readonly calls: string[] = [];
  readonly failing = new Set<string>();
  /** Extra latency per statement name, to hold a load open. */
  readonly delays = new Map<string, number>();
  private readonly running = new Map<string, number>();
  readonly maxConcurrent = new Map<string, number>();

  override async query<T>(statement: Statement, values: readonly unknown[]): Promise<T[]> {
    this.calls.push(statement.name);
    const running = (this.running.get(statement.name) ?? 0) + 1;
    this.running.set(statement.name, running);
    this.maxConcurrent.set(statement.name, Math.max(running, this.maxConcurrent.get(statement.name) ?? 0));
    try {
      const delay = this.delays.get(statement.name);
      if (delay) await sleep(delay);
      if (this.failing.has(statement.name)) throw new Error(`${statement.name} failed on purpose`);
      return await super.query<T>(statement, values);
    } finally {
      this.running.set(statement.name, (this.running.get(statement.name) ?? 1) - 1);
    }
  }

  count(name: string): number {
    return this.calls.filter((call) => call === name).length;
  }
}

/** Polls `done` every 5 ms, up to `withinMs`. */
async function until(done: () => boolean | Promise<boolean>, withinMs = 3000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

describe('AccountStatus', () => {
  let prisma: PrismaService;
  let sql: ObservedSql;
  const statuses: AccountStatus[] = [];

  beforeAll(() => {
    prisma = new PrismaService({ url: process.env.DATABASE_URL!, poolMax: 3 });
  });
  afterEach(async () => {
    await Promise.all(statuses.splice(0).map((status) => status.onModuleDestroy()));
    jest.restoreAllMocks();
  });
  afterAll(() => prisma.onApplicationShutdown());

  const make = (options: { refreshMs?: number; maxStaleMs?: number }) => {
    sql = new ObservedSql(prisma);
    const status = new AccountStatus(sql, options);
    statuses.push(status);
    return status;
  };
  const createUser = async () =>
    (
      await prisma.user.create({
        data: { email: `status-${randomUUID()}@example.test`, displayName: 'Status', role: 'student' },
        select: { id: true },
      })
    ).id;
  const disable = (id: string) => prisma.user.update({ where: { id }, data: { disabledAt: new Date() } });
  /** A load has completed once the next one started: loads are chained, never concurrent. */
  const loadsCompleted = (n: number) => until(() => sql.count(SET) > n);

  it('does not poll before the first question', async () => {
    make({ refreshMs: 10 });
    await sleep(50);
    expect(sql.count(SET)).toBe(0);
  });

  it('answers active users from the inactive set, without a per-user query once it has loaded', async () => {
    const active = await createUser();
    const disabled = await createUser();
    await disable(disabled);
    const status = make({ refreshMs: 20 });

    // Before the first load lands: the per-user fallback, same answers.
    expect(await status.isActive(active)).toBe(true);
    expect(sql.count(PER_USER)).toBe(1);
    await loadsCompleted(1);

    const perUser = sql.count(PER_USER);
    const others = await Promise.all([createUser(), createUser(), createUser()]);
    for (const id of [active, ...others]) expect(await status.isActive(id)).toBe(true);
    expect(await status.isActive(disabled)).toBe(false);
    expect(sql.count(PER_USER)).toBe(perUser);
  });

  it('sees an account disabled in the database after the next reload', async () => {
    const user = await createUser();
    const status = make({ refreshMs: 20 });
    await status.isActive(user);
    await loadsCompleted(1);
    expect(await status.isActive(user)).toBe(true);

    await disable(user);
    const perUser = sql.count(PER_USER);
    const loads = sql.count(SET);
    await loadsCompleted(loads + 1); // one load that started after the update has completed
    expect(await status.isActive(user)).toBe(false);
    expect(sql.count(PER_USER)).toBe(perUser);

    // Erasure counts too.
    const erased = await createUser();
    await prisma.user.update({ where: { id: erased }, data: { erasedAt: new Date() } });
    await loadsCompleted(sql.count(SET) + 1);
    expect(await status.isActive(erased)).toBe(false);
  });

  it('treats a user without a row as inactive on the fallback path', async () => {
    const status = make({ refreshMs: 20 });
    expect(await status.isActive(randomUUID())).toBe(false); // the first question: no set yet
    expect(sql.count(PER_USER)).toBe(1);
  });

  it('falls back to per-user reads while reloads fail, logs them, and recovers', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const user = await createUser(); // never asked on the fallback path, so not in its per-user cache
    const status = make({ refreshMs: 20, maxStaleMs: 150 });
    await status.isActive(randomUUID());
    await loadsCompleted(1);
    expect(await status.isActive(user)).toBe(true);

    sql.failing.add(SET);
    await disable(user);
    const failedFrom = sql.count(SET);
    await loadsCompleted(failedFrom + 1); // a reload failed (and the timer kept going)
    await sleep(160); // the last successful load is now older than maxStaleMs

    const perUser = sql.count(PER_USER);
    expect(await status.isActive(user)).toBe(false); // the set, stale, still said active
    expect(await status.isActive(randomUUID())).toBe(false);
    expect(sql.count(PER_USER)).toBe(perUser + 2);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining(`${SET} failed on purpose`));
    for (const [message] of warn.mock.calls) {
      expect(String(message)).not.toContain(process.env.DATABASE_URL!);
    }

    // The next successful reload answers again without per-user reads.
    sql.failing.delete(SET);
    await loadsCompleted(sql.count(SET) + 1);
    const other = await createUser();
    const afterRecovery = sql.count(PER_USER);
    expect(await status.isActive(other)).toBe(true);
    expect(await status.isActive(user)).toBe(false);
    expect(sql.count(PER_USER)).toBe(afterRecovery);
  });

  it('reloads at once on invalidate, coalescing requests while a load runs', async () => {
    const user = await createUser();
    const status = make({ refreshMs: 60_000 });
    await status.isActive(user);
    // Loaded once the set answers: a missing row reads as inactive only on the fallback path.
    await until(() => status.isActive(randomUUID()));
    expect(sql.count(SET)).toBe(1);

    await disable(user);
    expect(await status.isActive(user)).toBe(true); // the set predates the update
    sql.delays.set(SET, 50);
    for (let i = 0; i < 5; i += 1) status.invalidate(user);
    await until(async () => !(await status.isActive(user)), 1000); // long before refreshMs
    await until(() => sql.count(SET) === 3, 1000); // one immediate load, plus one for the requests during it
    await sleep(100);
    expect(sql.count(SET)).toBe(3);
    expect(sql.maxConcurrent.get(SET)).toBe(1);
  });

  it('stops reloading when the module is destroyed', async () => {
    const status = make({ refreshMs: 10 });
    await status.isActive(randomUUID());
    await loadsCompleted(2);
    await status.onModuleDestroy();
    const loads = sql.count(SET);
    await sleep(60);
    expect(sql.count(SET)).toBe(loads);
  });
});
