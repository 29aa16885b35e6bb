import { type Principal, visibleCohorts } from '@kubecohort/auth';
import { DomainError } from '@kubecohort/contracts';
import { Prisma, PrismaService } from '@kubecohort/database';
import { Injectable } from '@nestjs/common';
import { ANSWER_SELECT, type AnswerRow, QUESTION_SELECT, type QuestionRow } from './qa.mappers.js';

export type Db = Prisma.TransactionClient | PrismaService;

export interface QaCohort {
  id: string;
  curriculumVersionId: string;
  /** Admin, or an instructor teaching the cohort. */
  staff: boolean;
}

/**
 * The SQL twin of visibleCohorts() for raw queries, on a `cohorts` row aliased `c`: admins and
 * services (routes open to them checked their scope) see every live cohort, instructors those they
 * teach, students the one they are actively enrolled in.
 */
export function visibleCohortSql(principal: Principal): Prisma.Sql {
  const live = Prisma.sql`c.deleted_at IS NULL`;
  if (principal.kind === 'service') return live;
  switch (principal.role) {
    case 'admin':
      return live;
    case 'instructor':
      return Prisma.sql`${live} AND EXISTS (SELECT 1 FROM cohort_instructors ci WHERE ci.cohort_id = c.id AND ci.user_id = ${principal.userId}::uuid)`;
    case 'student':
      return Prisma.sql`${live} AND EXISTS (SELECT 1 FROM enrollments e WHERE e.cohort_id = c.id AND e.user_id = ${principal.userId}::uuid AND e.status = 'active')`;
  }
}

/** Staff of a cohort the principal can see: instructors only see cohorts they teach. */
export function isStaff(principal: Principal): boolean {
  return principal.kind === 'user' && principal.role !== 'student';
}

/**
 * Q&A lookups with the caller's cohort scope in the WHERE clause: a question or answer of a cohort
 * the caller may not see (or a deleted one) is "not found", exactly like an id that never existed.
 */
@Injectable()
export class QaScope {
  constructor(private readonly prisma: PrismaService) {}

  async cohort(principal: Principal, cohortId: string, db: Db = this.prisma): Promise<QaCohort> {
    const cohort = await db.cohort.findFirst({
      where: { AND: [{ id: cohortId }, visibleCohorts(principal)] },
      select: { id: true, curriculumVersionId: true },
    });
    if (!cohort) throw DomainError.notFound('cohort');
    return { ...cohort, staff: isStaff(principal) };
  }

  async question(principal: Principal, questionId: string, db: Db = this.prisma): Promise<QuestionRow> {
    const question = await db.question.findFirst({
      where: { id: questionId, deletedAt: null, cohort: visibleCohorts(principal) },
      select: QUESTION_SELECT,
    });
    if (!question) throw DomainError.notFound('question');
    return question;
  }

  async answer(
    principal: Principal,
    answerId: string,
    db: Db = this.prisma,
  ): Promise<
    AnswerRow & {
      question: {
        id: string;
        cohortId: string;
        authorId: string;
        lockedAt: Date | null;
        acceptedAnswerId: string | null;
      };
    }
  > {
    const answer = await db.answer.findFirst({
      where: {
        id: answerId,
        deletedAt: null,
        question: { deletedAt: null, cohort: visibleCohorts(principal) },
      },
      select: {
        ...ANSWER_SELECT,
        question: {
          select: { id: true, cohortId: true, authorId: true, lockedAt: true, acceptedAnswerId: true },
        },
      },
    });
    if (!answer) throw DomainError.notFound('answer');
    return answer;
  }

  /** Re-reads a question for a response (no scope: the caller was already checked). */
  async questionRow(questionId: string, db: Db = this.prisma): Promise<QuestionRow> {
    return db.question.findUniqueOrThrow({ where: { id: questionId }, select: QUESTION_SELECT });
  }

  async answerRow(answerId: string, db: Db = this.prisma): Promise<AnswerRow> {
    return db.answer.findUniqueOrThrow({ where: { id: answerId }, select: ANSWER_SELECT });
  }

  /** The user's vote on an answer, undefined when they have none. */
  async voteOf(userId: string, answerId: string, db: Db = this.prisma): Promise<number | undefined> {
    const vote = await db.vote.findUnique({
      where: { answerId_userId: { answerId, userId } },
      select: { value: true },
    });
    return vote?.value;
  }
}

/** The state writers need, with the question row locked until the transaction ends. */
export interface LockedQuestion {
  id: string;
  cohortId: string;
  authorId: string;
  status: 'open' | 'answered' | 'solved';
  acceptedAnswerId: string | null;
  solvedBy: string | null;
  lockedAt: Date | null;
  deletedAt: Date | null;
}

/**
 * SELECT ... FOR UPDATE on one question: answering, accepting, deleting answers and the grading
 * hook serialise on it, so "solved by grading unless accepted first" has exactly one winner.
 */
export async function lockQuestion(
  tx: Prisma.TransactionClient,
  questionId: string,
): Promise<LockedQuestion> {
  const [row] = await tx.$queryRaw<
    {
      id: string;
      cohort_id: string;
      author_id: string;
      status: LockedQuestion['status'];
      accepted_answer_id: string | null;
      solved_by: string | null;
      locked_at: Date | null;
      deleted_at: Date | null;
    }[]
  >`SELECT id, cohort_id, author_id, status::text AS status, accepted_answer_id, solved_by, locked_at, deleted_at
    FROM questions WHERE id = ${questionId}::uuid FOR UPDATE`;
  if (!row || row.deleted_at) throw DomainError.notFound('question');
  return {
    id: row.id,
    cohortId: row.cohort_id,
    authorId: row.author_id,
    status: row.status,
    acceptedAnswerId: row.accepted_answer_id,
    solvedBy: row.solved_by,
    lockedAt: row.locked_at,
    deletedAt: row.deleted_at,
  };
}
