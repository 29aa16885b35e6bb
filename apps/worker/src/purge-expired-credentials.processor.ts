import { CredentialsJanitor } from '@kubecohort/auth';
import { Clock } from '@kubecohort/config';
import { HandlesJob, type JobHandler, type JobPayloads } from '@kubecohort/queue';
import { Injectable, Logger } from '@nestjs/common';

type Payload = JobPayloads['maintenance.purge-expired-credentials'];

@Injectable()
@HandlesJob('maintenance.purge-expired-credentials')
export class PurgeExpiredCredentialsProcessor implements JobHandler<'maintenance.purge-expired-credentials'> {
  private readonly logger = new Logger(PurgeExpiredCredentialsProcessor.name);

  constructor(
    private readonly janitor: CredentialsJanitor,
    private readonly clock: Clock,
  ) {}

  async handle(payload: Payload): Promise<unknown> {
    const removed = await this.janitor.purgeExpired(this.clock.now(), payload.olderThanHours);
    this.logger.log({ removed }, 'purged expired credentials');
    return removed;
  }
}
