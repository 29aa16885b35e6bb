/** Tuning of the live feeds (the api maps its configuration onto this). */
export interface LiveOptions {
  /** A reconnect further behind than this many events gets `reload` instead of a replay. */
  replayMaxEvents: number;
  /** A socket with more packets than this waiting to be written is cut off (it reconnects and replays). */
  maxBacklogPackets: number;
  /** How long an out-of-order event waits for its predecessors before they are read from the database. */
  gapWaitMs?: number;
  /** How often each feed's committed head is compared with what it delivered (finds lost publishes). */
  stallCheckMs?: number;
  /** How often socket backlogs are checked. */
  backlogSweepMs?: number;
  /** A staff socket's presence entry lives this long without a heartbeat (crashed instance). */
  presenceTtlMs?: number;
}

export const LIVE_OPTIONS = Symbol('LIVE_OPTIONS');

export const LIVE_DEFAULTS = {
  gapWaitMs: 250,
  stallCheckMs: 5000,
  backlogSweepMs: 1000,
  presenceTtlMs: 30_000,
} as const;
