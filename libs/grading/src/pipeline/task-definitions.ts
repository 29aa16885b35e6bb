import type { QuizItem, RubricItem } from '@kubecohort/curriculum';
import { PrismaService } from '@kubecohort/database';
import { Injectable } from '@nestjs/common';
import type { TaskDefinition } from './submission.rules.js';

/**
 * The tasks of a curriculum version with what grading needs (completion, grader, quiz, rubric).
 * Versions are immutable once published, so each is read once per process (one query) and kept.
 */
@Injectable()
export class TaskDefinitions {
  private readonly versions = new Map<string, Promise<ReadonlyMap<string, TaskDefinition>>>();

  constructor(private readonly prisma: PrismaService) {}

  async get(versionId: string, slug: string): Promise<TaskDefinition | undefined> {
    return (await this.version(versionId)).get(slug);
  }

  version(versionId: string): Promise<ReadonlyMap<string, TaskDefinition>> {
    let loading = this.versions.get(versionId);
    if (!loading) {
      loading = this.load(versionId);
      this.versions.set(versionId, loading);
      loading.catch(() => this.versions.delete(versionId));
    }
    return loading;
  }

  private async load(versionId: string): Promise<ReadonlyMap<string, TaskDefinition>> {
    const rows = await this.prisma.curriculumTask.findMany({
      where: { versionId },
      select: {
        slug: true,
        title: true,
        completion: true,
        graderId: true,
        maxPoints: true,
        quiz: true,
        rubric: true,
        step: { select: { number: true } },
      },
    });
    return new Map(
      rows.map((row) => [
        row.slug,
        {
          slug: row.slug,
          title: row.title,
          step: row.step.number,
          completion: row.completion,
          graderId: row.graderId,
          maxPoints: row.maxPoints,
          quiz: (row.quiz as QuizItem[] | null) ?? null,
          rubric: (row.rubric as RubricItem[] | null) ?? null,
        },
      ]),
    );
  }
}
