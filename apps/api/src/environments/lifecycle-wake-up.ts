import { EnvironmentLifecycle } from '@kubecohort/environments';
import { EnvironmentWakeUp, type SubmitterEnvironment } from '@kubecohort/grading';
import { Injectable, Logger } from '@nestjs/common';

/**
 * Wakes a student's sleeping environment (EnvironmentLifecycle) for a grader task's submission and
 * for routes marked @WakesEnvironment(); a failure is logged, never the request's.
 */
@Injectable()
export class LifecycleWakeUp extends EnvironmentWakeUp {
  private readonly logger = new Logger(LifecycleWakeUp.name);

  constructor(private readonly lifecycle: EnvironmentLifecycle) {
    super();
  }

  /** `environment` as the caller read it; undefined: read it here. */
  async wake(userId: string, environment?: SubmitterEnvironment | null): Promise<void> {
    try {
      await this.lifecycle.wakeFor(userId, environment);
    } catch (error) {
      this.logger.warn({ userId, err: (error as Error).message }, 'environment not woken');
    }
  }
}
