import type { Principal } from '@kubecohort/auth';
import { PrismaService } from '@kubecohort/database';
import { Injectable } from '@nestjs/common';
import { type FaqSource, groupFaq } from './qa.rules.js';
import { QaScope } from './qa-scope.repository.js';
import type { FaqView } from './qa.views.js';

/** At most this many entries per response (the earliest solved are kept). */
export const FAQ_MAX_ENTRIES = 1000;

/** A cohort's FAQ: its questions with an accepted answer, grouped by task and step in plan order. */
@Injectable()
export class Faq {
  constructor(
    private readonly prisma: PrismaService,
    private readonly scope: QaScope,
  ) {}

  async forCohort(principal: Principal, cohortId: string): Promise<FaqView> {
    const cohort = await this.scope.cohort(principal, cohortId);
    const [questions, steps, tasks] = await Promise.all([
      this.prisma.question.findMany({
        where: { cohortId: cohort.id, deletedAt: null, acceptedAnswer: { is: { deletedAt: null } } },
        orderBy: [{ solvedAt: 'asc' }, { id: 'asc' }],
        take: FAQ_MAX_ENTRIES,
        select: {
          id: true,
          title: true,
          body: true,
          taskSlug: true,
          stepNumber: true,
          solvedAt: true,
          tags: { select: { tag: { select: { name: true } } } },
          acceptedAnswer: {
            select: {
              id: true,
              body: true,
              score: true,
              endorsedAt: true,
              author: { select: { id: true, displayName: true } },
            },
          },
        },
      }),
      this.prisma.curriculumStep.findMany({
        where: { versionId: cohort.curriculumVersionId },
        select: { number: true, title: true },
      }),
      this.prisma.curriculumTask.findMany({
        where: { versionId: cohort.curriculumVersionId },
        select: { slug: true, title: true, position: true, step: { select: { number: true } } },
      }),
    ]);
    const sources: FaqSource[] = questions.flatMap((question) => {
      const answer = question.acceptedAnswer;
      if (!answer) return [];
      return [
        {
          taskId: question.taskSlug,
          step: question.stepNumber,
          endorsed: answer.endorsedAt !== null,
          score: answer.score,
          solvedAt: question.solvedAt,
          entry: {
            questionId: question.id,
            title: question.title,
            body: question.body,
            tags: question.tags.map((link) => link.tag.name).sort(),
            solvedAt: question.solvedAt?.toISOString() ?? null,
            answer: {
              id: answer.id,
              body: answer.body,
              author: { id: answer.author.id, displayName: answer.author.displayName },
              score: answer.score,
              endorsed: answer.endorsedAt !== null,
            },
          },
        },
      ];
    });
    const groups = groupFaq(sources, {
      steps: new Map(steps.map((step) => [step.number, step.title])),
      tasks: new Map(
        tasks.map((task) => [task.slug, { title: task.title, step: task.step.number, order: task.position }]),
      ),
    });
    return { cohortId: cohort.id, groups };
  }
}
