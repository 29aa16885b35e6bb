import { SqlClient, statement } from '@kubecohort/database';
import { Injectable, Logger } from '@nestjs/common';
import { OUTBOX_CHANNEL } from './submission.repository.js';

const NOTIFY = statement('grading_outbox_notify', `SELECT pg_notify($1::text, '')`);

/**
 * Wakes the outbox relay (NOTIFY on its channel) after outbox rows have committed. One NOTIFY at a
 * time per process: calls made while one is in flight are folded into one more after it, so a
 * burst of submissions costs a few NOTIFYs, not one each.
 *
 * Why after the commit and not inside the writing transaction: a transaction that NOTIFYs takes
 * PostgreSQL's database-wide notify lock at commit and holds it through the WAL flush, which
 * serialises the commits of every submission. A row whose NOTIFY is lost (the process died right
 * after its commit) is still moved by the relay's poll.
 */
@Injectable()
export class OutboxSignal {
  private readonly logger = new Logger(OutboxSignal.name);
  private inFlight = false;
  private pending = false;

  constructor(private readonly sql: SqlClient) {}

  /** Never throws and never waits for the NOTIFY: a lost one only delays the relay to its poll. */
  notify(): void {
    if (this.inFlight) {
      this.pending = true;
      return;
    }
    this.inFlight = true;
    this.sql
      .query(NOTIFY, [OUTBOX_CHANNEL])
      .catch((error: Error) =>
        this.logger.warn({ err: error.message }, 'outbox NOTIFY failed; the relay polls'),
      )
      .finally(() => {
        this.inFlight = false;
        if (this.pending) {
          this.pending = false;
          this.notify();
        }
      });
  }
}
