/** Messages and shapes shared by the live benchmark's processes (orchestrator, writer, fleets). */

export type Target = 'api' | 'bare';

export interface ClientSpec {
  target: Target;
  /** Index of the cohort in the run (0..cohorts-1). */
  cohort: number;
  cohortId: string;
  userId: string;
  staff: boolean;
  /** Access token (api clients). */
  token?: string;
}

/** One event the writer committed. */
export interface WrittenEvent {
  cohort: number;
  id: number;
  subject: string | null;
  /** When the writer began the transaction (epoch ms, sub-ms precision). */
  t0: number;
}

export interface CohortSeed {
  cohortId: string;
  students: string[];
}

export type ToWriter = {
  type: 'start';
  rate: number;
  seconds: number;
  cohorts: CohortSeed[];
  warmupCohortId: string;
  /** Share of cohort-wide events (the rest are about one student). */
  publicShare: number;
};
export type FromWriter =
  | { type: 'ready' }
  | {
      type: 'done';
      events: WrittenEvent[];
      failures: number;
      errors: string[];
      maxLagMs: number;
      elapsedMs: number;
    };

export type ToFleet =
  | { type: 'connect'; urls: Record<Target, string>; clients: ClientSpec[]; concurrency: number }
  | { type: 'finish'; events: WrittenEvent[]; redisAt: Record<string, number> };
export type FromFleet =
  | { type: 'connected'; connected: number; failed: number; errors: string[] }
  | { type: 'report'; summaries: Record<Target, DeliverySummary> };

export interface DeliverySummary {
  clients: number;
  expected: number;
  received: number;
  missing: number;
  duplicates: number;
  unexpected: number;
  outOfOrder: number;
  reconnects: number;
  /** Sparse histograms (bucket index -> count), see stats.ts. */
  endToEnd: Record<number, number>;
  fanOut: Record<number, number>;
}

export const eventKey = (cohort: number, id: number): string => `${cohort}:${id}`;

/** The writer puts its start time in the payload, so a client can time the whole pipeline. */
export function startTimeOf(payload: unknown): number {
  const record = payload as { fields?: string[]; reasons?: string[] };
  return Number((record.fields ?? record.reasons ?? [])[1]);
}
