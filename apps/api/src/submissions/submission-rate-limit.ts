import { RateLimiter, type RateLimitRule } from '@kubecohort/auth';
import { DomainError } from '@kubecohort/contracts';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Response } from 'express';

export const SUBMISSION_RATE_RULE = Symbol('SUBMISSION_RATE_RULE');

/**
 * Submissions per student (SUBMISSION_RATE_LIMIT per SUBMISSION_RATE_WINDOW_SECONDS), answered
 * 429 with Retry-After like @RateLimit. Unlike @RateLimit it fails open when Redis is unreachable:
 * a submission only needs PostgreSQL (the outbox carries it to the queue later), so an outage of
 * Redis must not stop students from submitting.
 */
@Injectable()
export class SubmissionRateLimit {
  private readonly logger = new Logger(SubmissionRateLimit.name);

  constructor(
    private readonly limiter: RateLimiter,
    @Inject(SUBMISSION_RATE_RULE) private readonly rule: RateLimitRule,
  ) {}

  async consume(userId: string, response: Response): Promise<void> {
    let state: { remaining: number; resetSeconds: number };
    try {
      state = await this.limiter.consume(this.rule, userId);
    } catch (error) {
      if (error instanceof DomainError) throw error;
      this.logger.warn(
        { err: (error as Error).message },
        'submission rate limit unavailable; allowing the submission',
      );
      return;
    }
    response.setHeader('RateLimit-Limit', String(this.rule.limit));
    response.setHeader('RateLimit-Remaining', String(state.remaining));
    response.setHeader('RateLimit-Reset', String(state.resetSeconds));
  }
}
