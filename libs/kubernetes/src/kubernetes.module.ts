import { type DynamicModule, Module } from '@nestjs/common';
import { KubeClients } from './kube-client.js';
import { DEFAULT_KUBE_CLIENT_OPTIONS, KUBE_CLIENT_OPTIONS, type KubeClientOptions } from './kube.types.js';

/** Kubernetes API access (clients per cluster, retries, rate limits) for whoever imports it. */
@Module({})
export class KubernetesModule {
  static forRoot(options: Partial<KubeClientOptions> = {}): DynamicModule {
    return {
      module: KubernetesModule,
      providers: [
        { provide: KUBE_CLIENT_OPTIONS, useValue: { ...DEFAULT_KUBE_CLIENT_OPTIONS, ...options } },
        KubeClients,
      ],
      exports: [KubeClients],
    };
  }
}
