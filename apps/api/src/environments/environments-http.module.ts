import { EnvironmentsModule, throwawayEncryptionKeys } from '@kubecohort/environments';
import { EnvironmentWakeUp } from '@kubecohort/grading';
import { type DynamicModule, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import type { ApiConfig } from '../api.config.js';
import { EnvironmentActivityInterceptor } from './environment-activity.interceptor.js';
import {
  CohortCostForecastController,
  CohortEnvironmentsController,
  EnvironmentsController,
} from './environments.controller.js';
import { HostClustersController } from './host-clusters.controller.js';
import { LifecycleWakeUp } from './lifecycle-wake-up.js';
import { MyEnvironmentController } from './my-environment.controller.js';

/**
 * HTTP edge of environments: host clusters (admin), my environment (students), staff views,
 * sleep/wake/reset, teardown. Global for one binding: EnvironmentWakeUp, which the submissions use
 * case (another module) calls to wake a student's environment.
 */
@Module({})
export class EnvironmentsHttpModule {
  static forRoot(config: ApiConfig): DynamicModule {
    return {
      module: EnvironmentsHttpModule,
      global: true,
      imports: [
        EnvironmentsModule.forApi({
          // Config validation requires the keys outside NODE_ENV=test.
          encryptionKeys: config.ENCRYPTION_KEYS ?? throwawayEncryptionKeys(),
          kube: {},
          sizing: {
            quotaCpuMillis: config.ENV_QUOTA_CPU_MILLIS,
            quotaMemoryMib: config.ENV_QUOTA_MEMORY_MIB,
            workbenchCpuMillis: config.WORKBENCH_CPU_MILLIS,
            workbenchMemoryMib: config.WORKBENCH_MEMORY_MIB,
          },
          activity: { throttleSeconds: config.ENV_ACTIVITY_THROTTLE_SECONDS },
          forecast: {
            awakeHoursPerDay: config.ENV_FORECAST_AWAKE_HOURS_PER_DAY,
            studentCap: {
              cpuHours: config.ENV_STUDENT_CAP_CPU_HOURS ?? null,
              memoryGibHours: config.ENV_STUDENT_CAP_MEMORY_GIB_HOURS ?? null,
            },
          },
        }),
      ],
      // Students' requests are activity (idle detection); some wake their environment.
      providers: [
        { provide: APP_INTERCEPTOR, useClass: EnvironmentActivityInterceptor },
        LifecycleWakeUp,
        { provide: EnvironmentWakeUp, useExisting: LifecycleWakeUp },
      ],
      exports: [EnvironmentWakeUp],
      controllers: [
        HostClustersController,
        MyEnvironmentController,
        EnvironmentsController,
        CohortEnvironmentsController,
        CohortCostForecastController,
      ],
    };
  }
}
