import type { GraderSpec } from '../runtime/check-spec.types.js';
import { BRIDGE_GRADER } from './bridge.grader.js';
import { CNI_PLUGIN_GRADER } from './cni-plugin.grader.js';
import { ROUTING_GRADER } from './routing.grader.js';
import { VETH_PAIR_GRADER } from './veth-pair.grader.js';

/** The graders of the labs done in the workbench (curriculum target `workbench`). */
export const LINUX_GRADERS: readonly GraderSpec[] = [
  VETH_PAIR_GRADER,
  BRIDGE_GRADER,
  ROUTING_GRADER,
  CNI_PLUGIN_GRADER,
];
