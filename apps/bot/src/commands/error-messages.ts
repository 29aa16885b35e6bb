import { ApiError } from '../api/api.error.js';

/** An answer for the user that is not an API error (wrong channel, missing setup...). */
export class UserFacingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserFacingError';
  }
}

const BY_CODE: Record<string, string | ((error: ApiError) => string)> = {
  discord_not_linked:
    'Your Discord account is not linked to kubecohort yet. Join your cohort with `/join code:<invite code>`, ' +
    'or, if you already have an account, create a link code on the dashboard and use `/link code:<code>`.',
  act_as_not_student:
    'Your Discord account belongs to a staff account: student commands are for students. ' +
    'Instructors use `/cohort stats`, `/inspect` and `/broadcast`.',
  not_enrolled: 'You are not enrolled in an active cohort. Join one with `/join code:<invite code>`.',
  account_unavailable: 'Your kubecohort account is disabled. Please contact your instructor.',
  step_locked: (error) => `🔒 ${error.message}. Your instructor opens steps as the cohort goes along.`,
  submission_in_progress:
    '⏳ Your previous submission of this task is still being graded. Its result will arrive here or by DM.',
  invite_invalid: 'That invite code is not valid. Check it with your instructor.',
  invite_expired: 'That invite code has expired. Ask your instructor for a new one.',
  invite_revoked: 'That invite code was revoked. Ask your instructor for a new one.',
  invite_used_up: 'That invite code has been used up. Ask your instructor for a new one.',
  already_enrolled: 'You are already enrolled in this cohort. Try `/lab current`.',
  staff_cannot_join: 'Staff accounts cannot join a cohort as students.',
  link_code_invalid: 'That link code is not valid or has expired. Create a new one on the dashboard.',
  discord_already_linked: 'This Discord account (or that kubecohort account) is already linked.',
  question_locked: 'This question is locked by an instructor: no new answers.',
  not_asker: 'Only the person who asked (or an instructor) can accept an answer.',
  own_answer: 'You cannot vote on your own answer.',
  no_capacity: (error) =>
    `🏗️ There is no room for a new environment right now. Try again ${
      error.retryAfterSeconds ? `in ${Math.ceil(error.retryAfterSeconds / 60)} min` : 'in a few minutes'
    }.`,
  environment_not_ready: 'Your environment is not ready yet. Watch it with `/env status`.',
  rate_limited: (error) =>
    `🐢 Slow down a little — try again ${
      error.retryAfterSeconds ? `in ${error.retryAfterSeconds} s` : 'in a minute'
    }.`,
  network: 'The kubecohort service is not reachable right now. Please try again in a minute.',
};

/** What the user reads when a command fails: a friendly sentence, never a stack trace. */
export function friendlyError(error: unknown): string {
  if (error instanceof UserFacingError) return error.message;
  if (error instanceof ApiError) {
    const known = BY_CODE[error.code];
    if (known) return typeof known === 'function' ? known(error) : known;
    if (error.status === 429) return (BY_CODE.rate_limited as (error: ApiError) => string)(error);
    if (error.code === 'validation_failed') {
      const problems = error.details.map((detail) => `${detail.field} ${detail.problem}`).join('; ');
      return `That did not look right: ${problems || error.message}.`;
    }
    if (error.status === 404) return `Not found: ${error.message}.`;
    if (error.status >= 500 || error.status === 0)
      return 'Something went wrong on our side. Please try again in a minute.';
    return error.message;
  }
  return 'Something went wrong on our side. Please try again in a minute.';
}
