import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService, TaskCompletion } from '@kubecohort/database';
import { curriculumChecksum } from './curriculum.checksum.js';
import type { CompletionKind, CurriculumDefinition } from './curriculum.types.js';
import { CURRICULUM_V1 } from './curriculum.v1.js';
import { assertValidCurriculum } from './curriculum.validator.js';

export interface SeedResult {
  versionId: string;
  version: number;
  /** false when a version with the same checksum already existed and nothing was written. */
  created: boolean;
}

export interface PublishedVersion {
  id: string;
  version: number;
  title: string;
  checksum: string;
  publishedAt: Date;
}

/**
 * Key of the transaction-scoped advisory lock that serialises seeders (API replicas starting
 * together, a deploy job): without it two could both see "no such checksum" and race for version N+1.
 */
const SEED_LOCK_SQL = Prisma.sql`SELECT pg_advisory_xact_lock(7326401958121337)`;

/** Seeding writes ~100 rows, and may first wait for a concurrent seeder to finish. */
const TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 60_000 } as const;

/** Compile-time guard that our completion kinds and the database enum stay the same set. */
const COMPLETION: Record<CompletionKind, TaskCompletion> = {
  grader: TaskCompletion.grader,
  quiz: TaskCompletion.quiz,
  review: TaskCompletion.review,
  self_check: TaskCompletion.self_check,
};

/**
 * Publishes a curriculum definition as an immutable CurriculumVersion with its phases, steps, labs,
 * tasks and key questions. Idempotent by checksum: the same data seeds nothing new; changed data
 * becomes version max+1, and earlier versions (and the cohorts pinned to them) are never touched.
 */
@Injectable()
export class CurriculumSeeder {
  constructor(private readonly prisma: PrismaService) {}

  async seed(definition: CurriculumDefinition = CURRICULUM_V1): Promise<SeedResult> {
    assertValidCurriculum(definition);
    const checksum = curriculumChecksum(definition);
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw(SEED_LOCK_SQL);
      const existing = await tx.curriculumVersion.findUnique({
        where: { checksum },
        select: { id: true, version: true },
      });
      if (existing) return { versionId: existing.id, version: existing.version, created: false };

      const latest = await tx.curriculumVersion.aggregate({ _max: { version: true } });
      const version = (latest._max.version ?? 0) + 1;
      const { id: versionId } = await tx.curriculumVersion.create({
        data: { version, title: definition.title, checksum, source: definition.source },
        select: { id: true },
      });
      await writeContent(tx, versionId, definition);
      return { versionId, version, created: true };
    }, TRANSACTION_OPTIONS);
  }

  /** The most recently published version, or null before the first seed. */
  async latestVersion(): Promise<PublishedVersion | null> {
    return this.prisma.curriculumVersion.findFirst({
      orderBy: { version: 'desc' },
      select: { id: true, version: true, title: true, checksum: true, publishedAt: true },
    });
  }
}

async function writeContent(
  tx: Prisma.TransactionClient,
  versionId: string,
  definition: CurriculumDefinition,
): Promise<void> {
  const phases = await tx.curriculumPhase.createManyAndReturn({
    data: definition.phases.map((phase) => ({
      versionId,
      number: phase.number,
      slug: phase.slug,
      title: phase.title,
      objective: phase.objective,
      topics: json(phase.topics),
      projects: json(phase.projects),
    })),
    select: { id: true, number: true },
  });
  const phaseIds = idsByNumber(phases);

  await tx.keyQuestion.createMany({
    data: definition.phases.flatMap((phase) =>
      phase.keyQuestions.map((question, index) => ({
        versionId,
        phaseId: lookup(phaseIds, phase.number, 'phase'),
        position: index + 1,
        slug: question.slug,
        text: question.text,
      })),
    ),
  });

  const steps = await tx.curriculumStep.createManyAndReturn({
    data: definition.steps.map((step) => ({
      versionId,
      number: step.number,
      slug: step.slug,
      title: step.title,
      summary: step.summary,
      sections: json(step.sections),
    })),
    select: { id: true, number: true },
  });
  const stepIds = idsByNumber(steps);

  const labs = await tx.curriculumLab.createManyAndReturn({
    data: definition.labs.map((lab) => ({
      versionId,
      stepId: lookup(stepIds, lab.step, 'step'),
      number: lab.number,
      slug: lab.slug,
      title: lab.title,
      goals: json(lab.goals),
    })),
    select: { id: true, number: true },
  });
  const labIds = idsByNumber(labs);

  await tx.curriculumTask.createMany({
    data: definition.tasks.map((task, index) => ({
      versionId,
      slug: task.slug,
      stepId: lookup(stepIds, task.step, 'step'),
      phaseId: task.phase === undefined ? null : lookup(phaseIds, task.phase, 'phase'),
      labId: task.lab === undefined ? null : lookup(labIds, task.lab, 'lab'),
      position: index + 1,
      title: task.title,
      summary: task.summary,
      instructions: task.instructions,
      completion: COMPLETION[task.completion],
      graderId: task.completion === 'grader' ? task.graderId : null,
      maxPoints: task.maxPoints,
      hints: json(task.hints),
      rubric: task.completion === 'review' ? json(task.rubric) : Prisma.DbNull,
      quiz: task.completion === 'quiz' ? json(task.quiz) : Prisma.DbNull,
    })),
  });
}

/** Our data is plain JSON by construction; the round trip also drops undefined properties. */
function json(value: unknown): Prisma.InputJsonValue {
  return JSON.parse(JSON.stringify(value)) as Prisma.InputJsonValue;
}

function idsByNumber(rows: { id: string; number: number }[]): Map<number, string> {
  return new Map(rows.map((row) => [row.number, row.id]));
}

function lookup(ids: Map<number, string>, number: number, what: string): string {
  const id = ids.get(number);
  if (id === undefined) throw new Error(`curriculum refers to unknown ${what} ${number}`);
  return id;
}
