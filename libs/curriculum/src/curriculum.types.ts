/**
 * The curriculum as versioned data. A definition is plain, JSON-serialisable data: its canonical
 * JSON hashes to the checksum that identifies a published CurriculumVersion, so every field here
 * is part of a version's identity.
 */

/** How a task completes; mirrors the TaskCompletion enum of the database. */
export const COMPLETION_KINDS = ['grader', 'quiz', 'review', 'self_check'] as const;
export type CompletionKind = (typeof COMPLETION_KINDS)[number];

export interface Topic {
  /** The topic's name as written in the source, e.g. `Network Namespaces`. */
  title: string;
  /** The text after the colon in the source, e.g. `Understanding isolation.` */
  description: string;
}

export interface KeyQuestion {
  /** Stable across versions, e.g. `phase-1-namespace-isolation`. */
  slug: string;
  /** Verbatim from the source. */
  text: string;
}

export interface Phase {
  number: number;
  slug: string;
  title: string;
  objective: string;
  topics: Topic[];
  /** Hands-on projects, verbatim from the source. */
  projects: string[];
  keyQuestions: KeyQuestion[];
}

export interface StepSection {
  title: string;
  /** The section's lines as written in the source (sub-labels such as `Resources:` included). */
  items: string[];
}

export interface Step {
  number: number;
  slug: string;
  title: string;
  /** Our one-paragraph summary for students; not in the source. */
  summary: string;
  sections: StepSection[];
}

export interface Lab {
  number: number;
  slug: string;
  title: string;
  /** Number of the step the lab belongs to. */
  step: number;
  /** The lab's lines as written in the source. */
  goals: string[];
}

export interface RubricItem {
  id: string;
  criterion: string;
  points: number;
}

export interface MultipleChoiceQuizItem {
  id: string;
  kind: 'multiple_choice';
  /** Slug of the key question this item checks, if any. */
  keyQuestion?: string;
  prompt: string;
  options: string[];
  /** Index into options. Never send it to students. */
  answerIndex: number;
  /** Shown after answering. */
  explanation: string;
  points: number;
}

/** A written answer an instructor reviews. */
export interface WrittenQuizItem {
  id: string;
  kind: 'written';
  keyQuestion?: string;
  prompt: string;
  /** For the reviewer: what a full-marks answer mentions. */
  guidance: string;
  points: number;
}

export type QuizItem = MultipleChoiceQuizItem | WrittenQuizItem;

/** Where the grader runs its checks. */
export type GraderTarget = 'vcluster' | 'workbench';

/**
 * What a grader may rely on: every name, namespace, label, port, host, path and address the
 * instructions promise, each written verbatim in the task's instructions (a spec enforces it).
 */
export interface GradingExpectations {
  namespaces: string[];
  /** Object names: pods, deployments, services, policies, interfaces, files... */
  names: string[];
  /** `key=value` */
  labels: string[];
  ports: number[];
  hosts?: string[];
  paths?: string[];
  /** IP addresses or CIDRs. */
  addresses?: string[];
}

export interface GradingContract {
  graderId: string;
  target: GraderTarget;
  expects: GradingExpectations;
  /** What the grader verifies, in order; each becomes one check in the grading report. */
  checks: string[];
  /**
   * Faults the worker may inject when the student starts the task (troubleshooting incidents). Not
   * shown to students; the grader verifies the app works again, whichever fault was injected.
   */
  faults?: Fault[];
}

export interface Fault {
  /** Stable id, e.g. `broken-selector`. */
  id: string;
  /** What the worker changes and the symptom it causes. */
  description: string;
}

interface TaskBase {
  /** Stable across versions: progress and submissions refer to it. */
  slug: string;
  title: string;
  summary: string;
  /** Number of the step the task belongs to. */
  step: number;
  /** Number of the phase whose material the task practises, if any. */
  phase?: number;
  /** Number of the lab the task implements, if any. */
  lab?: number;
  /** Markdown for students. */
  instructions: string;
  maxPoints: number;
  hints: string[];
}

export interface GraderTask extends TaskBase {
  completion: 'grader';
  graderId: string;
  grading: GradingContract;
}

export interface QuizTask extends TaskBase {
  completion: 'quiz';
  quiz: QuizItem[];
}

export interface ReviewTask extends TaskBase {
  completion: 'review';
  rubric: RubricItem[];
}

export interface SelfCheckTask extends TaskBase {
  completion: 'self_check';
}

export type Task = GraderTask | QuizTask | ReviewTask | SelfCheckTask;

export interface CurriculumDefinition {
  /** Human label of the data set, e.g. `v1`; the database numbers versions itself. */
  label: string;
  title: string;
  /** The markdown document the data was written from, verbatim. */
  source: string;
  phases: Phase[];
  steps: Step[];
  labs: Lab[];
  /** In the order students meet them; a task's position is its index + 1. */
  tasks: Task[];
}
