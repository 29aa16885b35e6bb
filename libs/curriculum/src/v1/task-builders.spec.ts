import { describe, expect, it } from '@jest/globals';
import { graderTask, dedent, quizTask } from './task-builders.js';

describe('dedent', () => {
  it('strips the indentation shared by the template lines and the surrounding blank lines', () => {
    expect(dedent`
      ## Title

        indented
      text
    `).toBe('## Title\n\n  indented\ntext');
  });

  it('inserts values after dedenting, keeping their own line structure', () => {
    const list = '- a\n- b';
    expect(dedent`
      Items:
      ${list}
      port ${8080}
    `).toBe('Items:\n- a\n- b\nport 8080');
  });
});

describe('task builders', () => {
  it('names a grader after its slug and copies the id into the contract', () => {
    const task = graderTask({
      slug: 'demo',
      title: 'Demo',
      summary: 's',
      step: 1,
      instructions: 'namespace `x`',
      maxPoints: 1,
      hints: [],
      grading: {
        target: 'vcluster',
        expects: { namespaces: ['x'], names: [], labels: [], ports: [] },
        checks: ['c'],
      },
    });
    expect(task.graderId).toBe('demo');
    expect(task.grading.graderId).toBe('demo');
  });

  it('derives a quiz maximum from its items', () => {
    const task = quizTask({
      slug: 'q',
      title: 'Q',
      summary: 's',
      step: 1,
      instructions: 'i',
      hints: [],
      quiz: [
        { id: 'a', kind: 'written', prompt: 'p', guidance: 'g', points: 3 },
        {
          id: 'b',
          kind: 'multiple_choice',
          prompt: 'p',
          options: ['x', 'y'],
          answerIndex: 0,
          explanation: 'e',
          points: 2,
        },
      ],
    });
    expect(task.maxPoints).toBe(5);
  });
});
