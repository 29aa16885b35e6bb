import type { EnvironmentStateName, SubmissionStatusName, TaskStatus } from './task-status.js';

/**
 * Every live event, by type, with its payload. Written to the event log in the transaction that
 * made the change and delivered over Socket.IO `/live` as `event` `{id, type, cohortId, at, payload}`.
 */
export interface EventPayloads {
  'submission.queued': { submissionId: string; userId: string; taskId: string };
  'submission.graded': {
    submissionId: string;
    userId: string;
    taskId: string;
    status: SubmissionStatusName;
    score: number | null;
    maxScore: number | null;
    failedChecks: { id: string; message: string | null }[];
  };
  'progress.updated': {
    userId: string;
    taskId: string;
    status: TaskStatus;
    attempts: number;
    points: number;
    maxPoints: number;
    reason?: 'attempt' | 'override' | 'review' | 'start';
  };
  'environment.changed': {
    environmentId: string;
    userId: string | null;
    state: EnvironmentStateName;
    progressStep: string | null;
    progressPercent: number;
    reason?: string | null;
  };
  'question.created': { questionId: string; userId: string; title: string; taskId: string | null };
  'question.answered': { questionId: string; answerId: string; userId: string };
  'question.solved': { questionId: string; userId: string; by: 'accepted' | 'grading' };
  'student.stuck': { userId: string; taskId: string | null; step: number; reasons: string[] };
  'enrollment.changed': { userId: string; status: 'active' | 'unenrolled' | 'completed' | 'erased' };
  'plan.updated': { step: number; locked: boolean; deadline: string | null; userId?: string };
  'cohort.updated': { fields: string[] };
}

export type EventType = keyof EventPayloads;
export const EVENT_TYPES = [
  'submission.queued',
  'submission.graded',
  'progress.updated',
  'environment.changed',
  'question.created',
  'question.answered',
  'question.solved',
  'student.stuck',
  'enrollment.changed',
  'plan.updated',
  'cohort.updated',
] as const satisfies readonly EventType[];

/** What a client receives. `id` is a decimal string: per-cohort, increasing in commit order. */
export interface LiveEvent<T extends EventType = EventType> {
  id: string;
  type: T;
  cohortId: string;
  at: string;
  payload: EventPayloads[T];
}

/**
 * A committed event as the api and worker publish it on Redis (the events channel) and as the
 * events API serves it: what a client receives, plus the student it is about (then only they and
 * the cohort's staff may see it).
 */
export interface PublishedEvent<T extends EventType = EventType> extends LiveEvent<T> {
  subjectUserId: string | null;
}

/**
 * A message of the events channel as a PublishedEvent, or null when it is not one: checked enough
 * to be routed safely (ids are decimal strings, the envelope's fields have their types). The
 * payload is trusted as its type says: only our own processes publish.
 */
export function parsePublishedEvent(message: string): PublishedEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object') return null;
  const event = value as Partial<PublishedEvent>;
  if (typeof event.cohortId !== 'string' || typeof event.id !== 'string' || !/^\d{1,19}$/.test(event.id))
    return null;
  if (typeof event.type !== 'string' || typeof event.at !== 'string') return null;
  if (!event.payload || typeof event.payload !== 'object') return null;
  if (event.subjectUserId !== null && typeof event.subjectUserId !== 'string') return null;
  return event as PublishedEvent;
}
