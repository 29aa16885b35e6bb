import { JobQueue } from '@kubecohort/queue';
import { LiveFeedModule, LiveHub } from '@kubecohort/realtime';
import { Metrics } from '@kubecohort/observability';
import { type DynamicModule, Inject, Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ApiConfig } from '../api.config.js';
import { LiveGateway } from './live.gateway.js';
import { PresenceController } from './presence.controller.js';

const LIVE_CONFIG = Symbol('LIVE_CONFIG');

/** Live instructor feeds: the `/live` Socket.IO gateway, presence, and event-log retention scheduling. */
@Module({})
export class LiveModule implements OnApplicationBootstrap {
  static forRoot(config: ApiConfig): DynamicModule {
    return {
      module: LiveModule,
      imports: [
        LiveFeedModule.forRoot({
          replayMaxEvents: config.LIVE_REPLAY_MAX_EVENTS,
          maxBacklogPackets: config.LIVE_MAX_BACKLOG_PACKETS,
        }),
      ],
      controllers: [PresenceController],
      providers: [LiveGateway, { provide: LIVE_CONFIG, useValue: config }],
    };
  }

  private readonly logger = new Logger(LiveModule.name);

  constructor(
    private readonly hub: LiveHub,
    private readonly jobs: JobQueue,
    private readonly moduleRef: ModuleRef,
    @Inject(LIVE_CONFIG) private readonly config: ApiConfig,
  ) {}

  onApplicationBootstrap(): void {
    const config = this.config;
    // The api owns the retention setting; any worker serving `maintenance` runs the prune. The
    // scheduler id is the job name, so every instance upserts the same schedule.
    this.jobs
      .repeat('maintenance.prune-events', { retentionHours: config.EVENT_RETENTION_HOURS }, 3600_000)
      .catch((error: Error) => this.logger.warn({ err: error.message }, 'could not schedule event pruning'));
    // Metrics belongs to the root module; found by class across modules.
    const metrics = this.moduleRef.get(Metrics, { strict: false });
    metrics.gauge(
      'kubecohort_live_sockets',
      'Live (/live) sockets connected to this instance',
      [],
      (gauge) => {
        gauge.set(this.hub.stats().sockets);
      },
    );
    metrics.gauge('kubecohort_live_feeds', 'Cohorts with live subscribers on this instance', [], (gauge) => {
      gauge.set(this.hub.stats().feeds);
    });
    metrics.gauge(
      'kubecohort_live_max_backlog',
      'Largest unsent packet backlog of one live socket',
      [],
      (gauge) => {
        gauge.set(this.hub.stats().maxBacklog);
      },
    );
    metrics.gauge(
      'kubecohort_live_events',
      'Live events handled by this instance since start',
      ['kind'],
      (gauge) => {
        for (const [kind, value] of Object.entries(this.hub.counters)) gauge.set({ kind }, value);
      },
    );
  }
}
