import { EnvironmentReconciler } from '@kubecohort/environments';
import { HandlesJob, type JobHandler, type JobPayloads } from '@kubecohort/queue';
import { Injectable } from '@nestjs/common';

/** Re-enqueues environment work whose job was lost (repeats; see EnvironmentsWorkerModule). */
@Injectable()
@HandlesJob('environments.reconcile')
export class ReconcileEnvironmentsProcessor implements JobHandler<'environments.reconcile'> {
  constructor(private readonly reconciler: EnvironmentReconciler) {}

  handle(
    payload: JobPayloads['environments.reconcile'],
  ): Promise<{ provisioning: number; teardown: number }> {
    return this.reconciler.reconcile(payload.staleAfterSeconds);
  }
}
