import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CURRICULUM_V1,
  CurriculumSeeder,
  type CurriculumDefinition,
  type ParsedCurriculum,
  parseCurriculumSource,
} from '@kubecohort/curriculum';
import { PrismaService } from '@kubecohort/database';

// Seeds into the per-run test database, which other suites share: assertions are scoped to the
// versions this suite publishes, and the changed definitions carry a unique title so they are new.

const SOURCE_PATH = new URL('../curriculum/source.md', import.meta.url);

let prisma: PrismaService;
let seeder: CurriculumSeeder;

beforeAll(() => {
  prisma = new PrismaService({ url: process.env.DATABASE_URL!, poolMax: 5 });
  seeder = new CurriculumSeeder(prisma);
});

afterAll(async () => {
  // $disconnect, then end the pg pool PrismaService owns (which $disconnect leaves open).
  await prisma.onApplicationShutdown();
});

/** Every row of a version, ordered, so two snapshots compare field by field. */
async function versionRows(versionId: string) {
  const [version, phases, keyQuestions, steps, labs, tasks] = await Promise.all([
    prisma.curriculumVersion.findUniqueOrThrow({ where: { id: versionId } }),
    prisma.curriculumPhase.findMany({ where: { versionId }, orderBy: { number: 'asc' } }),
    prisma.keyQuestion.findMany({ where: { versionId }, orderBy: { slug: 'asc' } }),
    prisma.curriculumStep.findMany({ where: { versionId }, orderBy: { number: 'asc' } }),
    prisma.curriculumLab.findMany({ where: { versionId }, orderBy: { number: 'asc' } }),
    prisma.curriculumTask.findMany({ where: { versionId }, orderBy: { position: 'asc' } }),
  ]);
  return { version, phases, keyQuestions, steps, labs, tasks };
}

function rowIds(rows: Awaited<ReturnType<typeof versionRows>>): string[] {
  const { version, ...children } = rows;
  return [
    version.id,
    ...Object.values(children).flatMap((list: { id: string }[]) => list.map((row) => row.id)),
  ];
}

function changedDefinition(): CurriculumDefinition {
  const definition = structuredClone(CURRICULUM_V1);
  definition.title = `${CURRICULUM_V1.title} (test ${randomUUID()})`;
  const lab1 = definition.tasks.find((task) => task.slug === 'lab-1-basic-connectivity')!;
  lab1.instructions += '\n\nUpdated: the server must also answer on its pod DNS name.';
  lab1.maxPoints = 20;
  return definition;
}

describe('CurriculumSeeder (PostgreSQL)', () => {
  let source: ParsedCurriculum;
  let v1: { versionId: string; version: number; created: boolean };

  beforeAll(async () => {
    // Parsed at test time: an edit to the source that the data does not follow fails here.
    source = parseCurriculumSource(readFileSync(SOURCE_PATH, 'utf8'));
    v1 = await seeder.seed();
  });

  it('stores the version with its checksum and the source document', async () => {
    const { version } = await versionRows(v1.versionId);
    expect(version.version).toBe(v1.version);
    expect(version.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(version.source).toBe(readFileSync(SOURCE_PATH, 'utf8'));
  });

  it('seeds every phase, topic, hands-on project and key question of curriculum/source.md', async () => {
    const { phases, keyQuestions } = await versionRows(v1.versionId);
    const missing: string[] = [];
    for (const expected of source.phases) {
      const row = phases.find((phase) => phase.number === expected.number);
      if (!row) {
        missing.push(`phase ${expected.number}: ${expected.title}`);
        continue;
      }
      if (row.title !== expected.title) missing.push(`phase ${expected.number} title "${expected.title}"`);
      if (row.objective !== expected.objective) missing.push(`phase ${expected.number} objective`);
      const topics = row.topics as { title: string; description: string }[];
      for (const topic of expected.topics) {
        if (!topics.some((t) => t.title === topic.title && t.description === topic.description)) {
          missing.push(`phase ${expected.number} topic "${topic.title}: ${topic.description}"`);
        }
      }
      const projects = row.projects as string[];
      for (const project of expected.projects) {
        if (!projects.includes(project)) missing.push(`phase ${expected.number} project "${project}"`);
      }
      const questions = keyQuestions
        .filter((question) => question.phaseId === row.id)
        .map((question) => question.text);
      for (const question of expected.keyQuestions) {
        if (!questions.includes(question))
          missing.push(`phase ${expected.number} key question "${question}"`);
      }
    }
    expect(missing).toEqual([]);
    expect(phases).toHaveLength(source.phases.length);
  });

  it('seeds every step with its sections, and every lab in its step', async () => {
    const { steps, labs } = await versionRows(v1.versionId);
    const missing: string[] = [];
    for (const expected of source.steps) {
      const row = steps.find((step) => step.number === expected.number);
      if (!row || row.title !== expected.title) {
        missing.push(`step ${expected.number}. ${expected.title}`);
        continue;
      }
      const sections = row.sections as { title: string; items: string[] }[];
      for (const section of expected.sections) {
        const stored = sections.find((candidate) => candidate.title === section.title);
        if (!stored) missing.push(`step ${expected.number} section "${section.title}"`);
        for (const item of section.items) {
          if (stored && !stored.items.includes(item))
            missing.push(`step ${expected.number} / ${section.title}: "${item}"`);
        }
      }
    }
    for (const expected of source.labs) {
      const row = labs.find((lab) => lab.number === expected.number);
      const stepId = steps.find((step) => step.number === expected.step)?.id;
      if (!row || row.title !== expected.title || row.stepId !== stepId) {
        missing.push(`lab ${expected.number}: ${expected.title} in step ${expected.step}`);
        continue;
      }
      for (const goal of expected.goals) {
        if (!(row.goals as string[]).includes(goal)) missing.push(`lab ${expected.number} goal "${goal}"`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('seeds every task with its completion, grader, points and links', async () => {
    const { tasks, steps, phases, labs } = await versionRows(v1.versionId);
    expect(tasks.map((task) => task.slug)).toEqual(CURRICULUM_V1.tasks.map((task) => task.slug));
    for (const [index, expected] of CURRICULUM_V1.tasks.entries()) {
      const row = tasks[index]!;
      expect({
        slug: row.slug,
        position: row.position,
        completion: row.completion,
        graderId: row.graderId,
        maxPoints: row.maxPoints,
        instructions: row.instructions,
        step: steps.find((step) => step.id === row.stepId)?.number,
        phase: phases.find((phase) => phase.id === row.phaseId)?.number,
        lab: labs.find((lab) => lab.id === row.labId)?.number,
        hasRubric: row.rubric !== null,
        hasQuiz: row.quiz !== null,
      }).toEqual({
        slug: expected.slug,
        position: index + 1,
        completion: expected.completion,
        graderId: expected.completion === 'grader' ? expected.graderId : null,
        maxPoints: expected.maxPoints,
        instructions: expected.instructions,
        step: expected.step,
        phase: expected.phase,
        lab: expected.lab,
        hasRubric: expected.completion === 'review',
        hasQuiz: expected.completion === 'quiz',
      });
    }
  });

  it('changes nothing when the same definition is seeded again', async () => {
    const before = await versionRows(v1.versionId);
    const again = await seeder.seed(structuredClone(CURRICULUM_V1));
    expect(again).toEqual({ versionId: v1.versionId, version: v1.version, created: false });
    const after = await versionRows(v1.versionId);
    expect(after).toEqual(before);
    expect(await prisma.curriculumVersion.count({ where: { checksum: before.version.checksum } })).toBe(1);
  });

  it('publishes a changed definition as a new version and leaves the old one and its cohorts alone', async () => {
    const cohort = await prisma.cohort.create({
      data: { name: `pinned to v${v1.version}`, curriculumVersionId: v1.versionId },
    });
    try {
      const before = await versionRows(v1.versionId);
      const v2 = await seeder.seed(changedDefinition());

      expect(v2.created).toBe(true);
      expect(v2.version).toBeGreaterThan(v1.version);
      expect(v2.versionId).not.toBe(v1.versionId);
      expect((await seeder.latestVersion())!.version).toBeGreaterThanOrEqual(v2.version);

      const changed = await versionRows(v2.versionId);
      expect(changed.tasks).toHaveLength(CURRICULUM_V1.tasks.length);
      const lab1 = changed.tasks.find((task) => task.slug === 'lab-1-basic-connectivity')!;
      expect(lab1.maxPoints).toBe(20);
      expect(lab1.instructions).toContain('Updated: the server must also answer');
      // The new version has rows of its own; nothing is shared with or moved from the old one.
      const oldIds = new Set(rowIds(before));
      expect(rowIds(changed).filter((id) => oldIds.has(id))).toEqual([]);

      expect(await versionRows(v1.versionId)).toEqual(before);
      const pinned = await prisma.cohort.findUniqueOrThrow({ where: { id: cohort.id } });
      expect(pinned.curriculumVersionId).toBe(v1.versionId);
    } finally {
      await prisma.cohort.delete({ where: { id: cohort.id } });
    }
  });

  it('lets concurrent seeders of the same new definition publish exactly one version', async () => {
    const definition = changedDefinition();
    const seeders = [
      seeder,
      new CurriculumSeeder(prisma),
      new CurriculumSeeder(prisma),
      new CurriculumSeeder(prisma),
    ];
    const results = await Promise.all(seeders.map((each) => each.seed(definition)));

    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(new Set(results.map((result) => result.versionId)).size).toBe(1);
    expect(new Set(results.map((result) => result.version)).size).toBe(1);
    const rows = await versionRows(results[0]!.versionId);
    expect(rows.tasks).toHaveLength(definition.tasks.length);
    expect(await prisma.curriculumVersion.count({ where: { title: definition.title } })).toBe(1);
  });

  it('rejects an invalid definition before writing anything', async () => {
    const definition = changedDefinition();
    definition.tasks[1]!.slug = definition.tasks[0]!.slug;
    await expect(seeder.seed(definition)).rejects.toThrow(
      'task slug foundation-kubernetes-basics is used twice',
    );
    expect(await prisma.curriculumVersion.count({ where: { title: definition.title } })).toBe(0);
  });

  it('reports the latest version', async () => {
    const latest = await seeder.latestVersion();
    const max = await prisma.curriculumVersion.aggregate({ _max: { version: true } });
    expect(latest?.version).toBe(max._max.version);
    expect(latest?.checksum).toMatch(/^[0-9a-f]{64}$/);
  });
});
