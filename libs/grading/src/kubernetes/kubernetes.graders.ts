import type { GraderSpec } from '../runtime/check-spec.types.js';
import { CAPSTONE_GRADER } from './capstone-multi-tier.grader.js';
import { EGRESS_CONTROL_GRADER } from './concepts-egress-control.grader.js';
import { SANDBOX_APP_GRADER } from './environment-sandbox-app.grader.js';
import { LAB_1_GRADER } from './lab-1-basic-connectivity.grader.js';
import { LAB_2_GRADER } from './lab-2-service-discovery.grader.js';
import { LAB_3_GRADER } from './lab-3-network-policy.grader.js';
import { LAB_4_GRADER } from './lab-4-ingress.grader.js';
import { PHASE_3_POLICIES_GRADER } from './phase-3-network-policies.grader.js';
import { PHASE_3_TRAFFIC_GRADER } from './phase-3-multi-service-traffic.grader.js';
import { PHASE_5_ZERO_TRUST_GRADER } from './phase-5-zero-trust-namespace.grader.js';

/** The graders of the labs done in the student's vcluster (curriculum target `vcluster`). */
export const KUBERNETES_GRADERS: readonly GraderSpec[] = [
  SANDBOX_APP_GRADER,
  LAB_1_GRADER,
  LAB_2_GRADER,
  LAB_3_GRADER,
  LAB_4_GRADER,
  PHASE_3_TRAFFIC_GRADER,
  PHASE_3_POLICIES_GRADER,
  EGRESS_CONTROL_GRADER,
  PHASE_5_ZERO_TRUST_GRADER,
  CAPSTONE_GRADER,
];
