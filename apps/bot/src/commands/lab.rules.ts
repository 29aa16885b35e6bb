import type { TaskProgressView } from '../api/api.types.js';

const DONE: TaskProgressView['status'][] = ['passed', 'pending_review'];

/**
 * The task a student is on: the one they touched last among those started and not done; else
 * the first open task of their current step; else the first open task at all. Tasks in plan order.
 */
export function currentTask(tasks: TaskProgressView[], currentStep: number): TaskProgressView | null {
  const started = tasks
    .filter((task) => task.status === 'in_progress' || task.status === 'failed')
    .sort((a, b) => (b.updatedAt ?? '').localeCompare(a.updatedAt ?? ''));
  if (started[0]) return started[0];
  const open = (task: TaskProgressView) => !DONE.includes(task.status) && task.status !== 'locked';
  return (
    tasks.find((task) => task.step === currentStep && open(task)) ?? tasks.find((task) => open(task)) ?? null
  );
}

/** The first task after `after` (plan order) not done yet, locked ones included; the first open one without `after`. */
export function nextTask(tasks: TaskProgressView[], after: TaskProgressView | null): TaskProgressView | null {
  const from = after ? tasks.findIndex((task) => task.taskId === after.taskId) + 1 : 0;
  return tasks.slice(from).find((task) => !DONE.includes(task.status)) ?? null;
}

/**
 * What `/lab submit answer:` becomes for the API: review tasks take a URL or text; quizzes take
 * JSON (`{"answers": {...}}` or just the answers) or `item=value` pairs separated by commas or
 * semicolons (numbers are option indexes). Other tasks take no answer.
 */
export function parseAnswer(completion: string, raw: string | null): Record<string, unknown> | undefined {
  const text = raw?.trim();
  if (!text) return undefined;
  if (completion === 'review') return /^https?:\/\/\S+$/i.test(text) ? { url: text } : { text };
  if (completion !== 'quiz') return undefined;
  if (text.startsWith('{')) {
    const parsed: unknown = JSON.parse(text);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new SyntaxError('not an object');
    return 'answers' in parsed ? parsed : { answers: parsed };
  }
  const answers: Record<string, string | number> = {};
  for (const pair of text.split(/[;,]/)) {
    const [item, ...rest] = pair.split('=');
    const value = rest.join('=').trim();
    if (!item?.trim() || !value) throw new SyntaxError(`"${pair.trim()}" is not item=value`);
    answers[item.trim()] = /^\d+$/.test(value) ? Number(value) : value;
  }
  return { answers };
}
