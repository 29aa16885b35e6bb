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
export { VETH_PAIR_GRADER } from './linux/veth-pair.grader.js';
export { BRIDGE_GRADER } from './linux/bridge.grader.js';
export { ROUTING_GRADER } from './linux/routing.grader.js';
export {
  CNI_ATTACHMENT_A,
  CNI_ATTACHMENT_B,
  CNI_PLUGIN_GRADER,
  KC_CNI_PLUGIN,
} from './linux/cni-plugin.grader.js';
