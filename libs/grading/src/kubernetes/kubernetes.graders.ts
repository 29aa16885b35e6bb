import type { GraderSpec } from '../runtime/check-spec.types.js';
import { LAB_1_GRADER } from './lab-1-basic-connectivity.grader.js';
import { LAB_2_GRADER } from './lab-2-service-discovery.grader.js';
import { LAB_3_GRADER } from './lab-3-network-policy.grader.js';

/** The graders of the labs done in the student's vcluster (curriculum target `vcluster`). */
export const KUBERNETES_GRADERS: readonly GraderSpec[] = [LAB_1_GRADER, LAB_2_GRADER, LAB_3_GRADER];
