import { Inject, Injectable, Optional } from '@nestjs/common';
import { KUBERNETES_GRADERS } from '../kubernetes/kubernetes.graders.js';
import { LINUX_GRADERS } from '../linux/linux.graders.js';
import { TROUBLESHOOTING_GRADERS } from '../troubleshooting/troubleshooting.grader.js';
import type { GraderSpec } from './check-spec.types.js';
import { gradeTask, type GradeOptions, type GradingEnvironment } from './grader.runtime.js';
import type { GradingResult } from './grading-result.types.js';

/** Every grader of the platform. */
export const GRADERS: readonly GraderSpec[] = [
  ...LINUX_GRADERS,
  ...KUBERNETES_GRADERS,
  ...TROUBLESHOOTING_GRADERS,
];

/** DI token to replace the set of graders (tests, a module with extra graders). */
export const GRADER_SPECS = Symbol('GRADER_SPECS');

export class UnknownGraderError extends Error {
  override readonly name = 'UnknownGraderError';
  constructor(readonly taskId: string) {
    super(`no grader for task ${taskId}`);
  }
}

/** Finds a task's grader. */
@Injectable()
export class GraderRegistry {
  private readonly byTask: ReadonlyMap<string, GraderSpec>;

  constructor(@Optional() @Inject(GRADER_SPECS) graders?: readonly GraderSpec[]) {
    this.byTask = new Map((graders ?? GRADERS).map((grader) => [grader.taskId, grader]));
  }

  forTask(taskId: string): GraderSpec | undefined {
    return this.byTask.get(taskId);
  }

  all(): GraderSpec[] {
    return [...this.byTask.values()];
  }
}

/** The pipeline's entry point: grade a task by its slug against the student's environment. */
@Injectable()
export class GraderRuntime {
  constructor(private readonly registry: GraderRegistry) {}

  /** See gradeTask; throws UnknownGraderError for a task without a grader. */
  grade(taskId: string, environment: GradingEnvironment, options?: GradeOptions): Promise<GradingResult> {
    const grader = this.registry.forTask(taskId);
    if (!grader) return Promise.reject(new UnknownGraderError(taskId));
    return gradeTask(grader, environment, options);
  }
}
