import {
  runCniAddCheck,
  runCniAttachmentCheck,
  runCniCheckCommandCheck,
  runCniDelCheck,
  runCniErrorsCheck,
  runCniHostEndCheck,
  runCniVersionCheck,
} from './cni.checks.js';
import {
  MAX_MESSAGE_LENGTH,
  type CheckSpec,
  type GraderSpec,
  type WorkbenchStep,
} from './check-spec.types.js';
import type { CheckContext, CheckOutcome } from './check-executor.types.js';
import type { ClusterProbe } from './cluster-probe.port.js';
import type { CommandRunner } from './command-runner.port.js';
import { assertValidGrader, transportOf } from './grader.validator.js';
import type { CheckResult, GradingError, GradingResult } from './grading-result.types.js';
import { InfrastructureError, isInfrastructureError } from './infrastructure.error.js';
import {
  runConnectivityCheck,
  runConnectivityMatrixCheck,
  runDnsCheck,
  runHttpCheck,
  runIngressRouteCheck,
  runPolicyVerdictCheck,
  runObjectCheck,
  runPodsReadyCheck,
  runServiceEndpointsCheck,
} from './kubernetes.checks.js';
import {
  runInterfacesCheck,
  runNetnsCheck,
  runPingCheck,
  runRoutesCheck,
  runSysctlCheck,
  runTcpCheck,
  runVethPairCheck,
} from './linux.checks.js';
import { firstLine } from './workbench.shell.js';

/** The student's environment, as the ports the grader's checks run through. */
export interface GradingEnvironment {
  /** Exec transport into the student's workbench (Linux labs). */
  workbench?: CommandRunner;
  /** Reads and probes in the student's cluster (Kubernetes labs). */
  cluster?: ClusterProbe;
}

export interface GradeOptions {
  /** Stops the grading (worker shutdown): the result is an infrastructure `error`, to be retried. */
  signal?: AbortSignal;
  /** A monotonic millisecond clock; `performance` by default. */
  clock?: { now(): number };
}

export const DEFAULT_CHECK_TIMEOUT_MS = 15_000;
const DEFAULT_STEP_TIMEOUT_MS = 10_000;

/** `0.3 s`, `60 s`. */
function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(ms < 10_000 ? 1 : 0))} s`;
}

function clamp(message: string): string {
  return message.length <= MAX_MESSAGE_LENGTH ? message : `${message.slice(0, MAX_MESSAGE_LENGTH - 1)}…`;
}

/** The failure message with the specific finding, in one line of at most 200 characters. */
export function failureText(check: CheckSpec, reason: string | undefined): string {
  return clamp(reason ? `${check.failureMessage}: ${reason}` : check.failureMessage);
}

function execute(check: CheckSpec, ctx: CheckContext): Promise<CheckOutcome> {
  switch (check.kind) {
    case 'k8s.object':
      return runObjectCheck(check, ctx);
    case 'k8s.pods-ready':
      return runPodsReadyCheck(check, ctx);
    case 'k8s.service-endpoints':
      return runServiceEndpointsCheck(check, ctx);
    case 'k8s.dns':
      return runDnsCheck(check, ctx);
    case 'k8s.http':
      return runHttpCheck(check, ctx);
    case 'k8s.connectivity':
      return runConnectivityCheck(check, ctx);
    case 'k8s.connectivity-matrix':
      return runConnectivityMatrixCheck(check, ctx);
    case 'k8s.ingress-route':
      return runIngressRouteCheck(check, ctx);
    case 'k8s.policy-verdict':
      return runPolicyVerdictCheck(check, ctx);
    case 'linux.netns':
      return runNetnsCheck(check, ctx);
    case 'linux.interfaces':
      return runInterfacesCheck(check, ctx);
    case 'linux.veth-pair':
      return runVethPairCheck(check, ctx);
    case 'linux.routes':
      return runRoutesCheck(check, ctx);
    case 'linux.sysctl':
      return runSysctlCheck(check, ctx);
    case 'linux.ping':
      return runPingCheck(check, ctx);
    case 'linux.tcp':
      return runTcpCheck(check, ctx);
    case 'linux.cni.version':
      return runCniVersionCheck(check, ctx);
    case 'linux.cni.add':
      return runCniAddCheck(check, ctx);
    case 'linux.cni.attachment':
      return runCniAttachmentCheck(check, ctx);
    case 'linux.cni.host-end':
      return runCniHostEndCheck(check, ctx);
    case 'linux.cni.check':
      return runCniCheckCommandCheck(check, ctx);
    case 'linux.cni.del':
      return runCniDelCheck(check, ctx);
    case 'linux.cni.errors':
      return runCniErrorsCheck(check, ctx);
  }
}

type Settled =
  | { kind: 'done'; outcome: CheckOutcome }
  | { kind: 'threw'; error: unknown }
  | { kind: 'timeout' }
  | { kind: 'cancelled' };

/** The abort reason of a settled check: one shared error (abort() would build a DOMException each time). */
const SETTLED = new Error('the check has settled');

/** A check's promise raced against its deadline and the grading's signal; the loser is aborted. */
async function settle(
  run: (signal: AbortSignal) => Promise<CheckOutcome>,
  timeoutMs: number,
  gradingSignal: AbortSignal | undefined,
): Promise<Settled> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onCancel: (() => void) | undefined;
  const timedOut = new Promise<Settled>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timeout' }), timeoutMs);
  });
  const cancelled = new Promise<Settled>((resolve) => {
    onCancel = () => resolve({ kind: 'cancelled' });
    if (gradingSignal?.aborted) onCancel();
    else gradingSignal?.addEventListener('abort', onCancel, { once: true });
  });
  const ran = Promise.resolve()
    .then(() => run(controller.signal))
    .then(
      (outcome): Settled => ({ kind: 'done', outcome }),
      (error: unknown): Settled => ({ kind: 'threw', error }),
    );
  try {
    return await Promise.race([ran, timedOut, cancelled]);
  } finally {
    clearTimeout(timer);
    if (onCancel) gradingSignal?.removeEventListener('abort', onCancel);
    // Kills whatever the check still has running (commands, probes) once it lost the race.
    controller.abort(SETTLED);
  }
}

async function runSteps(
  runner: CommandRunner,
  steps: WorkbenchStep[],
  budgetMs: () => number,
  phase: 'setup' | 'teardown',
): Promise<void> {
  for (const step of steps) {
    const timeoutMs = Math.max(1, Math.min(step.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS, budgetMs()));
    const result = await runner.run(step.argv, { env: step.env, stdin: step.stdin, timeoutMs });
    if (phase === 'setup' && step.mustSucceed && result.exitCode !== 0) {
      throw new InfrastructureError(
        `setup step \`${step.argv.join(' ')}\` failed (exit ${result.exitCode}): ${firstLine(result.stderr)}`,
        'setup-failed',
      );
    }
  }
}

/**
 * Grades one task: runs the grader's setup, its checks in order (each with its timeout, within the
 * grading's), and its teardown, and scores the result. Never throws for the student's work or the
 * environment: a failed check makes the result `failed`; an InfrastructureError from a port, a
 * missing port, a failed setup step or a cancellation make it `error` (retry those); a bug in a
 * check makes it `error` with kind `internal`. Only an invalid spec throws (InvalidGraderError).
 */
export async function gradeTask(
  grader: GraderSpec,
  environment: GradingEnvironment,
  options: GradeOptions = {},
): Promise<GradingResult> {
  assertValidGrader(grader);
  const clock = options.clock ?? performance;
  const started = clock.now();
  const deadline = started + grader.timeoutMs;
  const checks: CheckResult[] = [];
  const outputs = new Map<string, unknown>();
  let error: GradingError | undefined;

  const skip = (check: CheckSpec, message: string): CheckResult => ({
    id: check.id,
    title: check.title,
    passed: false,
    skipped: true,
    points: 0,
    maxPoints: check.points,
    message: clamp(message),
    hint: null,
    evidence: {},
    durationMs: 0,
  });

  const needsWorkbench = grader.checks.some((check) => transportOf(check) === 'workbench');
  const needsCluster = grader.checks.some((check) => transportOf(check) === 'cluster');
  if (needsWorkbench && !environment.workbench) {
    error = {
      kind: 'infrastructure',
      code: 'missing-port',
      message: 'no workbench transport for a workbench grader',
    };
  } else if (needsCluster && !environment.cluster) {
    error = {
      kind: 'infrastructure',
      code: 'missing-port',
      message: 'no cluster probe for a cluster grader',
    };
  }

  const workbench = environment.workbench;
  if (!error && workbench && grader.setup?.length) {
    try {
      await runSteps(workbench, grader.setup, () => deadline - clock.now(), 'setup');
    } catch (caught) {
      error = toGradingError(caught);
    }
  }

  const byId = new Map(grader.checks.map((check) => [check.id, check]));
  const limit = seconds(grader.timeoutMs);
  let outOfTime = false;
  for (const check of grader.checks) {
    if (error) {
      checks.push(skip(check, stoppedMessage(error)));
      continue;
    }
    if (options.signal?.aborted) {
      error = { kind: 'infrastructure', code: 'cancelled', message: 'the grading was cancelled' };
      checks.push(skip(check, 'Not checked: the grading was cancelled'));
      continue;
    }
    const unmet = (check.needs ?? []).filter((id) => !checks.find((result) => result.id === id)?.passed);
    if (unmet.length > 0) {
      const titles = unmet.map((id) => `"${byId.get(id)?.title ?? id}"`).join(', ');
      checks.push(skip(check, `Not checked: first fix ${titles}`));
      continue;
    }
    const left = deadline - clock.now();
    if (outOfTime || left <= 0) {
      checks.push(skip(check, `Not checked: the grading time limit of ${limit} was reached`));
      continue;
    }
    const ownTimeout = check.timeoutMs ?? grader.checkTimeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
    const timeoutMs = Math.min(ownTimeout, left);
    const checkStarted = clock.now();
    const settled = await settle(
      (signal) => {
        const ctx: CheckContext = {
          signal,
          timeLeft: () => checkStarted + timeoutMs - clock.now(),
          workbench: () => environment.workbench ?? missing('workbench transport'),
          cluster: () => environment.cluster ?? missing('cluster probe'),
          outputOf: <T>(id: string) => outputs.get(id) as T | undefined,
        };
        return execute(check, ctx);
      },
      timeoutMs,
      options.signal,
    );
    const durationMs = Math.round(clock.now() - checkStarted);
    const base = { id: check.id, title: check.title, maxPoints: check.points, durationMs };
    switch (settled.kind) {
      case 'done': {
        const { passed, reason, evidence = {} } = settled.outcome;
        if (passed && settled.outcome.output !== undefined) outputs.set(check.id, settled.outcome.output);
        checks.push({
          ...base,
          passed,
          skipped: false,
          points: passed ? check.points : 0,
          message: passed ? null : failureText(check, reason),
          hint: passed ? null : check.hint,
          evidence,
        });
        break;
      }
      case 'timeout': {
        const byGrading = timeoutMs < ownTimeout;
        outOfTime ||= byGrading;
        const reason = byGrading
          ? `the grading time limit of ${limit} was reached`
          : `no answer within ${seconds(timeoutMs)}`;
        checks.push({
          ...base,
          passed: false,
          skipped: false,
          points: 0,
          message: failureText(check, reason),
          hint: check.hint,
          evidence: { timedOutAfterMs: timeoutMs },
        });
        break;
      }
      case 'cancelled':
        error = {
          kind: 'infrastructure',
          code: 'cancelled',
          message: 'the grading was cancelled',
          checkId: check.id,
        };
        checks.push(skip(check, 'Not checked: the grading was cancelled'));
        break;
      case 'threw':
        error = { ...toGradingError(settled.error), checkId: check.id };
        checks.push(skip(check, stoppedMessage(error)));
        break;
    }
  }

  if (workbench && grader.teardown?.length) {
    // Best effort, on its own budget: a failed teardown must not change the verdict.
    await runSteps(workbench, grader.teardown, () => DEFAULT_STEP_TIMEOUT_MS, 'teardown').catch(
      () => undefined,
    );
  }

  const score = checks.reduce((sum, check) => sum + check.points, 0);
  const maxScore = grader.checks.reduce((sum, check) => sum + check.points, 0);
  return {
    taskId: grader.taskId,
    graderId: grader.graderId,
    status: error ? 'error' : checks.every((check) => check.passed) ? 'passed' : 'failed',
    score: error ? 0 : score,
    maxScore,
    checks,
    ...(error ? { error } : {}),
    durationMs: Math.round(clock.now() - started),
  };
}

function stoppedMessage(error: GradingError): string {
  return error.kind === 'infrastructure'
    ? 'Not checked: the grading stopped on an infrastructure problem; it will be retried'
    : 'Not checked: the grader itself failed, not your work';
}

function missing(what: string): never {
  throw new InfrastructureError(`no ${what} for this grading`, 'missing-port');
}

function toGradingError(error: unknown): GradingError {
  if (isInfrastructureError(error)) {
    return { kind: 'infrastructure', code: error.code, message: error.message };
  }
  return {
    kind: 'internal',
    code: 'grader-bug',
    message: error instanceof Error ? error.message : String(error),
  };
}
