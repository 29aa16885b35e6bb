import { SqlClient } from '@kubecohort/database';
import { InfrastructureError } from '@kubecohort/grading';
import { HandlesJob, type JobHandler, type JobPayloads } from '@kubecohort/queue';
import { Injectable, Logger } from '@nestjs/common';
import { EnvironmentTransports, studentEnvironment } from './environment-grading-targets.js';
import { deployIncident } from './incident.deployer.js';

type Payload = JobPayloads['grading.prepare-incident'];

export type PrepareIncidentOutcome =
  { status: 'deployed'; fault: string } | { status: 'skipped'; reason: string };

/**
 * Queue edge of a troubleshooting incident's start: deploys the app with the student's fault into
 * their ready vcluster. An environment on its way up (or an unreachable API) is retried by BullMQ;
 * none, asleep or gone is skipped: the student starts the incident again once it is running.
 */
@Injectable()
@HandlesJob('grading.prepare-incident')
export class PrepareIncidentProcessor implements JobHandler<'grading.prepare-incident'> {
  private readonly logger = new Logger(PrepareIncidentProcessor.name);

  constructor(
    private readonly sql: SqlClient,
    private readonly transports: EnvironmentTransports,
  ) {}

  async handle(payload: Payload): Promise<PrepareIncidentOutcome> {
    const environment = await studentEnvironment(this.sql, payload.userId);
    if (!environment) return this.skip(payload, 'the student has no environment');
    if (['requested', 'provisioning', 'waking'].includes(environment.state))
      throw new InfrastructureError(
        `the student's environment is ${environment.state}`,
        'environment-not-ready',
      );
    if (environment.state !== 'ready') return this.skip(payload, `the environment is ${environment.state}`);
    const { state: _state, ...student } = environment;
    const kube = this.transports.kube(student);
    if (!kube) return this.skip(payload, 'this worker cannot reach student clusters');
    const fault = await deployIncident(kube, payload.userId, payload.incident);
    this.logger.log(`deployed ${payload.taskId} for ${payload.userId} in environment ${environment.id}`);
    return { status: 'deployed', fault };
  }

  private skip(payload: Payload, reason: string): PrepareIncidentOutcome {
    this.logger.warn(`not deploying ${payload.taskId} for ${payload.userId}: ${reason}`);
    return { status: 'skipped', reason };
  }
}
