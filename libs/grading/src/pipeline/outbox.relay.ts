import { SqlClient, statement } from '@kubecohort/database';
import { JOB_QUEUES, type JobName, JobQueue, queueOf } from '@kubecohort/queue';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { JobsOptions } from 'bullmq';
import pg from 'pg';
import { GRADING_PIPELINE_OPTIONS, type GradingPipelineOptions } from './grading-pipeline.options.js';
import { OUTBOX_CHANNEL } from './submission.repository.js';
import { GRADE_SUBMISSION_JOB } from './submission.rules.js';

/** Rows moved per transaction. */
const BATCH = 200;
/** A queue add that takes longer than this (Redis gone) rolls the batch back. */
const ADD_TIMEOUT_MS = 3000;
const MAX_BACKOFF_MS = 5000;
const RECONNECT_MS = 1000;
/**
 * Under a stream of submissions (woken again while draining), wait this long before the next
 * batch: rows gather, and each batch (three PostgreSQL round trips and one queue add) moves more of
 * them. A lone submission is moved at once.
 */
const LINGER_MS = 5;
/**
 * The mark commits without waiting for the WAL flush: a PostgreSQL crash that loses it leaves the
 * rows unprocessed, and the next relay adds their jobs again under the same ids (a no-op).
 */
const NOT_DURABLE = { durable: false } as const;

interface OutboxRow {
  /** bigint, as pg returns it: a string. */
  id: string;
  topic: string;
  key: string;
  payload: unknown;
}

/** Locks up to $1 due rows (skipping those another relay holds) and marks them processed. */
const TAKE_BATCH = statement(
  'outbox_take_batch',
  `UPDATE outbox_messages SET processed_at = now(), attempts = attempts + 1, last_error = NULL
   WHERE id IN (
     SELECT id FROM outbox_messages
     WHERE processed_at IS NULL AND available_at <= now()
     ORDER BY id LIMIT $1::int
     FOR UPDATE SKIP LOCKED
   )
   RETURNING id::text, topic, key, payload`,
);

const NOTE_FAILURE = statement(
  'outbox_note_failure',
  `UPDATE outbox_messages SET last_error = $1::text
   WHERE id = ANY($2::bigint[]) AND processed_at IS NULL`,
);

/**
 * Moves committed outbox rows to BullMQ. Woken by NOTIFY (OutboxSignal, after the rows commit) on
 * a dedicated LISTEN connection, with a fallback poll.
 *
 * Each batch, in one transaction: lock unprocessed rows FOR UPDATE SKIP LOCKED (two relays never
 * take the same row) and mark them processed, add their jobs (job id = the row's key, e.g. the
 * submission id), then commit. A relay that dies between the add and the commit leaves the rows unprocessed;
 * the next relay adds them again and the job id makes that a no-op. A failed add (Redis down)
 * rolls back and is retried with backoff.
 */
@Injectable()
export class OutboxRelay {
  private readonly logger = new Logger(OutboxRelay.name);
  private listener?: pg.Client;
  private pollTimer?: NodeJS.Timeout;
  private reconnectTimer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = true;
  private failures = 0;
  private retryAt = 0;

  constructor(
    private readonly sql: SqlClient,
    private readonly jobs: JobQueue,
    @Inject(GRADING_PIPELINE_OPTIONS) private readonly options: GradingPipelineOptions,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.listen();
    this.pollTimer = setInterval(() => this.wake(), this.options.relayPollMs);
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pollTimer);
    clearTimeout(this.reconnectTimer);
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
    await this.running;
  }

  /** Drains the outbox now (also what a NOTIFY or the poll triggers). */
  wake(): void {
    if (this.stopped || Date.now() < this.retryAt) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drainAll().finally(() => {
      this.running = undefined;
    });
  }

  private async drainAll(): Promise<void> {
    for (;;) {
      this.again = false;
      try {
        while (!this.stopped && (await this.drainOnce()) === BATCH);
        this.failures = 0;
      } catch (error) {
        this.failures += 1;
        const backoff = Math.min(MAX_BACKOFF_MS, 100 * 2 ** this.failures);
        this.retryAt = Date.now() + backoff;
        this.logger.warn(
          { err: (error as Error).message, retryInMs: backoff },
          'outbox relay failed; will retry',
        );
        return;
      }
      if (!this.again || this.stopped) return;
      await new Promise((resolve) => setTimeout(resolve, LINGER_MS));
    }
  }

  /**
   * One batch; returns how many rows it moved. The rows are locked and marked processed by one
   * statement, and that only commits once their jobs are in the queue: a failed add rolls the mark
   * back, a crash before COMMIT leaves them for the next relay (which re-adds under the same ids).
   */
  async drainOnce(): Promise<number> {
    let rows: OutboxRow[] = [];
    try {
      return await this.sql.transaction(async (sql) => {
        rows = await sql.query<OutboxRow>(TAKE_BATCH, [BATCH]);
        if (rows.length === 0) return 0;
        rows.sort((a, b) => Number(a.id) - Number(b.id));
        await this.publish(rows);
        return rows.length;
      }, NOT_DURABLE);
    } catch (error) {
      if (rows.length > 0) await this.noteFailure(rows, error);
      throw error;
    }
  }

  private async publish(rows: OutboxRow[]): Promise<void> {
    const byTopic = new Map<JobName, OutboxRow[]>();
    const unknown: OutboxRow[] = [];
    for (const row of rows) {
      if (Object.hasOwn(JOB_QUEUES, row.topic)) {
        const topic = row.topic as JobName;
        byTopic.set(topic, [...(byTopic.get(topic) ?? []), row]);
      } else unknown.push(row);
    }
    if (unknown.length > 0) {
      // Marked processed with the rest so they cannot block the outbox; kept for inspection.
      this.logger.error(
        { ids: unknown.map((row) => String(row.id)) },
        'outbox rows with an unknown topic skipped',
      );
    }
    const adds = [...byTopic].map(([topic, list]) =>
      this.jobs.queue(queueOf(topic)).addBulk(
        list.map((row) => ({
          name: topic,
          data: row.payload,
          opts: { ...this.jobOptions(topic), jobId: row.key },
        })),
      ),
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`queue add timed out after ${ADD_TIMEOUT_MS} ms`)),
        ADD_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([Promise.all(adds), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private jobOptions(topic: JobName): JobsOptions {
    if (topic === GRADE_SUBMISSION_JOB) {
      return {
        attempts: this.options.maxAttempts,
        backoff: { type: 'exponential', delay: this.options.retryBaseMs },
      };
    }
    return {};
  }

  private async noteFailure(rows: OutboxRow[], error: unknown): Promise<void> {
    const message = (error as Error).message.slice(0, 500);
    await this.sql.query(NOTE_FAILURE, [message, rows.map((row) => row.id)]).catch(() => undefined);
  }

  private async listen(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.options.databaseUrl });
    const retry = () => {
      if (this.listener !== client) return;
      this.listener = undefined;
      client.removeAllListeners();
      client.on('error', () => undefined);
      void client.end().catch(() => undefined);
      if (!this.stopped) this.reconnectTimer = setTimeout(() => void this.listen(), RECONNECT_MS);
    };
    this.listener = client;
    client.on('notification', () => this.wake());
    client.on('error', (error) => {
      this.logger.warn({ err: error.message }, 'outbox LISTEN connection lost; reconnecting');
      retry();
    });
    client.on('end', retry);
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      // Rows committed while we were not listening get no NOTIFY: look now.
      this.wake();
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'outbox LISTEN connection failed; retrying');
      retry();
    }
  }
}
