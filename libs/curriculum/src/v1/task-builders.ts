import type {
  GraderTask,
  GradingContract,
  QuizItem,
  QuizTask,
  ReviewTask,
  RubricItem,
  SelfCheckTask,
} from '../curriculum.types.js';

/** Images the instructions name; pinned so every cohort runs the same thing. */
export const AGNHOST_IMAGE = 'registry.k8s.io/e2e-test-images/agnhost:2.53';
export const BUSYBOX_IMAGE = 'busybox:1.36';

/**
 * Strips the indentation shared by the lines of a template so instructions can be written indented
 * in code. (Not named `md`: Prettier would reformat such templates as markdown, and a formatter
 * upgrade would then silently change the data and publish a new curriculum version.) Interpolated values are inserted afterwards, unchanged (a multi-line value keeps its own
 * indentation). The result is deterministic, which the version checksum relies on.
 */
export function dedent(strings: TemplateStringsArray, ...values: unknown[]): string {
  const hole = '\u0000';
  const lines = strings.join(hole).replace(/^\n/, '').replace(/\s+$/, '').split('\n');
  const indents = lines.filter((line) => line.trim() !== '').map((line) => /^ */.exec(line)![0].length);
  const strip = indents.length > 0 ? Math.min(...indents) : 0;
  const text = lines.map((line) => (line.trim() === '' ? '' : line.slice(strip))).join('\n');
  return text.split(hole).reduce((out, chunk, index) => out + String(values[index - 1]) + chunk);
}

type Common<T> = Omit<T, 'completion' | 'graderId' | 'grading'>;

/** A grader task; its grader id is the slug unless given. */
export function graderTask(
  task: Common<GraderTask> & { graderId?: string; grading: Omit<GradingContract, 'graderId'> },
): GraderTask {
  const graderId = task.graderId ?? task.slug;
  return { ...task, completion: 'grader', graderId, grading: { graderId, ...task.grading } };
}

export function quizTask(task: Omit<QuizTask, 'completion' | 'maxPoints'> & { quiz: QuizItem[] }): QuizTask {
  return { ...task, completion: 'quiz', maxPoints: sumPoints(task.quiz) };
}

export function reviewTask(
  task: Omit<ReviewTask, 'completion' | 'maxPoints'> & { rubric: RubricItem[] },
): ReviewTask {
  return { ...task, completion: 'review', maxPoints: sumPoints(task.rubric) };
}

export function selfCheckTask(task: Omit<SelfCheckTask, 'completion'>): SelfCheckTask {
  return { ...task, completion: 'self_check' };
}

function sumPoints(items: { points: number }[]): number {
  return items.reduce((sum, item) => sum + item.points, 0);
}
