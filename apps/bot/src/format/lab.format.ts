import type { PlanView, StudentTaskView, TaskProgressView } from '../api/api.types.js';
import { message, relativeTime, truncate } from './text.format.js';

const STATUS_ICON: Record<TaskProgressView['status'], string> = {
  locked: '🔒',
  available: '⬜',
  in_progress: '▶️',
  pending_review: '📝',
  passed: '✅',
  failed: '❌',
};

export function statusIcon(status: TaskProgressView['status']): string {
  return STATUS_ICON[status];
}

/** A task with its instructions (shortened to fit a message). */
export function formatTask(task: StudentTaskView, heading: string): string {
  return message([
    `**${heading}: ${task.title}** (\`${task.id}\`, step ${task.step}, ${task.maxPoints} points)`,
    `${statusIcon(task.progress.status)} ${task.progress.status.replace('_', ' ')}` +
      (task.progress.attempts > 0 ? ` · ${task.progress.attempts} attempt(s)` : ''),
    task.locked ? '🔒 This step is still locked for your cohort.' : null,
    '',
    truncate(task.instructions.trim(), 1400),
    '',
    task.hints.length > 0 ? `Stuck? \`/lab hint task:${task.id}\`` : null,
    task.gradeable || task.completion === 'self_check' ? `Done? \`/lab submit task:${task.id}\`` : null,
  ]);
}

/** Hints as spoilers, so a student reveals one at a time. */
export function formatHints(task: StudentTaskView): string {
  if (task.hints.length === 0) return `No hints for **${task.title}** — ask in the Q&A with \`/ask\`.`;
  return message([
    `**Hints for ${task.title}** (click to reveal, one at a time):`,
    ...task.hints.map((hint, index) => `${index + 1}. ||${truncate(hint, 400)}||`),
  ]);
}

/** The step overview for `/progress`. */
export function formatProgress(
  plan: PlanView,
  progress: { currentStep: number; points: number; maxPoints: number },
): string {
  const lines: string[] = [
    `**Progress**: ${progress.points}/${progress.maxPoints} points · current step ${progress.currentStep}`,
  ];
  for (const step of plan.steps) {
    const tasks = step.tasks;
    const passed = tasks.filter((task) => task.progress?.status === 'passed').length;
    const deadline = step.effectiveDeadline ?? step.deadline;
    lines.push(
      `${step.locked ? '🔒' : step.number === progress.currentStep ? '▶️' : passed === tasks.length ? '✅' : '⬜'} ` +
        `Step ${step.number} — ${step.title}: ${passed}/${tasks.length} tasks` +
        (deadline ? ` · due ${relativeTime(deadline)}` : ''),
    );
  }
  return message(lines);
}
