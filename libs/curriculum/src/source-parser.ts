import { parse as parseYaml } from 'yaml';

/**
 * Parser of the curriculum source document (curriculum/source.md). The document is loosely
 * structured prose, so the grammar below is what the parser relies on:
 *
 * - optional YAML front matter between `---` lines at the very top;
 * - phases: `## Phase N: Title`, then bullets `- Objective: ...`, `- Topics:`, `- Hands-on Project:`
 *   and `- Key Questions:`, the last three followed by indented bullets (a topic is `Title: text`);
 * - the plan: numbered steps `N. Title`, each closed by a `---` line; inside a step, a line ending
 *   in `:` whose label has more than one word (`Kubernetes Basics:`) starts a section, a one-word
 *   label (`Resources:`, `Implement:`) is an item of the current section, `Lab N: Title` starts a
 *   lab, and other lines are items of the current section or goals of the current lab;
 * - prose outside phases and steps is kept as the plan's intro (before step 1) or outro (after).
 */

export interface ParsedTopic {
  title: string;
  description: string;
}

export interface ParsedPhase {
  number: number;
  title: string;
  objective: string;
  topics: ParsedTopic[];
  projects: string[];
  keyQuestions: string[];
}

export interface ParsedSection {
  title: string;
  items: string[];
}

export interface ParsedLab {
  number: number;
  title: string;
  /** Number of the step the lab appears in. */
  step: number;
  goals: string[];
}

export interface ParsedStep {
  number: number;
  title: string;
  sections: ParsedSection[];
  /** Numbers of the labs the step contains. */
  labs: number[];
}

export interface ParsedCurriculum {
  /** `title` of the front matter, if any. */
  title: string | null;
  frontmatter: Record<string, unknown>;
  phases: ParsedPhase[];
  steps: ParsedStep[];
  labs: ParsedLab[];
  intro: string[];
  outro: string[];
}

export class CurriculumSourceError extends Error {
  constructor(
    message: string,
    /** 1-based line of the source the error is about. */
    readonly line: number,
  ) {
    super(`curriculum source line ${line}: ${message}`);
    this.name = 'CurriculumSourceError';
  }
}

const PHASE_HEADING = /^##\s+Phase\s+(\d+):\s*(.+?)\s*$/;
const STEP_HEADING = /^(\d+)\.\s+(.+?)\s*$/;
const LAB_HEADING = /^Lab\s+(\d+):\s*(.+?)\s*$/;
const BULLET = /^(\s*)-\s+(.+?)\s*$/;
const RULE = /^-{3,}\s*$/;
const PHASE_LISTS = {
  'Topics:': 'topics',
  'Hands-on Project:': 'projects',
  'Hands-on Projects:': 'projects',
  'Key Questions:': 'keyQuestions',
} as const;

type PhaseList = (typeof PHASE_LISTS)[keyof typeof PHASE_LISTS];

export function parseCurriculumSource(markdown: string): ParsedCurriculum {
  const lines = markdown.split(/\r?\n/);
  const result: ParsedCurriculum = {
    title: null,
    frontmatter: {},
    phases: [],
    steps: [],
    labs: [],
    intro: [],
    outro: [],
  };

  let start = 0;
  if (lines[0] !== undefined && RULE.test(lines[0])) {
    const end = lines.findIndex((line, index) => index > 0 && RULE.test(line));
    if (end < 0) throw new CurriculumSourceError('front matter is not closed by ---', 1);
    const data: unknown = parseYaml(lines.slice(1, end).join('\n'));
    if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
      result.frontmatter = data as Record<string, unknown>;
      const title = result.frontmatter['title'];
      if (typeof title === 'string' && title.trim() !== '') result.title = title.trim();
    }
    start = end + 1;
  }

  let phase: ParsedPhase | null = null;
  let phaseList: PhaseList | null = null;
  let phaseLine = 0;
  let step: ParsedStep | null = null;
  let stepLine = 0;
  let section: ParsedSection | null = null;
  let lab: ParsedLab | null = null;

  const closePhase = (): void => {
    if (phase) validatePhase(phase, phaseLine);
    phase = null;
    phaseList = null;
  };
  const closeStep = (): void => {
    if (step && step.sections.length === 0 && step.labs.length === 0) {
      throw new CurriculumSourceError(`step ${step.number} has no sections or labs`, stepLine);
    }
    step = null;
    section = null;
    lab = null;
  };

  for (let index = start; index < lines.length; index++) {
    const raw = lines[index] ?? '';
    const lineNo = index + 1;
    const text = raw.trim();
    if (text === '') continue;

    const phaseHeading = PHASE_HEADING.exec(text);
    if (phaseHeading) {
      closePhase();
      closeStep();
      const number = Number(phaseHeading[1]);
      expectNext(result.phases.length + 1, number, 'phase', lineNo);
      phase = { number, title: phaseHeading[2]!, objective: '', topics: [], projects: [], keyQuestions: [] };
      phaseLine = lineNo;
      result.phases.push(phase);
      continue;
    }

    if (phase) {
      const bullet = BULLET.exec(raw);
      if (bullet) {
        readPhaseBullet(phase, bullet[1]!.length, bullet[2]!, lineNo);
        continue;
      }
      // Prose after a phase's bullets ends the phase.
      closePhase();
    }

    if (RULE.test(text)) {
      closeStep();
      continue;
    }

    const stepHeading = STEP_HEADING.exec(text);
    if (stepHeading && !LAB_HEADING.test(text)) {
      closeStep();
      const number = Number(stepHeading[1]);
      expectNext(result.steps.length + 1, number, 'step', lineNo);
      step = { number, title: stepHeading[2]!, sections: [], labs: [] };
      stepLine = lineNo;
      result.steps.push(step);
      continue;
    }

    if (!step) {
      (result.steps.length === 0 ? result.intro : result.outro).push(text);
      continue;
    }
    const current: ParsedStep = step;

    const labHeading = LAB_HEADING.exec(text);
    if (labHeading) {
      const number = Number(labHeading[1]);
      expectNext(result.labs.length + 1, number, 'lab', lineNo);
      lab = { number, title: labHeading[2]!, step: current.number, goals: [] };
      result.labs.push(lab);
      current.labs.push(number);
      section = null;
      continue;
    }

    if (isSectionTitle(text)) {
      section = { title: text.slice(0, -1).trim(), items: [] };
      current.sections.push(section);
      lab = null;
      continue;
    }

    if (lab) lab.goals.push(text);
    else if (section) section.items.push(text);
    else throw new CurriculumSourceError(`text before any section of step ${current.number}`, lineNo);
  }
  closePhase();
  closeStep();

  if (result.phases.length === 0) throw new CurriculumSourceError('no phases found', 1);
  if (result.steps.length === 0) throw new CurriculumSourceError('no steps found', 1);
  return result;

  function readPhaseBullet(target: ParsedPhase, indent: number, content: string, lineNo: number): void {
    if (indent === 0) {
      if (content.startsWith('Objective:')) {
        target.objective = content.slice('Objective:'.length).trim();
        phaseList = null;
        return;
      }
      const list = PHASE_LISTS[content as keyof typeof PHASE_LISTS];
      if (!list) throw new CurriculumSourceError(`unknown phase field "${content}"`, lineNo);
      phaseList = list;
      return;
    }
    switch (phaseList) {
      case null:
        throw new CurriculumSourceError(
          'indented bullet outside Topics, Hands-on Project or Key Questions',
          lineNo,
        );
      case 'topics': {
        const colon = content.indexOf(': ');
        if (colon < 0)
          throw new CurriculumSourceError(`topic "${content}" has no "Title: description"`, lineNo);
        target.topics.push({
          title: content.slice(0, colon).trim(),
          description: content.slice(colon + 2).trim(),
        });
        return;
      }
      case 'projects':
        target.projects.push(content);
        return;
      case 'keyQuestions':
        target.keyQuestions.push(content);
        return;
    }
  }
}

/** `Kubernetes Basics:` starts a section; `Resources:` (one word) is a label inside one. */
function isSectionTitle(text: string): boolean {
  return text.endsWith(':') && /\s/.test(text.slice(0, -1).trim());
}

function expectNext(expected: number, actual: number, what: string, line: number): void {
  if (actual !== expected)
    throw new CurriculumSourceError(`expected ${what} ${expected}, found ${actual}`, line);
}

function validatePhase(phase: ParsedPhase, line: number): void {
  const missing = [
    phase.objective === '' && 'an objective',
    phase.topics.length === 0 && 'topics',
    phase.projects.length === 0 && 'hands-on projects',
    phase.keyQuestions.length === 0 && 'key questions',
  ].filter((entry): entry is string => entry !== false);
  if (missing.length > 0) {
    throw new CurriculumSourceError(`phase ${phase.number} has no ${missing.join(', ')}`, line);
  }
}
