import {
  type ClusterProbe,
  type CommandRunner,
  type GraderSpec,
  InfrastructureError,
  type KubeObject,
} from '@kubecohort/grading';
import { Injectable } from '@nestjs/common';
import { EnvironmentTransports, type StudentEnvironment } from './environment-grading-targets.js';

/**
 * TEST ONLY (GRADING_TEST_GRADERS=1, refused unless NODE_ENV=test): a trivial grader and fake
 * transports, so tests and the benchmark can drive grader tasks through the real pipeline (outbox,
 * relay, queue, environment look-up, host-cluster slots, runtime, result) without a cluster.
 *
 * The fake answers according to the environment row's `vcluster_name`:
 *   `pass` (or anything else) the objects exist   `fail` nothing exists (the check fails)
 *   `infra` the API is unreachable (InfrastructureError, retried, then `error`)
 *   `flaky` unreachable on the first call in this process, then as `pass`
 *   `slow-<ms>` answers after <ms> milliseconds, as `pass`
 *   `no-cluster` no cluster probe at all (as a deployment without one)
 */

export const TEST_GRADED_TASK = 'environment-sandbox-app';

export const TEST_GRADERS: readonly GraderSpec[] = [
  {
    taskId: TEST_GRADED_TASK,
    graderId: 'test-trivial',
    timeoutMs: 10_000,
    checks: [
      {
        kind: 'k8s.object',
        id: 'namespace-exists',
        title: 'namespace sandbox exists',
        points: 10,
        failureMessage: 'Namespace sandbox is missing',
        hint: 'Create it: kubectl create namespace sandbox',
        object: { apiVersion: 'v1', kind: 'Namespace', name: 'sandbox' },
      },
    ],
  },
];

/** The platform's graders with the test graders replacing any for the same task. */
export function withTestGraders(graders: readonly GraderSpec[]): GraderSpec[] {
  const replaced = new Set(TEST_GRADERS.map((grader) => grader.taskId));
  return [...graders.filter((grader) => !replaced.has(grader.taskId)), ...TEST_GRADERS];
}

@Injectable()
export class TestEnvironmentTransports extends EnvironmentTransports {
  private readonly touched = new Set<string>();

  workbench(): CommandRunner {
    return {
      run: () => Promise.resolve({ stdout: '', stderr: '', exitCode: 0, timedOut: false }),
    };
  }

  /** No fake cluster API to deploy into: troubleshooting setups end as 'no-cluster'. */
  kube(): undefined {
    return undefined;
  }

  cluster(environment: StudentEnvironment): ClusterProbe | undefined {
    const mode = environment.vclusterName ?? 'pass';
    if (mode === 'no-cluster') return undefined;
    const answer = async <T>(value: T): Promise<T> => {
      const slow = /^slow-(\d+)$/.exec(mode);
      if (slow) await new Promise((resolve) => setTimeout(resolve, Number(slow[1])));
      if (mode === 'infra') throw new InfrastructureError('fake cluster API unreachable', 'test-infra');
      if (mode === 'flaky' && !this.touched.has(environment.id)) {
        this.touched.add(environment.id);
        throw new InfrastructureError('fake cluster API unreachable (once)', 'test-flaky');
      }
      return mode === 'fail' ? (Array.isArray(value) ? ([] as T) : (null as T)) : value;
    };
    return {
      get: (ref) =>
        answer<KubeObject | null>({
          apiVersion: ref.apiVersion,
          kind: ref.kind,
          metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) },
        }),
      list: () => answer<KubeObject[]>([]),
      probeFromPod: (_source, probe) =>
        answer(
          probe.kind === 'dns'
            ? { kind: 'dns' as const, ok: true, addresses: [] }
            : probe.kind === 'http'
              ? { kind: 'http' as const, ok: true, status: 200, body: '' }
              : { kind: probe.kind, ok: true },
        ),
    };
  }
}
