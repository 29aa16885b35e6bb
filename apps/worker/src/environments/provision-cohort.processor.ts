import { CohortProvisioning, type CohortProvisioningOutcome } from '@kubecohort/environments';
import { HandlesJob, type JobHandler, type JobPayloads } from '@kubecohort/queue';
import { Injectable } from '@nestjs/common';

/**
 * Provisions every enrolled student of a cohort (an operation row tracks it). Idempotent: a
 * rerun after a crash skips students who have a live environment; infrastructure errors are
 * retried by BullMQ with backoff.
 */
@Injectable()
@HandlesJob('environments.provision-cohort')
export class ProvisionCohortProcessor implements JobHandler<'environments.provision-cohort'> {
  constructor(private readonly provisioning: CohortProvisioning) {}

  handle(payload: JobPayloads['environments.provision-cohort']): Promise<CohortProvisioningOutcome> {
    return this.provisioning.run(payload.operationId);
  }
}
