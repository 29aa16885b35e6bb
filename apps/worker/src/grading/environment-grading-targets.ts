import { SqlClient, statement } from '@kubecohort/database';
import {
  type ClusterProbe,
  type CommandRunner,
  type EnvironmentRecord,
  GradingTargets,
  GradingTargetUnavailable,
  InfrastructureError,
  type GradingSubject,
  type GradingTargetSet,
} from '@kubecohort/grading';
import { SecretBox } from '@kubecohort/auth';
import {
  StudentClusterProbe,
  type StudentClusterProbeOptions,
  WorkbenchAccess,
} from '@kubecohort/environments';
import { type KubeClient, KubeClients } from '@kubecohort/kubernetes';
import { Inject, Injectable } from '@nestjs/common';

/**
 * A student's live environment, as the transports need it to reach the workbench and vcluster.
 * `kubeconfigEncrypted` is the AES-256-GCM ciphertext of their vcluster kubeconfig; never logged.
 */
export type StudentEnvironment = Omit<EnvironmentRecord, 'state'>;

/**
 * Factory of the ports into one environment: an exec transport into its workbench pod and a
 * ClusterProbe on its vcluster (ephemeral-container probes). The class is its own DI token. A port
 * this deployment cannot provide is undefined (graders needing it then end in `error`, saying so).
 */
export abstract class EnvironmentTransports {
  abstract workbench(environment: StudentEnvironment): CommandRunner | undefined;
  abstract cluster(environment: StudentEnvironment): ClusterProbe | undefined;
  /** The student's vcluster API with their kubeconfig, to deploy a task's setup (troubleshooting faults). */
  abstract kube(environment: StudentEnvironment): KubeClient | undefined;
}

/** How the worker's probe containers look (GRADING_PROBE_* config). */
export const PROBE_OPTIONS = Symbol('PROBE_OPTIONS');

/**
 * Production transports from libs/environments: the workbench exec transport through the host
 * cluster's API (WorkbenchAccess, credentials read on the first command), and a
 * StudentClusterProbe on the student's vcluster with their own kubeconfig (decrypted here, in
 * memory only), at the address students use: the worker must be able to reach it.
 */
@Injectable()
export class LiveEnvironmentTransports extends EnvironmentTransports {
  constructor(
    private readonly workbenches: WorkbenchAccess,
    private readonly box: SecretBox,
    private readonly clients: KubeClients,
    @Inject(PROBE_OPTIONS) private readonly probeOptions: StudentClusterProbeOptions,
  ) {
    super();
  }

  workbench(environment: StudentEnvironment): CommandRunner {
    return this.workbenches.runnerForEnvironment(environment);
  }

  cluster(environment: StudentEnvironment): ClusterProbe | undefined {
    const kube = this.kube(environment);
    return kube ? new StudentClusterProbe(kube, this.probeOptions) : undefined;
  }

  kube(environment: StudentEnvironment): KubeClient | undefined {
    // A ready environment always has its kubeconfig; without one there is no cluster to grade.
    if (!environment.kubeconfigEncrypted) return undefined;
    let kubeconfig: string;
    try {
      kubeconfig = this.box.decrypt(environment.kubeconfigEncrypted);
    } catch (error) {
      throw new InfrastructureError(
        `cannot decrypt the kubeconfig of environment ${environment.id} (is its key still in ENCRYPTION_KEYS?)`,
        'credentials',
        { cause: error },
      );
    }
    // Cached per environment, re-made when its kubeconfig changes (a reset).
    return this.clients.forCluster({ id: `vcluster:${environment.id}`, kubeconfig });
  }
}

/** A worker without ENCRYPTION_KEYS cannot read host cluster credentials: no environment access. */
@Injectable()
export class NoEnvironmentTransports extends EnvironmentTransports {
  workbench(): undefined {
    return undefined;
  }

  cluster(): undefined {
    return undefined;
  }

  kube(): undefined {
    return undefined;
  }
}

const STUDENT_ENVIRONMENT = statement(
  'worker_student_environment',
  `SELECT id, cohort_id AS "cohortId", user_id AS "userId", host_cluster_id AS "hostClusterId", state::text AS state,
          namespace, workbench_namespace AS "workbenchNamespace", vcluster_name AS "vclusterName",
          server_url AS "serverUrl", kubeconfig_encrypted AS "kubeconfigEncrypted"
   FROM environments WHERE active_user_id = $1::uuid`,
);

/** The student's environment (one per student, by `active_user_id`) with its state; null when none. */
export async function studentEnvironment(sql: SqlClient, userId: string): Promise<EnvironmentRecord | null> {
  const [row] = await sql.query<EnvironmentRecord>(STUDENT_ENVIRONMENT, [userId]);
  return row ?? null;
}

/**
 * GradingTargets of the worker: opens the transports into the student's live environment (as the
 * grading's claim read it) when it belongs to their cohort. An environment on its way up is an
 * infrastructure condition (retried with backoff); none, asleep, deleted or failed is the
 * student's to fix (the grading ends in `error` with the reason, and is not retried).
 */
@Injectable()
export class EnvironmentGradingTargets extends GradingTargets {
  constructor(private readonly transports: EnvironmentTransports) {
    super();
  }

  open(subject: GradingSubject, environment: EnvironmentRecord | null): GradingTargetSet {
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
    };
  }
}
