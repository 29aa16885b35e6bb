import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'kubecohort:public';

/**
 * Marks a route as reachable without a token. Public routes are an explicit allow-list: the
 * global guard denies everything else.
 */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);
