import { Injectable } from '@nestjs/common';
import type pg from 'pg';
import type { Prisma } from './generated/prisma/client.js';
import { PrismaService } from './prisma.service.js';

/**
 * A hot-path SQL statement: positional `$n` parameters, and a name under which PostgreSQL parses and
 * plans it once per connection. Declare statements as module constants with `statement()`.
 */
export interface Statement {
  readonly name: string;
  readonly text: string;
}

const names = new Map<string, string>();

/** A transaction's bound unless the caller gives one (as Prisma's interactive transactions: 15 s). */
const DEFAULT_TRANSACTION_TIMEOUT_MS = 15_000;

/** Declares a named statement; a name may not be reused for a different text. */
export function statement(name: string, text: string): Statement {
  const known = names.get(name);
  if (known !== undefined && known !== text) throw new Error(`statement name ${name} is already taken`);
  names.set(name, text);
  return { name, text };
}

/** Where a statement runs: the pool (one autocommitted statement) or one transaction's connection. */
export interface Sql {
  query<T>(statement: Statement, values: readonly unknown[]): Promise<T[]>;
}

/**
 * Named prepared statements on the pg pool PrismaService owns (same connections, same limits).
 *
 * Why next to Prisma: a Prisma query costs ~1-2 ms of client CPU and PostgreSQL parses and plans
 * a raw one on every call; a named statement costs the pg driver's few hundred microseconds and is
 * planned once per connection. The request paths that run hundreds of times a second (the progress
 * matrix, the grading pipeline) use this; everything else stays on Prisma.
 *
 * Result types are pg's: int8 and numeric come back as strings (cast to int where a number is
 * wanted), timestamptz as Date, json as parsed values.
 */
@Injectable()
export class SqlClient implements Sql {
  private readonly pool: pg.Pool;

  constructor(prisma: PrismaService) {
    this.pool = prisma.pgPool;
  }

  async query<T>(statement: Statement, values: readonly unknown[]): Promise<T[]> {
    const result = await this.pool.query<T & pg.QueryResultRow>({
      name: statement.name,
      text: statement.text,
      values: values as unknown[],
    });
    return result.rows;
  }

  /**
   * Runs `work` in one transaction on one connection: COMMIT when it resolves, ROLLBACK when it
   * throws (the error is rethrown). A connection that failed mid-transaction is discarded, not
   * returned to the pool.
   *
   * Bounded like Prisma's interactive transactions: no statement may run (or wait for a lock)
   * longer than `timeoutMs`, nor may the transaction sit idle that long between statements (a
   * stalled process must not hold its locks forever). Both are set with BEGIN, in its round trip.
   *
   * `keyLookups: true` is for transactions whose statements all find rows by key (a submission,
   * a student's enrolment and progress rows): their named statements run on their generic plan
   * (planned once per connection, never again per call), made with sequential scans disabled.
   * Those tables grow from empty: a plan made while a table was small, kept until the next ANALYZE
   * (autovacuum may lag, or be off), would scan the whole table on every call; and a batch
   * statement over jsonb_to_recordset, whose row count the planner cannot see, was planned per
   * call, which cost more than running it. Not for a statement whose best plan depends on its
   * parameters (a LIMIT, a range): its generic plan, made once, can be far worse than a custom one.
   *
   * `durable: false` commits without waiting for the WAL flush (synchronous_commit off). A
   * PostgreSQL crash can then lose that commit, unless a durable commit followed it (its flush
   * covers everything before it). Only for writes that are redone when lost (the outbox relay's
   * mark). It saves about a tenth of a millisecond of PostgreSQL CPU per commit.
   */
  async transaction<T>(
    work: (sql: Sql) => Promise<T>,
    options: { timeoutMs?: number; durable?: boolean; keyLookups?: boolean } = {},
  ): Promise<T> {
    const timeoutMs = Math.max(1, Math.floor(options.timeoutMs ?? DEFAULT_TRANSACTION_TIMEOUT_MS));
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query(
        `BEGIN; SET LOCAL statement_timeout = ${timeoutMs}; SET LOCAL idle_in_transaction_session_timeout = ${timeoutMs}` +
          (options.keyLookups === true
            ? '; SET LOCAL plan_cache_mode = force_generic_plan; SET LOCAL enable_seqscan = off'
            : '') +
          (options.durable === false ? '; SET LOCAL synchronous_commit = off' : ''),
      );
      const sql: Sql = {
        query: async <R>(statement: Statement, values: readonly unknown[]) =>
          (
            await client.query<R & pg.QueryResultRow>({
              name: statement.name,
              text: statement.text,
              values: values as unknown[],
            })
          ).rows,
      };
      let result: T;
      try {
        result = await work(sql);
      } catch (error) {
        await client.query('ROLLBACK').catch((rollback: Error) => {
          broken = rollback;
        });
        throw error;
      }
      await client.query('COMMIT');
      return result;
    } catch (error) {
      broken ??= isConnectionError(error) ? (error as Error) : undefined;
      throw error;
    } finally {
      client.release(broken);
    }
  }
}

/** The same statements inside a Prisma interactive transaction (unnamed: Prisma prepares per call). */
export function prismaSql(tx: Prisma.TransactionClient): Sql {
  return {
    query: <T>(statement: Statement, values: readonly unknown[]) =>
      tx.$queryRawUnsafe<T[]>(statement.text, ...values),
  };
}

/** Errors that leave the connection unusable (as opposed to a failed statement: SQLSTATE set). */
function isConnectionError(error: unknown): boolean {
  return !(
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string'
  );
}
