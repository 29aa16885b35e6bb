import type { Principal } from '@kubecohort/auth';
import { EnvironmentActivity } from '@kubecohort/environments';
import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { from, type Observable, switchMap } from 'rxjs';
import { LifecycleWakeUp } from './lifecycle-wake-up.js';

const WAKES = 'kubecohort:wakes-environment';

/** A student action that needs their environment: a sleeping one starts waking before the handler runs. */
export const WakesEnvironment = (): MethodDecorator => SetMetadata(WAKES, true);

/**
 * Every authenticated request of a student (the bot acting for one included) is platform
 * activity for idle detection; routes marked @WakesEnvironment() also wake a sleeping environment.
 * Neither may fail the request: they are logged and skipped.
 */
@Injectable()
export class EnvironmentActivityInterceptor implements NestInterceptor {
  constructor(
    private readonly activity: EnvironmentActivity,
    private readonly wakeUp: LifecycleWakeUp,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const principal = context.switchToHttp().getRequest<{ principal?: Principal }>().principal;
    if (principal?.kind !== 'user' || principal.role !== 'student') return next.handle();
    // Only marked here: the marks are written later, in a batch (EnvironmentActivity).
    this.activity.record(principal.userId);
    if (this.reflector.get<boolean | undefined>(WAKES, context.getHandler()) !== true) return next.handle();
    return from(this.wakeUp.wake(principal.userId)).pipe(switchMap(() => next.handle()));
  }
}
