import type { Principal } from '@kubecohort/auth';
import { Prisma, PrismaService } from '@kubecohort/database';
import { Injectable } from '@nestjs/common';
import { visibleCohortSql } from './qa-scope.repository.js';
import type { RankCursor } from './qa.rules.js';

export interface QuestionFilter {
  /** Only questions without an answer that are not solved (status open). */
  unanswered?: boolean;
  taskId?: string;
  tag?: string;
  discordThreadId?: string;
}

export interface RankedId {
  id: string;
  createdAt: Date;
  titleRank: number;
  rank: number;
}

/**
 * Text search configuration of questions.search_vector (migration qa_search): the query must be
 * parsed with the same one for its lexemes to match.
 */
const TS_CONFIG = Prisma.raw(`'english'::regconfig`);

/**
 * An AND/phrase tsquery turned into an OR of the same operands: ranks "how many of the words"
 * rather than "all of them". tsquery text puts spaces around operators and never inside lexemes.
 */
const orQuery = (tsquery: Prisma.Sql) =>
  Prisma.sql`regexp_replace((${tsquery})::text, ' (&|<->|<[0-9]+>) ', ' | ', 'g')::tsquery`;

/**
 * Full-text search over a cohort's questions, in PostgreSQL.
 *
 * Matching: websearch_to_tsquery (all words, "quoted phrases", -exclusions, `or`) against the
 * generated search_vector, i.e. the words of the title AND of the body, stemmed (english).
 *
 * Ranking, best first:
 *   1. titleRank = ts_rank(title part of the vector, the query's words OR-ed): how many of the query
 *      words the TITLE contains (each extra word outweighs any repetition);
 *   2. rank = ts_rank(whole vector, query) with default weights (A title 1.0 > B body 0.4);
 *   3. newer first, then id: a total order, so keyset pagination on (titleRank, rank, createdAt, id)
 *      is stable.
 * ts_rank with A/B weights alone is not enough: for multi-word queries a body that repeats the words
 * next to each other can outscore a title that has them once; titleRank makes a title hit win.
 */
@Injectable()
export class QuestionSearch {
  constructor(private readonly prisma: PrismaService) {}

  async search(
    principal: Principal,
    cohortId: string,
    text: string,
    filter: QuestionFilter,
    limit: number,
    after: RankCursor | null,
  ): Promise<RankedId[]> {
    const tsquery = Prisma.sql`websearch_to_tsquery(${TS_CONFIG}, ${text}::text)`;
    const keyset = after
      ? Prisma.sql`WHERE (title_rank, rank, created_at, id) < (${after.tr}::float8, ${after.r}::float8, ${new Date(after.t)}::timestamptz, ${after.id}::uuid)`
      : Prisma.empty;
    const rows = await this.prisma.$queryRaw<
      { id: string; created_at: Date; title_rank: number; rank: number }[]
    >`
      WITH query AS (SELECT ${tsquery} AS tq),
      ranked AS (
        SELECT q.id, q.created_at,
               ts_rank(ts_filter(q.search_vector, '{a}'::"char"[]), ${orQuery(Prisma.sql`query.tq`)})::float8 AS title_rank,
               ts_rank(q.search_vector, query.tq)::float8 AS rank
        FROM questions q
        JOIN cohorts c ON c.id = q.cohort_id
        CROSS JOIN query
        WHERE q.cohort_id = ${cohortId}::uuid AND q.deleted_at IS NULL AND ${visibleCohortSql(principal)}
          AND q.search_vector @@ query.tq ${filterSql(filter)}
      )
      SELECT id, created_at, title_rank, rank FROM ranked
      ${keyset}
      ORDER BY title_rank DESC, rank DESC, created_at DESC, id DESC
      LIMIT ${limit}`;
    return rows.map((row) => ({
      id: row.id,
      createdAt: row.created_at,
      titleRank: Number(row.title_rank),
      rank: Number(row.rank),
    }));
  }

  /**
   * Questions sharing words with a title (any of them, title words counting most): the "maybe
   * already asked" suggestions. Ids, best first.
   */
  async similar(
    principal: Principal,
    cohortId: string,
    title: string,
    limit: number,
    excludeId?: string,
  ): Promise<string[]> {
    const exclude = excludeId ? Prisma.sql`AND q.id <> ${excludeId}::uuid` : Prisma.empty;
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`
      WITH query AS (SELECT ${orQuery(Prisma.sql`plainto_tsquery(${TS_CONFIG}, ${title}::text)`)} AS oq)
      SELECT q.id
      FROM questions q
      JOIN cohorts c ON c.id = q.cohort_id
      CROSS JOIN query
      WHERE q.cohort_id = ${cohortId}::uuid AND q.deleted_at IS NULL AND ${visibleCohortSql(principal)}
        AND q.search_vector @@ query.oq ${exclude}
      ORDER BY ts_rank(q.search_vector, query.oq) DESC, (q.status = 'solved') DESC, q.created_at DESC, q.id DESC
      LIMIT ${limit}`;
    return rows.map((row) => row.id);
  }
}

function filterSql(filter: QuestionFilter): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  if (filter.unanswered) parts.push(Prisma.sql`AND q.status = 'open'`);
  if (filter.taskId !== undefined) parts.push(Prisma.sql`AND q.task_slug = ${filter.taskId}`);
  if (filter.discordThreadId !== undefined)
    parts.push(Prisma.sql`AND q.discord_thread_id = ${filter.discordThreadId}`);
  if (filter.tag !== undefined) {
    parts.push(
      Prisma.sql`AND EXISTS (SELECT 1 FROM question_tags qt JOIN tags t ON t.id = qt.tag_id WHERE qt.question_id = q.id AND t.name = ${filter.tag})`,
    );
  }
  return parts.length ? Prisma.join(parts, ' ') : Prisma.empty;
}
