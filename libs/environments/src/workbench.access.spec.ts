import { describe, expect, it } from '@jest/globals';
import { isInfrastructureError, type CommandRunner as GradingCommandRunner } from '@kubecohort/grading';
import { ExecTransportError, type CommandRunner } from '@kubecohort/kubernetes';

describe('the workbench exec transport, as graders see it', () => {
  it('is a grading CommandRunner (checked by the type checker) whose transport failures graders retry', () => {
    const transport: CommandRunner = {
      run: () => Promise.reject(new ExecTransportError('exec into kc-x-wb/workbench-0 failed')),
    };
    const asGrader: GradingCommandRunner = transport;
    expect(typeof asGrader.run).toBe('function');
    expect(isInfrastructureError(new ExecTransportError('down'))).toBe(true);
    expect(new ExecTransportError('down').code).toBe('transport-down');
  });
});
