import type { CurriculumTaskSummary, CurriculumView } from '@kubecohort/contracts';
import { DomainError } from '@kubecohort/contracts';
import { PrismaService, type Sql, SqlClient, statement, type TaskCompletion } from '@kubecohort/database';
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

interface VersionRow {
  version: number;
  title: string;
  publishedAt: Date;
}

interface StepRow {
  id: string;
  number: number;
  slug: string;
  title: string;
  summary: string;
  sections: unknown;
}

interface TaskRow {
  slug: string;
  title: string;
  summary: string;
  completion: TaskCompletion;
  maxPoints: number;
  position: number;
  stepId: string;
  phaseNumber: number | null;
  labNumber: number | null;
}

interface PhaseRow {
  number: number;
  slug: string;
  title: string;
  objective: string;
  topics: unknown;
  projects: unknown;
}

interface LabRow {
  number: number;
  slug: string;
  title: string;
  goals: unknown;
  stepNumber: number;
}

// $1: the version. Named statements: they also run inside the grading pipeline's transactions.
const VERSION = statement(
  'catalog_version',
  `SELECT version, title, published_at AS "publishedAt" FROM curriculum_versions WHERE id = $1::uuid`,
);
const STEPS = statement(
  'catalog_steps',
  `SELECT id::text AS id, number, slug, title, summary, sections FROM curriculum_steps
   WHERE version_id = $1::uuid ORDER BY number`,
);
const TASKS = statement(
  'catalog_tasks',
  `SELECT t.slug, t.title, t.summary, t.completion::text AS completion, t.max_points AS "maxPoints", t.position,
          t.step_id::text AS "stepId", p.number AS "phaseNumber", l.number AS "labNumber"
   FROM curriculum_tasks t
   LEFT JOIN curriculum_phases p ON p.id = t.phase_id
   LEFT JOIN curriculum_labs l ON l.id = t.lab_id
   WHERE t.version_id = $1::uuid ORDER BY t.position`,
);
const PHASES = statement(
  'catalog_phases',
  `SELECT number, slug, title, objective, topics, projects FROM curriculum_phases
   WHERE version_id = $1::uuid ORDER BY number`,
);
const LABS = statement(
  'catalog_labs',
  `SELECT l.number, l.slug, l.title, l.goals, s.number AS "stepNumber"
   FROM curriculum_labs l JOIN curriculum_steps s ON s.id = l.step_id
   WHERE l.version_id = $1::uuid ORDER BY l.number`,
);

/**
 * Curriculum versions are immutable once published, so each one is read once per process and kept
 * (a handful of versions ever exist). Concurrent first reads share one load.
 */
@Injectable()
export class CurriculumCatalog {
  private readonly versions = new Map<string, Promise<VersionCatalog>>();

  constructor(
    private readonly prisma: PrismaService,
    private readonly sql: SqlClient,
  ) {}

  /**
   * The version's catalog. Inside a transaction pass its Sql (SqlClient's, or `prismaSql(tx)`): a
   * first load then runs on the transaction's own connection, so transactions waiting for the
   * catalog never starve the pool.
   */
  get(versionId: string, db?: Sql): Promise<VersionCatalog> {
    let loading = this.versions.get(versionId);
    if (!loading) {
      loading = this.load(versionId, db ?? this.sql);
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

  private async load(versionId: string, db: Sql): Promise<VersionCatalog> {
    // Sequential: a transaction's connection runs one query at a time anyway.
    const [version] = await db.query<VersionRow>(VERSION, [versionId]);
    const steps = await db.query<StepRow>(STEPS, [versionId]);
    const tasks = await db.query<TaskRow>(TASKS, [versionId]);
    const phases = await db.query<PhaseRow>(PHASES, [versionId]);
    const labs = await db.query<LabRow>(LABS, [versionId]);
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
        phase: task.phaseNumber,
        lab: task.labNumber,
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
        step: lab.stepNumber,
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
