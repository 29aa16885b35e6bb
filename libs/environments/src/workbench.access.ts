import { DomainError } from '@kubecohort/contracts';
import { PrismaService } from '@kubecohort/database';
import {
  ExecTransportError,
  KubeClients,
  type CommandResult,
  type CommandRunner,
  type RunOptions,
} from '@kubecohort/kubernetes';
import { Injectable } from '@nestjs/common';
import { WORKBENCH_CONTAINER, WORKBENCH_POD } from './environment-names.js';
import { HostClusterRegistry } from './host-cluster.registry.js';

/**
 * The way into a student's workbench: an exec transport through the host cluster's API (the
 * workbench has no network of its own). Graders use it as their CommandRunner; a terminal for
 * students would use the same transport. Callers authorize first: this takes an environment id.
 */
@Injectable()
export class WorkbenchAccess {
  constructor(
    private readonly prisma: PrismaService,
    private readonly registry: HostClusterRegistry,
    private readonly clients: KubeClients,
  ) {}

  async runnerFor(environmentId: string): Promise<CommandRunner> {
    const env = await this.prisma.environment.findUnique({ where: { id: environmentId } });
    if (!env) throw DomainError.notFound('environment');
    if (env.state !== 'ready' || !env.hostClusterId || !env.workbenchNamespace)
      throw DomainError.conflict(
        'environment_not_ready',
        `the environment is ${env.state}; its workbench is not available`,
      );
    const kube = this.clients.forCluster(await this.registry.clusterRef(env.hostClusterId));
    return kube.execRunner({
      namespace: env.workbenchNamespace,
      pod: WORKBENCH_POD,
      container: WORKBENCH_CONTAINER,
    });
  }

  /**
   * The same transport, made without waiting: the host cluster's credentials are read on the first
   * command. For callers that need a runner synchronously (the grading worker's transports).
   */
  runnerForEnvironment(env: {
    id: string;
    hostClusterId: string | null;
    workbenchNamespace: string | null;
  }): CommandRunner {
    let runner: Promise<CommandRunner> | undefined;
    const open = async (): Promise<CommandRunner> => {
      if (!env.hostClusterId || !env.workbenchNamespace)
        throw new ExecTransportError(`environment ${env.id} has no workbench yet`, 'environment-not-ready');
      const ref = await this.registry.clusterRef(env.hostClusterId);
      return this.clients.forCluster(ref).execRunner({
        namespace: env.workbenchNamespace,
        pod: WORKBENCH_POD,
        container: WORKBENCH_CONTAINER,
      });
    };
    return {
      run: async (argv: readonly string[], options?: RunOptions): Promise<CommandResult> => {
        runner ??= open();
        try {
          return await (await runner).run(argv, options);
        } catch (error) {
          if (error instanceof ExecTransportError) throw error;
          runner = undefined;
          throw new ExecTransportError(
            `cannot reach the workbench of environment ${env.id}`,
            'transport-down',
            {
              cause: error,
            },
          );
        }
      },
    };
  }
}
