import { describe, expect, it } from '@jest/globals';
import { ApiError } from '../api/api.error.js';
import { friendlyError, UserFacingError } from './error-messages.js';

describe('friendlyError', () => {
  it('tells an unlinked user how to link', () => {
    const text = friendlyError(new ApiError(403, 'discord_not_linked', 'not linked'));
    expect(text).toContain('/join');
    expect(text).toContain('/link');
  });

  it('explains a locked step with the API’s reason', () => {
    const text = friendlyError(
      new ApiError(
        409,
        'step_locked',
        'step 3 is locked for your cohort; it unlocks at 2026-03-01T09:00:00.000Z',
      ),
    );
    expect(text).toContain('🔒 step 3 is locked');
    expect(text).toContain('unlocks at');
  });

  it('gives the wait of a rate limit, from Retry-After', () => {
    expect(friendlyError(new ApiError(429, 'rate_limited', 'too many', [], 42))).toContain('in 42 s');
    expect(friendlyError(new ApiError(429, 'submission_rate_limited', 'too many'))).toContain('in a minute');
  });

  it('lists validation problems, hides server errors, passes user-facing text through', () => {
    expect(
      friendlyError(
        new ApiError(400, 'validation_failed', 'invalid', [{ field: 'title', problem: 'is too short' }]),
      ),
    ).toContain('title is too short');
    expect(friendlyError(new ApiError(500, 'internal', 'SELECT * FROM secrets'))).not.toContain('SELECT');
    expect(friendlyError(new ApiError(0, 'network', 'ECONNREFUSED'))).toContain('not reachable');
    expect(friendlyError(new UserFacingError('Do it in a thread.'))).toBe('Do it in a thread.');
    expect(friendlyError(new Error('boom'))).not.toContain('boom');
  });
});
