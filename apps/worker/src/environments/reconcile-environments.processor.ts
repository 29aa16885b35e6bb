import { EnvironmentReconciler, type ReconcileResult } from '@kubecohort/environments';
import { HandlesJob, type JobHandler, type JobPayloads } from '@kubecohort/queue';
import { Injectable } from '@nestjs/common';

/** Re-enqueues environment work whose job was lost, purges expired exports (repeats; see EnvironmentsWorkerModule). */
@Injectable()
@HandlesJob('environments.reconcile')
export class ReconcileEnvironmentsProcessor implements JobHandler<'environments.reconcile'> {
  constructor(private readonly reconciler: EnvironmentReconciler) {}

  handle(payload: JobPayloads['environments.reconcile']): Promise<ReconcileResult> {
    return this.reconciler.reconcile(payload.staleAfterSeconds);
  }
}
