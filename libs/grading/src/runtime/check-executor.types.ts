import type { ClusterProbe } from './cluster-probe.port.js';
import type { CommandRunner } from './command-runner.port.js';
import type { Evidence } from './grading-result.types.js';

/** What running one check found. Thrown errors are not failures: see the runtime. */
export interface CheckOutcome {
  passed: boolean;
  /** The specific finding, appended to the check's failure message (keep it short). */
  reason?: string;
  evidence?: Evidence;
  /** Data later checks may read through `outputOf` (they must list this check in `needs`). */
  output?: unknown;
}

export interface CheckContext {
  /** Aborted when the check times out or the grading stops; pass it to every port call. */
  signal: AbortSignal;
  /** Milliseconds left for this check. */
  timeLeft(): number;
  workbench(): CommandRunner;
  cluster(): ClusterProbe;
  /** The output of a check that passed earlier in this grading. */
  outputOf<T>(checkId: string): T | undefined;
}
