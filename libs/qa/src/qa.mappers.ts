import type { Prisma } from '@kubecohort/database';
import type { AnswerView, AskerContext, QuestionView, SimilarQuestionView, SolvedBy } from './qa.views.js';

/** Everything a QuestionView needs, in one query. */
export const QUESTION_SELECT = {
  id: true,
  cohortId: true,
  authorId: true,
  taskSlug: true,
  stepNumber: true,
  title: true,
  body: true,
  status: true,
  context: true,
  acceptedAnswerId: true,
  solvedAt: true,
  solvedBy: true,
  lockedAt: true,
  deletedAt: true,
  discordThreadId: true,
  createdAt: true,
  updatedAt: true,
  author: { select: { id: true, displayName: true } },
  tags: { select: { tag: { select: { name: true } } } },
  _count: { select: { answers: { where: { deletedAt: null } } } },
} satisfies Prisma.QuestionSelect;

export type QuestionRow = Prisma.QuestionGetPayload<{ select: typeof QUESTION_SELECT }>;

export const ANSWER_SELECT = {
  id: true,
  questionId: true,
  authorId: true,
  body: true,
  score: true,
  endorsedAt: true,
  discordMessageId: true,
  createdAt: true,
  updatedAt: true,
  author: { select: { id: true, displayName: true } },
  endorsedBy: { select: { id: true, displayName: true } },
} satisfies Prisma.AnswerSelect;

export type AnswerRow = Prisma.AnswerGetPayload<{ select: typeof ANSWER_SELECT }>;

export function toQuestionView(row: QuestionRow): QuestionView {
  return {
    id: row.id,
    cohortId: row.cohortId,
    author: { id: row.author.id, displayName: row.author.displayName },
    title: row.title,
    body: row.body,
    taskId: row.taskSlug,
    step: row.stepNumber,
    tags: row.tags.map((link) => link.tag.name).sort(),
    status: row.status,
    answerCount: row._count.answers,
    acceptedAnswerId: row.acceptedAnswerId,
    solvedAt: row.solvedAt?.toISOString() ?? null,
    solvedBy: (row.solvedBy as SolvedBy | null) ?? null,
    locked: row.lockedAt !== null,
    lockedAt: row.lockedAt?.toISOString() ?? null,
    discordThreadId: row.discordThreadId,
    context: (row.context as AskerContext | null) ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function toSimilarView(row: QuestionRow): SimilarQuestionView {
  return {
    id: row.id,
    title: row.title,
    status: row.status,
    taskId: row.taskSlug,
    answerCount: row._count.answers,
    acceptedAnswerId: row.acceptedAnswerId,
    createdAt: row.createdAt.toISOString(),
  };
}

export function toAnswerView(
  row: AnswerRow,
  acceptedAnswerId: string | null,
  myVote: number | undefined,
): AnswerView {
  return {
    id: row.id,
    questionId: row.questionId,
    author: { id: row.author.id, displayName: row.author.displayName },
    body: row.body,
    score: row.score,
    myVote: myVote === 1 ? 1 : myVote === -1 ? -1 : 0,
    accepted: row.id === acceptedAnswerId,
    endorsement:
      row.endorsedBy && row.endorsedAt
        ? {
            by: { id: row.endorsedBy.id, displayName: row.endorsedBy.displayName },
            at: row.endorsedAt.toISOString(),
          }
        : null,
    discordMessageId: row.discordMessageId,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
