import { Clock } from '@kubecohort/config';
import { HandlesJob, type JobHandler, type JobPayloads } from '@kubecohort/queue';
import { EventRetention } from '@kubecohort/realtime';
import { Injectable, Logger } from '@nestjs/common';

type Payload = JobPayloads['maintenance.prune-events'];

/** Keeps the live event log within its retention window (replays beyond it get `reload`). */
@Injectable()
@HandlesJob('maintenance.prune-events')
export class PruneEventsProcessor implements JobHandler<'maintenance.prune-events'> {
  private readonly logger = new Logger(PruneEventsProcessor.name);

  constructor(
    private readonly retention: EventRetention,
    private readonly clock: Clock,
  ) {}

  async handle(payload: Payload): Promise<unknown> {
    const result = await this.retention.prune({
      retentionHours: payload.retentionHours,
      now: this.clock.now(),
    });
    this.logger.log(result, 'pruned live events past retention');
    return result;
  }
}
