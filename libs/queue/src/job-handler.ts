import { SetMetadata } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { JobName, JobPayloads } from './jobs.js';

export const JOB_HANDLER = 'kubecohort:job-handler';

/** Marks a provider as the one handler of a job; the worker refuses to boot on a gap or a double. */
export const HandlesJob = (job: JobName): ClassDecorator => SetMetadata(JOB_HANDLER, job);

export interface JobHandler<J extends JobName> {
  handle(payload: JobPayloads[J], job: Job<JobPayloads[J]>): Promise<unknown>;
}
