/** Worker-side settings of the grading pipeline (from the worker's validated config). */
export interface GradingPipelineOptions {
  /** For the relay's dedicated LISTEN connection. */
  databaseUrl: string;
  /** Gradings running at once against one host cluster, across all workers. */
  concurrencyPerHostCluster: number;
  /** A slot is leased for this long and renewed every third of it while the grading runs. */
  slotLeaseMs: number;
  /** A job that finds its host cluster full is delayed this long (plus jitter) and tried again. */
  slotRetryMs: number;
  /** Attempts of a grading job; only infrastructure errors use more than one. */
  maxAttempts: number;
  /** First retry delay; doubles on each further attempt. */
  retryBaseMs: number;
  /** Fallback poll of the outbox when no NOTIFY arrives. */
  relayPollMs: number;
  /** How often active submissions are checked for a lost queue job. */
  reconcileIntervalMs: number;
  /** A submission handed to the queue longer ago than this, still active, has its job checked. */
  reconcileAfterMs: number;
}

export const GRADING_PIPELINE_OPTIONS = Symbol('GRADING_PIPELINE_OPTIONS');
