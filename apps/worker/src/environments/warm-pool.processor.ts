import { WarmPool, type PoolRefillResult } from '@kubecohort/environments';
import { HandlesJob, type JobHandler, type JobPayloads } from '@kubecohort/queue';
import { Injectable } from '@nestjs/common';

/** Keeps the warm pool at its target (repeats; see EnvironmentsWorkerModule). */
@Injectable()
@HandlesJob('environments.pool-refill')
export class PoolRefillProcessor implements JobHandler<'environments.pool-refill'> {
  constructor(private readonly pool: WarmPool) {}

  handle(): Promise<PoolRefillResult> {
    return this.pool.refill();
  }
}

/** Labels a claimed pool environment's namespaces with its cohort and student; retried with backoff. */
@Injectable()
@HandlesJob('environments.relabel')
export class RelabelEnvironmentProcessor implements JobHandler<'environments.relabel'> {
  constructor(private readonly pool: WarmPool) {}

  handle(payload: JobPayloads['environments.relabel']): Promise<'relabelled' | 'skipped'> {
    return this.pool.relabel(payload.environmentId);
  }
}
