import { ProgressModule } from '@kubecohort/progress';
import { QaModule } from '@kubecohort/qa';
import { Module } from '@nestjs/common';
import { OutboxSignal } from './outbox.signal.js';
import { SubmissionRepository } from './submission.repository.js';
import { SubmissionResults } from './submission-results.js';
import { Submissions } from './submissions.use-case.js';
import { TaskDefinitions } from './task-definitions.js';

const providers = [Submissions, SubmissionRepository, SubmissionResults, TaskDefinitions, OutboxSignal];

/**
 * Submissions and their results, shared by the api (submit, read, review) and the worker (which
 * adds the grader, relay and reconciler). Needs the global DatabaseModule, QueueModule,
 * RealtimeModule, and AuditTrail, CohortAccess and Clock (AuthModule in the api).
 */
@Module({ imports: [ProgressModule, QaModule], providers, exports: providers })
export class SubmissionsModule {}
