export {
  NAMESPACE_NAME_LABEL,
  NetworkPolicyEngine,
  effectivePolicyTypes,
} from './network-policy/network-policy.engine.js';
export {
  NetpolInputError,
  formatNetpolIssues,
  type NetpolInputIssue,
} from './network-policy/network-policy.errors.js';
export { collectMatrixPorts, diffConnectivityMatrices } from './network-policy/network-policy.matrix.js';
export { parseNetpolInput, type NetpolParseResult } from './network-policy/network-policy.parser.js';
export type * from './network-policy/network-policy.types.js';
export type * from './runtime/check-spec.types.js';
export { MAX_MESSAGE_LENGTH } from './runtime/check-spec.types.js';
export type * from './runtime/cluster-probe.port.js';
export type * from './runtime/command-runner.port.js';
export { TIMED_OUT_EXIT_CODE } from './runtime/command-runner.port.js';
export type * from './runtime/grading-result.types.js';
export { InfrastructureError, isInfrastructureError } from './runtime/infrastructure.error.js';
export {
  DEFAULT_CHECK_TIMEOUT_MS,
  gradeTask,
  type GradeOptions,
  type GradingEnvironment,
} from './runtime/grader.runtime.js';
export { assertValidGrader, graderSpecProblems, InvalidGraderError } from './runtime/grader.validator.js';
export {
  GRADER_SPECS,
  GRADERS,
  GraderRegistry,
  GraderRuntime,
  UnknownGraderError,
} from './runtime/grader.registry.js';
export { LocalCommandRunner, type LocalCommandRunnerOptions } from './runtime/local-command.runner.js';
export { LINUX_GRADERS } from './linux/linux.graders.js';
export { KUBERNETES_GRADERS } from './kubernetes/kubernetes.graders.js';
export { SANDBOX_APP_GRADER } from './kubernetes/environment-sandbox-app.grader.js';
export { EGRESS_CONTROL_GRADER } from './kubernetes/concepts-egress-control.grader.js';
export { troubleshootingGrader, TROUBLESHOOTING_GRADERS } from './troubleshooting/troubleshooting.grader.js';
export { TROUBLESHOOT_NAMESPACE, troubleshootApp } from './troubleshooting/troubleshoot-app.manifests.js';
export {
  faultFor,
  troubleshootingManifests,
  TROUBLESHOOTING_FAULT_IDS,
  TROUBLESHOOTING_INCIDENTS,
  troubleshootingIncidentOf,
  withFault,
  type TroubleshootingFaultId,
} from './troubleshooting/troubleshooting.faults.js';
export { LAB_1_GRADER } from './kubernetes/lab-1-basic-connectivity.grader.js';
export { LAB_2_GRADER } from './kubernetes/lab-2-service-discovery.grader.js';
export { LAB_3_GRADER } from './kubernetes/lab-3-network-policy.grader.js';
export { LAB_4_GRADER } from './kubernetes/lab-4-ingress.grader.js';
export { PHASE_3_TRAFFIC_GRADER } from './kubernetes/phase-3-multi-service-traffic.grader.js';
export { PHASE_3_POLICIES_GRADER } from './kubernetes/phase-3-network-policies.grader.js';
export { PHASE_5_ZERO_TRUST_GRADER } from './kubernetes/phase-5-zero-trust-namespace.grader.js';
export { CAPSTONE_GRADER } from './kubernetes/capstone-multi-tier.grader.js';
export { VETH_PAIR_GRADER } from './linux/veth-pair.grader.js';
export { BRIDGE_GRADER } from './linux/bridge.grader.js';
export { ROUTING_GRADER } from './linux/routing.grader.js';
export {
  CNI_ATTACHMENT_A,
  CNI_ATTACHMENT_B,
  CNI_PLUGIN_GRADER,
  KC_CNI_PLUGIN,
} from './linux/cni-plugin.grader.js';
export {
  GRADING_PIPELINE_OPTIONS,
  type GradingPipelineOptions,
} from './pipeline/grading-pipeline.options.js';
export {
  GradingTargets,
  GradingTargetUnavailable,
  type EnvironmentRecord,
  type GradingSubject,
  type GradingTargetSet,
} from './pipeline/grading-targets.port.js';
export { EnvironmentWakeUp, type SubmitterEnvironment } from './pipeline/environment-wake-up.port.js';
export { HostClusterSlots, type SlotLease } from './pipeline/host-cluster-slots.js';
export { OutboxRelay } from './pipeline/outbox.relay.js';
export { OutboxSignal } from './pipeline/outbox.signal.js';
export { SubmissionGrader, type GradingJob, type GradingJobOutcome } from './pipeline/submission-grader.js';
export {
  MAX_DELIVERIES,
  SubmissionReconciler,
  type ReconcileReport,
} from './pipeline/submission.reconciler.js';
export {
  activeKey,
  OUTBOX_CHANNEL,
  SubmissionRepository,
  type FinishedGrading,
} from './pipeline/submission.repository.js';
export { SubmissionResults, type GradedSubmission } from './pipeline/submission-results.js';
export {
  awaitReview,
  decideReview,
  gradeQuiz,
  gradeSelfCheck,
  GRADE_SUBMISSION_JOB,
  MAX_REVIEW_COMMENT_LENGTH,
  MAX_REVIEW_TEXT_LENGTH,
  MAX_REVIEW_URL_LENGTH,
  MAX_WRITTEN_ANSWER_LENGTH,
  needsEnvironment,
  REVIEW_PASS_RATIO,
  reviewItems,
  validateAnswer,
  type LocalGrading,
  type QuizAnswer,
  type ReviewAnswer,
  type ReviewDecision,
  type ReviewInput,
  type RubricScore,
  type SubmissionAnswer,
  type TaskDefinition,
} from './pipeline/submission.rules.js';
export type * from './pipeline/submission.views.js';
export {
  Submissions,
  SUBMISSIONS_DEFAULT_LIMIT,
  SUBMISSIONS_MAX_LIMIT,
  type CohortSubmissionListQuery,
  type SubmissionListQuery,
  type SubmitInput,
} from './pipeline/submissions.use-case.js';
export { SubmissionsModule } from './pipeline/submissions.module.js';
export { TaskDefinitions } from './pipeline/task-definitions.js';
