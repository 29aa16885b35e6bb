import { EnvironmentLifecycle } from '@kubecohort/environments';
import { EnvironmentWakeUp, type SubmitterEnvironment } from '@kubecohort/grading';
import { Injectable, Logger } from '@nestjs/common';

/** A grader task's submission wakes the student's sleeping environment (EnvironmentLifecycle). */
@Injectable()
export class LifecycleWakeUp extends EnvironmentWakeUp {
  private readonly logger = new Logger(LifecycleWakeUp.name);

  constructor(private readonly lifecycle: EnvironmentLifecycle) {
    super();
  }

  async wake(userId: string, environment: SubmitterEnvironment | null): Promise<void> {
    try {
      await this.lifecycle.wakeFor(userId, environment);
    } catch (error) {
      this.logger.warn({ userId, err: (error as Error).message }, 'environment not woken');
    }
  }
}
