import { Injectable } from '@nestjs/common';
import { ApiClient, type ActAs } from '../api/api.client.js';
import { ApiError } from '../api/api.error.js';
import type { SubmissionView } from '../api/api.types.js';
import { BotConfig } from '../bot.config.js';
import { isFinished } from '../format/grading.format.js';
import { BotEventStream } from './bot-event.stream.js';

/**
 * Waits for a submission's result: the `submission.graded` event makes it immediate, polling the
 * API covers a missed event. Null when the deadline passes first.
 */
@Injectable()
export class SubmissionWaiter {
  constructor(
    private readonly api: ApiClient,
    private readonly stream: BotEventStream,
    private readonly config: BotConfig,
  ) {}

  wait(submissionId: string, as: ActAs, untilMs: number): Promise<SubmissionView | null> {
    return new Promise<SubmissionView | null>((resolve, reject) => {
      let settled = false;
      let checking = false;
      const timers: NodeJS.Timeout[] = [];
      const finish = (value: SubmissionView | null, error?: unknown) => {
        if (settled) return;
        settled = true;
        unsubscribe();
        for (const timer of timers) clearTimeout(timer);
        clearInterval(poller);
        if (error !== undefined)
          reject(error instanceof Error ? error : new Error('waiting for the submission failed'));
        else resolve(value);
      };
      const check = async () => {
        if (settled || checking) return;
        checking = true;
        try {
          const submission = await this.api.submission(submissionId, as);
          if (isFinished(submission)) finish(submission);
        } catch (error) {
          // A blip of the API is retried by the next poll; anything else is the caller's to report.
          if (!(error instanceof ApiError && (error.status === 0 || error.status >= 500)))
            finish(null, error);
        } finally {
          checking = false;
        }
      };
      const unsubscribe = this.stream.onEvent((event) => {
        if (event.type === 'submission.graded' && 'submissionId' in event.payload) {
          if (event.payload.submissionId === submissionId) void check();
        }
      });
      const poller = setInterval(() => void check(), this.config.SUBMIT_POLL_MS);
      timers.push(setTimeout(() => finish(null), Math.max(0, untilMs - Date.now())));
      void check();
    });
  }
}
