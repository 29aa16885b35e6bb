import { EnvironmentIdleCheck, type IdleCheckResult } from '@kubecohort/environments';
import { HandlesJob, type JobHandler, type JobPayloads } from '@kubecohort/queue';
import { Injectable } from '@nestjs/common';

/** Puts idle environments to sleep (repeats; see EnvironmentsWorkerModule). */
@Injectable()
@HandlesJob('environments.idle-check')
export class IdleCheckProcessor implements JobHandler<'environments.idle-check'> {
  constructor(private readonly idle: EnvironmentIdleCheck) {}

  handle(payload: JobPayloads['environments.idle-check']): Promise<IdleCheckResult> {
    return this.idle.run(payload.idleAfterSeconds);
  }
}
