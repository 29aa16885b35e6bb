import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PrismaService, SqlClient, statement } from '@kubecohort/database';
import { randomBytes } from 'node:crypto';

// SqlClient against the per-run test database, on a table of this suite's own.

const table = `sql_client_${randomBytes(4).toString('hex')}`;
let prisma: PrismaService;
let sql: SqlClient;

const INSERT = () =>
  statement(`${table}_insert`, `INSERT INTO ${table} (id, note) VALUES ($1::int, $2::text)`);
const SELECT = () => statement(`${table}_select`, `SELECT id, note FROM ${table} WHERE id = $1::int`);

beforeAll(async () => {
  prisma = new PrismaService({ url: process.env.DATABASE_URL!, poolMax: 3 });
  sql = new SqlClient(prisma);
  await prisma.$executeRawUnsafe(`CREATE TABLE ${table} (id int PRIMARY KEY, note text)`);
});

afterAll(async () => {
  await prisma.$executeRawUnsafe(`DROP TABLE IF EXISTS ${table}`);
  await prisma.onApplicationShutdown();
});

describe('SqlClient', () => {
  it('runs named statements with typed parameters', async () => {
    await sql.query(INSERT(), [1, 'one']);
    expect(await sql.query(SELECT(), [1])).toEqual([{ id: 1, note: 'one' }]);
    expect(await sql.query(SELECT(), [2])).toEqual([]);
  });

  it('refuses a statement name taken by another text', () => {
    statement('sql_client_test_name', 'SELECT 1');
    expect(() => statement('sql_client_test_name', 'SELECT 2')).toThrow('already taken');
    expect(statement('sql_client_test_name', 'SELECT 1')).toEqual({
      name: 'sql_client_test_name',
      text: 'SELECT 1',
    });
  });

  it('commits a transaction whose work resolves and rolls back one whose work throws', async () => {
    await sql.transaction(async (tx) => {
      await tx.query(INSERT(), [10, 'kept']);
    });
    await expect(
      sql.transaction(async (tx) => {
        await tx.query(INSERT(), [11, 'dropped']);
        throw new Error('work failed');
      }),
    ).rejects.toThrow('work failed');
    expect(await sql.query(SELECT(), [10])).toHaveLength(1);
    expect(await sql.query(SELECT(), [11])).toHaveLength(0);
  });

  it('commits without waiting for the WAL flush only when asked, and only that transaction', async () => {
    const setting = statement(
      'sql_client_test_synchronous_commit',
      `SELECT current_setting('synchronous_commit') AS value`,
    );
    const inside = (durable?: boolean) =>
      sql.transaction(
        async (tx) => {
          await tx.query(INSERT(), [durable === false ? 30 : 31, 'flush']);
          return (await tx.query<{ value: string }>(setting, []))[0]!.value;
        },
        durable === undefined ? {} : { durable },
      );
    expect(await inside(false)).toBe('off');
    expect(await inside()).toBe('on');
    expect(await sql.query(SELECT(), [30])).toHaveLength(1);
    // SET LOCAL ends with the transaction: no pooled connection keeps it.
    const after = await Promise.all([1, 2, 3].map(() => sql.query<{ value: string }>(setting, [])));
    expect(after.map((rows) => rows[0]!.value)).toEqual(['on', 'on', 'on']);
  });

  it("plans a key-lookup transaction's statements once, as index look-ups, even on a table analyzed while empty", async () => {
    // One connection, so the plan the statement gets while the table is empty is the one used later.
    const single = new PrismaService({ url: process.env.DATABASE_URL!, poolMax: 1 });
    const pinned = new SqlClient(single);
    const grown = `${table}_grown`;
    const KEY_LOOKUPS = { keyLookups: true } as const;
    try {
      await single.$executeRawUnsafe(
        `CREATE TABLE ${grown} (id int PRIMARY KEY, owner int NOT NULL, note text)`,
      );
      await single.$executeRawUnsafe(`CREATE INDEX ${grown}_owner ON ${grown} (owner)`);
      await single.$executeRawUnsafe(`ANALYZE ${grown}`);
      const byOwner = statement(`${grown}_by_owner`, `SELECT id, note FROM ${grown} WHERE owner = $1::int`);
      const plan = statement(`${grown}_explain`, `EXPLAIN EXECUTE ${grown}_by_owner(1)`);
      // Past the five calls after which PostgreSQL may settle on a cached generic plan.
      for (let call = 0; call < 8; call++)
        await pinned.transaction((tx) => tx.query(byOwner, [call]), KEY_LOOKUPS);
      await single.$executeRawUnsafe(
        `INSERT INTO ${grown} SELECT n, n % 500, 'row ' || n FROM generate_series(1, 20000) AS n`,
      );
      const [rows, explained] = await pinned.transaction(
        async (tx) => [
          await tx.query<{ id: number }>(byOwner, [7]),
          (await tx.query<{ 'QUERY PLAN': string }>(plan, [])).map((line) => line['QUERY PLAN']).join('\n'),
        ],
        KEY_LOOKUPS,
      );
      expect(rows).toHaveLength(40);
      expect(explained).toMatch(/Index Scan|Bitmap Index Scan/);
      expect(explained).not.toMatch(/Seq Scan/);
      expect(explained).toContain('$1'); // the generic plan, not one made for this call
    } finally {
      await single.$executeRawUnsafe(`DROP TABLE IF EXISTS ${grown}`);
      await single.onApplicationShutdown();
    }
  });

  it('bounds a lock wait by the timeout, rolls back, and leaves the pool usable', async () => {
    await sql.query(INSERT(), [20, 'locked']);
    const lock = statement(`${table}_lock`, `SELECT id FROM ${table} WHERE id = $1::int FOR UPDATE`);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const holder = sql.transaction(async (tx) => {
      await tx.query(lock, [20]);
      await held;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await expect(
      sql.transaction(
        async (tx) => {
          await tx.query(INSERT(), [21, 'never']);
          await tx.query(lock, [20]);
        },
        { timeoutMs: 300 },
      ),
    ).rejects.toThrow(/statement timeout/);
    expect(Date.now() - started).toBeLessThan(5000);
    release();
    await holder;
    expect(await sql.query(SELECT(), [21])).toHaveLength(0);
    // Every connection of the pool still works.
    await Promise.all([1, 2, 3].map(() => sql.query(SELECT(), [20])));
  });
});
