import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { curriculumChecksum } from './curriculum.checksum.js';
import type { GraderTask, Task } from './curriculum.types.js';
import { CURRICULUM_V1, GRADING_CONTRACTS_V1 } from './curriculum.v1.js';
import { curriculumProblems } from './curriculum.validator.js';
import { expectedValues } from './grading-contracts.js';
import { parseCurriculumSource } from './source-parser.js';

const sourceFile = readFileSync(new URL('../../../curriculum/source.md', import.meta.url), 'utf8');
const parsed = parseCurriculumSource(sourceFile);
const graderTasks = CURRICULUM_V1.tasks.filter((task): task is GraderTask => task.completion === 'grader');
const task = (slug: string): Task => {
  const found = CURRICULUM_V1.tasks.find((candidate) => candidate.slug === slug);
  if (!found) throw new Error(`no task ${slug}`);
  return found;
};

describe('CURRICULUM_V1', () => {
  it('embeds curriculum/source.md verbatim', () => {
    expect(CURRICULUM_V1.source).toBe(sourceFile);
  });

  it('has the checksum of the published v1', () => {
    // Any change to the data publishes a new version on the next seed. If you meant to change it,
    // update this value in the same commit; if not (a formatter, a refactor), undo the change.
    expect(curriculumChecksum(CURRICULUM_V1)).toBe(
      '1269ba789cb3bf03da30c3b40a6412e1a91504b16a8ff123c6c8ae41c316f24c',
    );
  });

  it('is a valid definition', () => {
    expect(curriculumProblems(CURRICULUM_V1)).toEqual([]);
  });

  it('has every phase of the source with objective, topics, projects and key questions verbatim', () => {
    expect(CURRICULUM_V1.phases.map((phase) => phase.number)).toEqual(
      parsed.phases.map((phase) => phase.number),
    );
    for (const source of parsed.phases) {
      const phase = CURRICULUM_V1.phases.find((candidate) => candidate.number === source.number)!;
      expect({
        title: phase.title,
        objective: phase.objective,
        topics: phase.topics,
        projects: phase.projects,
        keyQuestions: phase.keyQuestions.map((question) => question.text),
      }).toEqual({
        title: source.title,
        objective: source.objective,
        topics: source.topics,
        projects: source.projects,
        keyQuestions: source.keyQuestions,
      });
    }
  });

  it('has the seven steps of the source with their sections verbatim', () => {
    expect(CURRICULUM_V1.steps.map(({ number, title, sections }) => ({ number, title, sections }))).toEqual(
      parsed.steps.map(({ number, title, sections }) => ({ number, title, sections })),
    );
  });

  it('has labs 1-5 of the source with their goals verbatim', () => {
    expect(
      CURRICULUM_V1.labs.map(({ number, title, step, goals }) => ({ number, title, step, goals })),
    ).toEqual(parsed.labs);
  });

  it('keeps the task slugs that progress and submissions refer to', () => {
    // Renaming a slug orphans every student's progress on it: change this list only on purpose.
    expect(CURRICULUM_V1.tasks.map((candidate) => candidate.slug)).toEqual([
      'foundation-kubernetes-basics',
      'foundation-networking-fundamentals',
      'environment-local-cluster',
      'environment-sandbox-app',
      'phase-1-veth-pair',
      'phase-1-bridge',
      'phase-1-routing',
      'phase-1-key-questions',
      'phase-2-cni-plugin',
      'phase-2-key-questions',
      'phase-3-multi-service-traffic',
      'phase-3-network-policies',
      'concepts-egress-control',
      'phase-3-key-questions',
      'lab-1-basic-connectivity',
      'lab-2-service-discovery',
      'lab-3-network-policy',
      'lab-4-ingress',
      'lab-5-cni-comparison',
      'troubleshooting-incident-1',
      'troubleshooting-incident-2',
      'troubleshooting-incident-3',
      'troubleshooting-postmortem',
      'advanced-multi-node',
      'advanced-service-mesh',
      'phase-5-zero-trust-namespace',
      'phase-4-eks-vpc-design',
      'phase-4-security-groups-nacls',
      'phase-4-load-balancer',
      'phase-5-threat-detection',
      'phase-5-observability',
      'phase-4-key-questions',
      'phase-5-key-questions',
      'capstone-multi-tier',
      'capstone-writeup',
      'community-join-forums',
      'community-follow-updates',
      'community-practice-plan',
    ]);
  });

  it('lists tasks in step order', () => {
    const steps = CURRICULUM_V1.tasks.map((candidate) => candidate.step);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    for (const step of CURRICULUM_V1.steps) {
      expect(CURRICULUM_V1.tasks.some((candidate) => candidate.step === step.number)).toBe(true);
    }
  });

  it('gives every phase tasks and every lab its task', () => {
    for (const phase of CURRICULUM_V1.phases) {
      expect(
        CURRICULUM_V1.tasks.filter((candidate) => candidate.phase === phase.number).length,
      ).toBeGreaterThan(1);
    }
    for (const lab of CURRICULUM_V1.labs) {
      expect(task(lab.slug).lab).toBe(lab.number);
    }
  });

  it('names each grader after its task', () => {
    for (const grader of graderTasks) expect(grader.graderId).toBe(grader.slug);
    expect([...GRADING_CONTRACTS_V1.keys()]).toEqual(graderTasks.map((grader) => grader.graderId));
  });

  it('never fakes a grader for what a per-student vcluster cannot prove', () => {
    const notGradable = [
      'lab-5-cni-comparison',
      'advanced-multi-node',
      'advanced-service-mesh',
      'phase-4-eks-vpc-design',
      'phase-4-security-groups-nacls',
      'phase-4-load-balancer',
      'phase-5-threat-detection',
      'phase-5-observability',
      'capstone-writeup',
    ];
    for (const slug of notGradable) expect(['review', 'self_check']).toContain(task(slug).completion);
    for (const candidate of CURRICULUM_V1.tasks.filter((t) => t.phase === 4)) {
      expect(candidate.completion).not.toBe('grader');
    }
  });

  it('turns every key question into a quiz item whose written prompt is the question itself', () => {
    for (const phase of CURRICULUM_V1.phases) {
      const quiz = task(`phase-${phase.number}-key-questions`);
      expect(quiz.completion).toBe('quiz');
      if (quiz.completion !== 'quiz') continue;
      for (const question of phase.keyQuestions) {
        const items = quiz.quiz.filter((item) => item.keyQuestion === question.slug);
        expect(items.map((item) => item.kind).sort()).toEqual(['multiple_choice', 'written']);
        expect(items.find((item) => item.kind === 'written')!.prompt).toBe(question.text);
      }
    }
  });

  it('gives the troubleshooting incidents the five faults to inject', () => {
    for (const number of [1, 2, 3]) {
      const incident = task(`troubleshooting-incident-${number}`) as GraderTask;
      expect(incident.grading.faults?.map((fault) => fault.id)).toEqual([
        'broken-selector',
        'wrong-target-port',
        'deny-all-policy',
        'dns-egress-blocked',
        'wrong-ingress-backend',
      ]);
      // The instructions describe the hunt, never the fault.
      for (const fault of incident.grading.faults ?? [])
        expect(incident.instructions).not.toContain(fault.id);
    }
  });

  it('is frozen, so the published data cannot drift in memory', () => {
    expect(Object.isFrozen(CURRICULUM_V1)).toBe(true);
    expect(Object.isFrozen(CURRICULUM_V1.tasks[0])).toBe(true);
    expect(() => {
      (CURRICULUM_V1.phases[0] as { title: string }).title = 'changed';
    }).toThrow(TypeError);
    expect(curriculumChecksum(structuredClone(CURRICULUM_V1))).toBe(curriculumChecksum(CURRICULUM_V1));
  });
});

describe('grading contracts', () => {
  it.each(graderTasks.map((grader) => [grader.slug, grader] as const))(
    '%s: every promised value appears verbatim in the instructions',
    (_slug, grader) => {
      const values = expectedValues(grader.grading.expects);
      expect(values.length).toBeGreaterThan(0);
      expect(values.filter((value) => !grader.instructions.includes(value))).toEqual([]);
      expect(grader.grading.checks.length).toBeGreaterThan(0);
    },
  );

  it('pins the Lab 1 contract the grader will be written against', () => {
    expect(GRADING_CONTRACTS_V1.get('lab-1-basic-connectivity')).toMatchObject({
      target: 'vcluster',
      expects: {
        namespaces: ['lab1-a', 'lab1-b'],
        names: ['server', 'client'],
        labels: ['app=server', 'app=client'],
        ports: [8080],
      },
    });
  });

  it('runs the Linux labs in the workbench and the rest in the vcluster', () => {
    const workbench = graderTasks
      .filter((grader) => grader.grading.target === 'workbench')
      .map((grader) => grader.slug);
    expect(workbench).toEqual([
      'phase-1-veth-pair',
      'phase-1-bridge',
      'phase-1-routing',
      'phase-2-cni-plugin',
    ]);
  });
});
