import { Inject, Injectable, Logger } from '@nestjs/common';
import type { GraderSpec } from '../runtime/check-spec.types.js';
import { GraderRegistry, GraderRuntime } from '../runtime/grader.registry.js';
import { transportOf } from '../runtime/grader.validator.js';
import type { GradingResult } from '../runtime/grading-result.types.js';
import { InfrastructureError, isInfrastructureError } from '../runtime/infrastructure.error.js';
import { GRADING_PIPELINE_OPTIONS, type GradingPipelineOptions } from './grading-pipeline.options.js';
import { GradingTargets, GradingTargetUnavailable, type GradingTargetSet } from './grading-targets.port.js';
import { HostClusterSlots, type SlotLease } from './host-cluster-slots.js';
import type { ClaimedSubmission, FinishedGrading } from './submission.repository.js';
import { SubmissionRepository } from './submission.repository.js';
import { SubmissionResults } from './submission-results.js';
import {
  awaitReview,
  gradeQuiz,
  gradeSelfCheck,
  type LocalGrading,
  type QuizAnswer,
  type TaskDefinition,
} from './submission.rules.js';
import { TaskDefinitions } from './task-definitions.js';

/** One delivery of a grading job: its payload and BullMQ's attempt count. */
export interface GradingJob {
  submissionId: string;
  userId: string;
  cohortId: string;
  taskId: string;
  /** A grader task: needs the student's environment and a host-cluster slot. */
  environment: boolean;
  /** The environment's host cluster when the student submitted (null: none); absent: look it up. */
  hostClusterId?: string | null;
  /** Failed attempts so far (BullMQ's attemptsMade). */
  attemptsMade: number;
  maxAttempts: number;
}

export type GradingJobOutcome =
  | { kind: 'graded'; status: FinishedGrading['status'] }
  /** Nothing to do: the submission is finished (or gone), or another attempt wrote it. */
  | { kind: 'skipped'; reason: 'finished' | 'superseded' }
  /** The host cluster is at its limit: deliver the job again after `delayMs`. */
  | { kind: 'wait'; delayMs: number };

/**
 * Grades one submission for the queue processor. Tasks without an environment (quiz, self-check,
 * review) are claimed and graded at once; grader tasks first get the student's environment and a
 * slot on its host cluster. Infrastructure failures throw InfrastructureError (the queue retries
 * with backoff) until the last attempt, which records `error`; a failed check is a result, never
 * a retry. Whatever happens, the result is written once (SubmissionResults).
 */
@Injectable()
export class SubmissionGrader {
  private readonly logger = new Logger(SubmissionGrader.name);

  constructor(
    private readonly repository: SubmissionRepository,
    private readonly tasks: TaskDefinitions,
    private readonly results: SubmissionResults,
    private readonly registry: GraderRegistry,
    private readonly runtime: GraderRuntime,
    private readonly targets: GradingTargets,
    private readonly slots: HostClusterSlots,
    @Inject(GRADING_PIPELINE_OPTIONS) private readonly options: GradingPipelineOptions,
  ) {}

  async grade(job: GradingJob, signal?: AbortSignal): Promise<GradingJobOutcome> {
    return job.environment ? this.gradeInEnvironment(job, signal) : this.gradeLocally(job);
  }

  private async gradeLocally(job: GradingJob): Promise<GradingJobOutcome> {
    const claimed = await this.repository.claim(job.submissionId);
    if (!claimed) return { kind: 'skipped', reason: 'finished' };
    const task = await this.tasks.get(claimed.versionId, claimed.taskSlug);
    if (!task) return this.fail(claimed, `task ${claimed.taskSlug} is not in the cohort's curriculum`);
    return this.write(claimed, fromLocal(task, claimed.answer));
  }

  private async gradeInEnvironment(job: GradingJob, signal?: AbortSignal): Promise<GradingJobOutcome> {
    const finalAttempt = job.attemptsMade + 1 >= job.maxAttempts;
    const grader = this.registry.forTask(job.taskId);
    if (!grader) return this.claimAndFail(job, 'this task has no automatic grader yet; ask your instructor');

    // The slot first, the claim after: a job waiting for a slot is still `queued`. The job names
    // the host cluster the environment was on at submission; the claim reads the environment.
    const hostClusterId =
      job.hostClusterId !== undefined ? job.hostClusterId : await this.repository.hostClusterOf(job.userId);
    const slot = await this.takeSlot(hostClusterId, finalAttempt);
    if (slot === 'wait') return this.waitForSlot();
    if ('error' in slot) return this.claimAndFail(job, slot.error);
    let lease = slot.lease;
    try {
      const claimed = await this.repository.claimInEnvironment(job.submissionId);
      if (!claimed) return { kind: 'skipped', reason: 'finished' };
      const movedTo = claimed.environment?.hostClusterId ?? null;
      if (movedTo !== hostClusterId) {
        // The environment moved to another host cluster since the submission: that one's slot.
        await lease?.release();
        lease = null;
        const moved = await this.takeSlot(movedTo, finalAttempt);
        if (moved === 'wait') return this.waitForSlot();
        if ('error' in moved) return this.fail(claimed, moved.error);
        lease = moved.lease;
      }
      let targets: GradingTargetSet;
      try {
        targets = this.targets.open(
          { submissionId: job.submissionId, userId: job.userId, cohortId: job.cohortId, taskId: job.taskId },
          claimed.environment,
        );
      } catch (error) {
        if (error instanceof GradingTargetUnavailable) return this.fail(claimed, error.message);
        if (isInfrastructureError(error) && !finalAttempt) throw error;
        return this.fail(
          claimed,
          `the grading could not reach your environment: ${(error as Error).message}`,
        );
      }
      const missing = missingTransport(grader, targets);
      if (missing) {
        // This deployment cannot reach that part of environments: retrying will not change it.
        return this.fail(
          claimed,
          `automatic grading of ${missing === 'cluster' ? 'Kubernetes' : 'workbench'} tasks is not connected in this deployment yet; ask your instructor to grade it`,
        );
      }
      const task = await this.tasks.get(claimed.versionId, claimed.taskSlug);
      if (!task) return this.fail(claimed, `task ${claimed.taskSlug} is not in the cohort's curriculum`);
      let result: GradingResult;
      try {
        result = await this.runtime.grade(task.slug, targets, { signal });
      } catch (error) {
        // An invalid grader spec (or another bug): retrying will not help.
        return this.fail(claimed, `the grader failed: ${(error as Error).message}`);
      }
      // The cluster is done with: free its slot before the result waits for its write.
      await lease?.release();
      if (result.status === 'error' && result.error?.kind === 'infrastructure' && !finalAttempt) {
        throw new InfrastructureError(result.error.message, result.error.code);
      }
      return this.write(claimed, fromRuntime(task, result));
    } finally {
      await lease?.release();
    }
  }

  /**
   * A slot on the host cluster (none needed without one: the claim then finds no environment to
   * grade). `wait`: the cluster is at its limit. A failure to schedule throws InfrastructureError
   * (retried) until the final attempt, which ends the grading with `error`.
   */
  private async takeSlot(
    hostClusterId: string | null,
    finalAttempt: boolean,
  ): Promise<{ lease: SlotLease | null } | 'wait' | { error: string }> {
    if (!hostClusterId) return { lease: null };
    try {
      const lease = await this.slots.acquire(hostClusterId);
      return lease ? { lease } : 'wait';
    } catch (error) {
      if (!finalAttempt) throw error; // InfrastructureError: retried
      return { error: `the grading could not be scheduled: ${(error as Error).message}` };
    }
  }

  private waitForSlot(): GradingJobOutcome {
    const jitter = Math.floor(Math.random() * this.options.slotRetryMs * 0.5);
    return { kind: 'wait', delayMs: this.options.slotRetryMs + jitter };
  }

  private async claimAndFail(job: GradingJob, message: string): Promise<GradingJobOutcome> {
    const claimed = await this.repository.claim(job.submissionId);
    if (!claimed) return { kind: 'skipped', reason: 'finished' };
    return this.fail(claimed, message);
  }

  private fail(claimed: ClaimedSubmission, message: string): Promise<GradingJobOutcome> {
    return this.write(claimed, {
      status: 'error',
      score: null,
      maxScore: null,
      graderId: null,
      error: message,
      checks: [],
    });
  }

  private async write(claimed: ClaimedSubmission, result: FinishedGrading): Promise<GradingJobOutcome> {
    const written = await this.results.record(claimed, claimed.attempt, result);
    if (!written) {
      this.logger.log(
        { submissionId: claimed.id, attempt: claimed.attempt },
        'grading superseded by another attempt',
      );
      return { kind: 'skipped', reason: 'superseded' };
    }
    return { kind: 'graded', status: result.status };
  }
}

/** A transport the grader's checks need that the environment's targets do not provide. */
function missingTransport(grader: GraderSpec, targets: GradingTargetSet): 'workbench' | 'cluster' | null {
  for (const check of grader.checks) {
    const transport = transportOf(check);
    if (transport === 'workbench' && !targets.workbench) return 'workbench';
    if (transport === 'cluster' && !targets.cluster) return 'cluster';
  }
  return null;
}

function fromLocal(task: TaskDefinition, answer: unknown): FinishedGrading {
  let local: LocalGrading;
  switch (task.completion) {
    case 'quiz':
      local = gradeQuiz(task, quizAnswer(answer));
      break;
    case 'self_check':
      local = gradeSelfCheck(task);
      break;
    case 'review':
      local = awaitReview(task);
      break;
    case 'grader':
      // Only reached with a job payload that disagrees with the curriculum (never written so).
      return {
        status: 'error',
        score: null,
        maxScore: null,
        graderId: null,
        error: 'graded without an environment',
        checks: [],
      };
  }
  return { ...local, graderId: null, error: null };
}

function quizAnswer(answer: unknown): QuizAnswer {
  const answers = (answer as { answers?: unknown } | null)?.answers;
  return {
    answers: typeof answers === 'object' && answers !== null ? (answers as QuizAnswer['answers']) : {},
  };
}

/**
 * A runtime result on the task's scale (its curriculum points; a grader's check points normally
 * add up to them). An `error` left after the last retry carries the runtime's message.
 */
function fromRuntime(task: TaskDefinition, result: GradingResult): FinishedGrading {
  if (result.status === 'error') {
    return {
      status: 'error',
      score: null,
      maxScore: null,
      graderId: result.graderId,
      error: result.error?.message ?? 'the grading could not be carried out',
      checks: result.checks,
    };
  }
  const score =
    result.maxScore === task.maxPoints || result.maxScore === 0
      ? Math.min(result.score, task.maxPoints)
      : Math.round((result.score * task.maxPoints) / result.maxScore);
  return {
    status: result.status,
    score: result.status === 'passed' ? task.maxPoints : Math.min(score, task.maxPoints),
    maxScore: task.maxPoints,
    graderId: result.graderId,
    error: null,
    checks: result.checks,
  };
}
