/** Status of one student's progress on one task. */
export const TASK_STATUSES = [
  'locked',
  'available',
  'in_progress',
  'pending_review',
  'passed',
  'failed',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** How a task completes. */
export const TASK_COMPLETIONS = ['grader', 'quiz', 'review', 'self_check'] as const;
export type TaskCompletionKind = (typeof TASK_COMPLETIONS)[number];

export const USER_ROLES = ['admin', 'instructor', 'student', 'service'] as const;
export type UserRoleName = (typeof USER_ROLES)[number];

export const ENVIRONMENT_STATES = [
  'requested',
  'provisioning',
  'ready',
  'sleeping',
  'waking',
  'deleting',
  'deleted',
  'failed',
] as const;
export type EnvironmentStateName = (typeof ENVIRONMENT_STATES)[number];

export const SUBMISSION_STATUSES = [
  'queued',
  'running',
  'passed',
  'failed',
  'pending_review',
  'error',
] as const;
export type SubmissionStatusName = (typeof SUBMISSION_STATUSES)[number];
