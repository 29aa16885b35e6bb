import { describe, expect, it, jest } from '@jest/globals';
import type { UserPrincipal } from '@kubecohort/auth';
import type { TaskProgressView } from '@kubecohort/contracts';
import type { PlanService, ProgressRecorder } from '@kubecohort/progress';
import type { JobQueue } from '@kubecohort/queue';
import { MyProgressController } from './my-progress.controller.js';

const student: UserPrincipal = {
  kind: 'user',
  userId: '0193a0c2-0000-7000-8000-000000000007',
  role: 'student',
};

type Start = (principal: UserPrincipal, taskId: string) => Promise<TaskProgressView>;
type Add = (...args: unknown[]) => Promise<string>;

function controller(): {
  controller: MyProgressController;
  add: jest.Mock<Add>;
  start: jest.Mock<Start>;
} {
  const start = jest.fn<Start>((_, taskId) =>
    Promise.resolve({
      taskId,
      step: 5,
      status: 'in_progress',
      attempts: 0,
      points: 0,
      maxPoints: 15,
      updatedAt: null,
    }),
  );
  const add = jest.fn<Add>(() => Promise.resolve('job'));
  return {
    controller: new MyProgressController(
      {} as PlanService,
      { start } as unknown as ProgressRecorder,
      { add } as unknown as JobQueue,
    ),
    add,
    start,
  };
}

describe('starting a task', () => {
  it('asks the worker to deploy a troubleshooting incident, every time it is started', async () => {
    const { controller: api, add } = controller();
    await api.start(student, 'troubleshooting-incident-2');
    await api.start(student, 'troubleshooting-incident-2');
    expect(add).toHaveBeenCalledTimes(2);
    expect(add.mock.calls[0]!.slice(0, 2)).toEqual([
      'grading.prepare-incident',
      { userId: student.userId, taskId: 'troubleshooting-incident-2', incident: 2 },
    ]);
    const [first, second] = add.mock.calls.map((call) => (call[2] as { jobId: string }).jobId);
    expect(first).toMatch(/^incident-0193a0c2-0000-7000-8000-000000000007-2-\d+$/);
    expect(second).toBeDefined();
  });

  it('queues nothing for other tasks, nor when the start is refused', async () => {
    const { controller: api, add, start } = controller();
    await api.start(student, 'lab-3-network-policy');
    await api.start(student, 'troubleshooting-postmortem');
    start.mockImplementationOnce(() => Promise.reject(new Error('step_locked')));
    await expect(api.start(student, 'troubleshooting-incident-1')).rejects.toThrow('step_locked');
    expect(add).not.toHaveBeenCalled();
  });
});
