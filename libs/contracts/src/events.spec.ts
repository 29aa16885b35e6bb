import { describe, expect, it } from '@jest/globals';
import { parsePublishedEvent } from './events.js';

const event = {
  id: '42',
  type: 'submission.queued',
  cohortId: 'c1',
  at: '2026-11-26T12:00:00.000Z',
  payload: { submissionId: 's1', userId: 'u1', taskId: 't1' },
  subjectUserId: 'u1',
};

describe('parsePublishedEvent', () => {
  it('reads a well-formed event, with or without a subject', () => {
    expect(parsePublishedEvent(JSON.stringify(event))).toEqual(event);
    expect(parsePublishedEvent(JSON.stringify({ ...event, subjectUserId: null }))?.subjectUserId).toBeNull();
  });

  it.each([
    ['not JSON', '{"id":'],
    ['not an object', '"hello"'],
    ['a non-decimal id', JSON.stringify({ ...event, id: '4e2' })],
    ['a numeric id', JSON.stringify({ ...event, id: 42 })],
    ['no cohort', JSON.stringify({ ...event, cohortId: undefined })],
    ['no type', JSON.stringify({ ...event, type: 7 })],
    ['no time', JSON.stringify({ ...event, at: null })],
    ['no payload', JSON.stringify({ ...event, payload: 'x' })],
    ['a bad subject', JSON.stringify({ ...event, subjectUserId: 5 })],
  ])('refuses %s', (_case, message) => {
    expect(parsePublishedEvent(message)).toBeNull();
  });
});
