import type { CurriculumTaskSummary, CurriculumView } from '@kubecohort/contracts';
import { DomainError } from '@kubecohort/contracts';
import { type Prisma, PrismaService } from '@kubecohort/database';
import { Injectable } from '@nestjs/common';
import { isGradeable } from './progress.rules.js';

export interface CatalogTask extends CurriculumTaskSummary {
  step: number;
  position: number;
}

export interface CatalogStep {
  number: number;
  slug: string;
  title: string;
  summary: string;
  sections: { title: string; items: string[] }[];
  tasks: CatalogTask[];
  gradeableTaskIds: string[];
}

/** One published curriculum version, as the progress features read it. Immutable. */
export interface VersionCatalog {
  id: string;
  version: number;
  /** Steps in order, each with its tasks in plan order. */
  steps: CatalogStep[];
  /** Every task in plan order (step, then position): the matrix's columns. */
  tasks: CatalogTask[];
  taskById: Map<string, CatalogTask>;
  /** Index of each task in `tasks` (its matrix column). */
  columnOf: Map<string, number>;
  stepByNumber: Map<number, CatalogStep>;
  /** The whole curriculum as GET /curriculum returns it. */
  view: CurriculumView;
}

/**
 * Curriculum versions are immutable once published, so each one is read once per process and kept
 * (a handful of versions ever exist). Concurrent first reads share one load.
 */
@Injectable()
export class CurriculumCatalog {
  private readonly versions = new Map<string, Promise<VersionCatalog>>();

  constructor(private readonly prisma: PrismaService) {}

  /**
   * The version's catalog. Inside a transaction pass its client: a first load then runs on the
   * transaction's own connection, so transactions waiting for the catalog never starve the pool.
   */
  get(versionId: string, db?: Prisma.TransactionClient): Promise<VersionCatalog> {
    let loading = this.versions.get(versionId);
    if (!loading) {
      loading = db ? this.load(versionId, db) : this.load(versionId, this.prisma);
      this.versions.set(versionId, loading);
      loading.catch(() => this.versions.delete(versionId));
    }
    return loading;
  }

  /** The latest version, or the one numbered `version`; 404 when there is none. */
  async byNumber(version?: number): Promise<VersionCatalog> {
    const row = await this.prisma.curriculumVersion.findFirst({
      where: version === undefined ? {} : { version },
      orderBy: { version: 'desc' },
      select: { id: true },
    });
    if (!row)
      throw DomainError.notFound(version === undefined ? 'curriculum' : `curriculum version ${version}`);
    return this.get(row.id);
  }

  private async load(
    versionId: string,
    db: Prisma.TransactionClient | PrismaService,
  ): Promise<VersionCatalog> {
    // Sequential: a transaction's connection runs one query at a time anyway.
    const version = await db.curriculumVersion.findUnique({
      where: { id: versionId },
      select: { version: true, title: true, publishedAt: true },
    });
    const steps = await db.curriculumStep.findMany({ where: { versionId }, orderBy: { number: 'asc' } });
    const tasks = await db.curriculumTask.findMany({
      where: { versionId },
      orderBy: { position: 'asc' },
      select: {
        slug: true,
        title: true,
        summary: true,
        completion: true,
        maxPoints: true,
        position: true,
        stepId: true,
        phase: { select: { number: true } },
        lab: { select: { number: true } },
      },
    });
    const phases = await db.curriculumPhase.findMany({ where: { versionId }, orderBy: { number: 'asc' } });
    const labs = await db.curriculumLab.findMany({
      where: { versionId },
      orderBy: { number: 'asc' },
      include: { step: { select: { number: true } } },
    });
    if (!version) throw DomainError.notFound('curriculum version');
    const stepNumberById = new Map(steps.map((step) => [step.id, step.number]));
    const catalogTasks: CatalogTask[] = tasks
      .map((task) => ({
        id: task.slug,
        title: task.title,
        summary: task.summary,
        completion: task.completion,
        maxPoints: task.maxPoints,
        gradeable: isGradeable(task.completion),
        phase: task.phase?.number ?? null,
        lab: task.lab?.number ?? null,
        step: stepNumberById.get(task.stepId) ?? 0,
        position: task.position,
      }))
      .sort((a, b) => a.step - b.step || a.position - b.position);
    const catalogSteps: CatalogStep[] = steps.map((step) => {
      const stepTasks = catalogTasks.filter((task) => task.step === step.number);
      return {
        number: step.number,
        slug: step.slug,
        title: step.title,
        summary: step.summary,
        sections: step.sections as CatalogStep['sections'],
        tasks: stepTasks,
        gradeableTaskIds: stepTasks.filter((task) => task.gradeable).map((task) => task.id),
      };
    });
    const view: CurriculumView = {
      version: version.version,
      title: version.title,
      publishedAt: version.publishedAt.toISOString(),
      steps: catalogSteps.map((step) => ({
        number: step.number,
        slug: step.slug,
        title: step.title,
        summary: step.summary,
        sections: step.sections,
        tasks: step.tasks.map(summaryOf),
      })),
      phases: phases.map((phase) => ({
        number: phase.number,
        slug: phase.slug,
        title: phase.title,
        objective: phase.objective,
        topics: phase.topics as CurriculumView['phases'][number]['topics'],
        projects: phase.projects as string[],
      })),
      labs: labs.map((lab) => ({
        number: lab.number,
        slug: lab.slug,
        title: lab.title,
        step: lab.step.number,
        goals: lab.goals as string[],
      })),
    };
    return {
      id: versionId,
      version: version.version,
      steps: catalogSteps,
      tasks: catalogTasks,
      taskById: new Map(catalogTasks.map((task) => [task.id, task])),
      columnOf: new Map(catalogTasks.map((task, index) => [task.id, index])),
      stepByNumber: new Map(catalogSteps.map((step) => [step.number, step])),
      view,
    };
  }
}

export function summaryOf(task: CatalogTask): CurriculumTaskSummary {
  return {
    id: task.id,
    title: task.title,
    summary: task.summary,
    completion: task.completion,
    maxPoints: task.maxPoints,
    gradeable: task.gradeable,
    phase: task.phase,
    lab: task.lab,
  };
}
