import type { EnvironmentStateName } from '@kubecohort/contracts';
import { PrismaService } from '@kubecohort/database';
import {
  type ClusterProbe,
  type CommandRunner,
  GradingTargets,
  GradingTargetUnavailable,
  InfrastructureError,
  type GradingSubject,
  type GradingTargetSet,
} from '@kubecohort/grading';
import { Injectable } from '@nestjs/common';

/** A student's live environment, as the transports need it to reach the workbench and vcluster. */
export interface StudentEnvironment {
  id: string;
  cohortId: string | null;
  userId: string | null;
  hostClusterId: string | null;
  namespace: string | null;
  workbenchNamespace: string | null;
  vclusterName: string | null;
  serverUrl: string | null;
  /** AES-256-GCM ciphertext of the student's vcluster kubeconfig; never logged. */
  kubeconfigEncrypted: string | null;
}

/**
 * Factory of the ports into one environment: an exec transport into its workbench pod and a
 * ClusterProbe on its vcluster (ephemeral-container probes). The class is its own DI token; the
 * implementation belongs to libs/environments + libs/kubernetes (see grading-worker.module.ts).
 */
export abstract class EnvironmentTransports {
  abstract workbench(environment: StudentEnvironment): CommandRunner;
  abstract cluster(environment: StudentEnvironment): ClusterProbe;
}

/**
 * Until libs/environments exports workbench runners and cluster probes, grader tasks cannot reach
 * an environment: the grading ends in `error` at once (no retries), saying so. Quizzes, self-checks
 * and reviews need no environment and are unaffected.
 */
@Injectable()
export class PendingEnvironmentTransports extends EnvironmentTransports {
  workbench(): CommandRunner {
    return unavailable();
  }

  cluster(): ClusterProbe {
    return unavailable();
  }
}

function unavailable(): never {
  throw new GradingTargetUnavailable(
    'automatic grading of environment tasks is not connected in this deployment yet; ask your instructor to grade it',
  );
}

/**
 * GradingTargets of the worker: finds the student's live environment (one per student, by
 * `active_user_id`) in their cohort and opens the transports into it. An environment on its way
 * up is an infrastructure condition (retried with backoff); none, asleep, deleted or failed is
 * the student's to fix (the grading ends in `error` with the reason, and is not retried).
 */
@Injectable()
export class EnvironmentGradingTargets extends GradingTargets {
  constructor(
    private readonly prisma: PrismaService,
    private readonly transports: EnvironmentTransports,
  ) {
    super();
  }

  async forSubmission(subject: GradingSubject): Promise<GradingTargetSet> {
    const [environment] = await this.prisma.$queryRaw<
      (StudentEnvironment & { state: EnvironmentStateName })[]
    >`
      SELECT id, cohort_id AS "cohortId", user_id AS "userId", host_cluster_id AS "hostClusterId", state::text AS state,
             namespace, workbench_namespace AS "workbenchNamespace", vcluster_name AS "vclusterName",
             server_url AS "serverUrl", kubeconfig_encrypted AS "kubeconfigEncrypted"
      FROM environments WHERE active_user_id = ${subject.userId}::uuid`;
    if (!environment || environment.cohortId !== subject.cohortId) {
      throw new GradingTargetUnavailable(
        'you have no environment in this cohort: start it from the dashboard, then submit again',
      );
    }
    switch (environment.state) {
      case 'ready':
        break;
      case 'requested':
      case 'provisioning':
      case 'waking':
        throw new InfrastructureError(
          `the student's environment is ${environment.state}`,
          'environment-not-ready',
        );
      case 'sleeping':
        throw new GradingTargetUnavailable(
          'your environment is asleep: wake it from the dashboard, then submit again',
        );
      case 'deleting':
      case 'deleted':
      case 'failed':
        throw new GradingTargetUnavailable(
          `your environment is ${environment.state}: start a new one from the dashboard, then submit again`,
        );
    }
    const { state: _state, ...student } = environment;
    return {
      workbench: this.transports.workbench(student),
      cluster: this.transports.cluster(student),
      hostClusterId: environment.hostClusterId,
    };
  }
}
