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
