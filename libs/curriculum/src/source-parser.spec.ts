import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { CurriculumSourceError, parseCurriculumSource } from './source-parser.js';

const source = readFileSync(new URL('../../../curriculum/source.md', import.meta.url), 'utf8');

const phaseBlock = (body: string): string => `## Phase 1: Demo\n\n${body}\n`;
const completePhase = [
  '- Objective: Learn.',
  '- Topics:',
  '    - Namespaces: Isolation.',
  '- Hands-on Project:',
  '    - Build it.',
  '- Key Questions:',
  '    - Why?',
].join('\n');
const minimalPlan = '1. First Step\n\nA Section:\n\nan item\n';

describe('parseCurriculumSource on curriculum/source.md', () => {
  const parsed = parseCurriculumSource(source);

  it('reads the front matter title', () => {
    expect(parsed.title).toBe('curriculum for learning Kubernetes networking');
    expect(parsed.frontmatter['version']).toBe(1);
  });

  it('finds the five phases with objective, four topics, projects and three key questions each', () => {
    expect(parsed.phases.map((phase) => phase.title)).toEqual([
      'Linux Networking Fundamentals',
      'Container Networking Interface (CNI)',
      'Kubernetes Networking Model',
      'AWS-Specific Networking (EKS)',
      'Security and Observability',
    ]);
    for (const phase of parsed.phases) {
      expect(phase.objective).not.toBe('');
      expect(phase.topics).toHaveLength(4);
      expect(phase.projects.length).toBeGreaterThanOrEqual(2);
      expect(phase.keyQuestions).toHaveLength(3);
    }
    expect(parsed.phases[1]!.topics[1]).toEqual({
      title: 'CNI Plugins',
      description: 'Exploring different implementations (Calico, Flannel, Weave).',
    });
    expect(parsed.phases[2]!.projects).toContain(
      'Implement network policies to restrict communication between specific pods.',
    );
    expect(parsed.phases[4]!.keyQuestions).toContain(
      'How can I implement a zero-trust network in Kubernetes?',
    );
  });

  it('finds the seven steps with their sections', () => {
    expect(parsed.steps.map((step) => `${step.number}. ${step.title}`)).toEqual([
      '1. Build Your Foundation',
      '2. Set Up a Practical Environment',
      '3. Dive into Kubernetes Networking Concepts',
      '4. Hands-On Labs & Exercises',
      '5. Advanced Topics & Real-World Scenarios',
      '6. Consolidate Learning with a Capstone Project',
      '7. Engage with the Community & Continuous Learning',
    ]);
    expect(parsed.steps[2]!.sections.map((section) => section.title)).toEqual([
      'Pod Networking',
      'Service Networking',
      'Network Policies',
      'Ingress & Egress',
    ]);
    expect(parsed.steps[4]!.sections.map((section) => section.title)).toEqual([
      'Troubleshooting & Debugging',
      'Multi-Node Clusters',
      'Service Mesh Overview',
      'Security & Compliance',
    ]);
  });

  it('keeps one-word labels such as "Resources:" and "Implement:" as items of their section', () => {
    expect(parsed.steps[0]!.sections[0]).toEqual({
      title: 'Kubernetes Basics',
      items: [
        'Learn: Core concepts (pods, services, deployments, etc.).',
        'Resources:',
        'Kubernetes Official Documentation',
        'Interactive tutorials like Katacoda',
      ],
    });
    expect(parsed.steps[5]!.sections).toHaveLength(1);
    expect(parsed.steps[5]!.sections[0]!.items).toContain('Implement:');
    expect(parsed.steps[5]!.sections[0]!.items).toContain(
      'Alternative CNI plugins to evaluate performance differences',
    );
  });

  it('finds labs 1-5 in step 4 with their lines', () => {
    expect(parsed.labs.map((lab) => [lab.number, lab.title, lab.step])).toEqual([
      [1, 'Basic Connectivity', 4],
      [2, 'Service Discovery', 4],
      [3, 'Network Policy Enforcement', 4],
      [4, 'Ingress Controller Setup', 4],
      [5, 'Experiment with CNI Plugins', 4],
    ]);
    expect(parsed.labs[0]!.goals).toEqual([
      'Deploy two pods in different namespaces.',
      'Test connectivity using internal DNS names and IPs.',
    ]);
    expect(parsed.steps[3]!.labs).toEqual([1, 2, 3, 4, 5]);
    expect(parsed.steps[3]!.sections).toEqual([]);
  });

  it('keeps the prose around the plan apart', () => {
    expect(parsed.intro).toEqual(["Here's a practical, step-by-step plan to learn Kubernetes networking:"]);
    expect(parsed.outro).toHaveLength(1);
    expect(parsed.outro[0]).toMatch(/^This plan provides both theoretical knowledge/);
  });

  it('parses CRLF line endings the same way', () => {
    expect(parseCurriculumSource(source.replace(/\n/g, '\r\n'))).toEqual(parsed);
  });
});

describe('parseCurriculumSource errors', () => {
  const parse = (markdown: string) => () => parseCurriculumSource(markdown);

  it('accepts a minimal document without front matter', () => {
    const parsed = parseCurriculumSource(`${phaseBlock(completePhase)}\n${minimalPlan}`);
    expect(parsed.title).toBeNull();
    expect(parsed.phases[0]!.topics).toEqual([{ title: 'Namespaces', description: 'Isolation.' }]);
    expect(parsed.steps[0]!.sections).toEqual([{ title: 'A Section', items: ['an item'] }]);
  });

  it('rejects a phase without key questions, naming its line', () => {
    const body = completePhase.split('\n').slice(0, 5).join('\n');
    const run = parse(`${phaseBlock(body)}\n${minimalPlan}`);
    expect(run).toThrow(CurriculumSourceError);
    expect(run).toThrow('line 1: phase 1 has no key questions');
  });

  it('rejects an unknown phase field', () => {
    expect(parse(`${phaseBlock(`${completePhase}\n- Prerequisites:`)}\n${minimalPlan}`)).toThrow(
      'unknown phase field "Prerequisites:"',
    );
  });

  it('rejects a topic without a description', () => {
    const body = completePhase.replace('Namespaces: Isolation.', 'Namespaces');
    expect(parse(`${phaseBlock(body)}\n${minimalPlan}`)).toThrow('has no "Title: description"');
  });

  it('rejects phases and steps out of order', () => {
    expect(parse(`## Phase 2: Late\n\n${completePhase}\n\n${minimalPlan}`)).toThrow(
      'expected phase 1, found 2',
    );
    expect(parse(`${phaseBlock(completePhase)}\n2. Second\n\nA Section:\n\nitem\n`)).toThrow(
      'expected step 1, found 2',
    );
  });

  it('rejects step content before any section', () => {
    expect(parse(`${phaseBlock(completePhase)}\n1. First\n\nstray line\n`)).toThrow(
      'text before any section of step 1',
    );
  });

  it('rejects an unclosed front matter block', () => {
    expect(parse('---\ntitle: x\n')).toThrow('front matter is not closed');
  });

  it('rejects a document without steps', () => {
    expect(parse(phaseBlock(completePhase))).toThrow('no steps found');
  });
});
