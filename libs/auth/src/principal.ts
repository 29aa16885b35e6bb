import type { UserRoleName } from '@kubecohort/contracts';

/** Who is calling, after authentication. */
export type Principal = UserPrincipal | ServicePrincipal;

export interface UserPrincipal {
  kind: 'user';
  userId: string;
  role: Exclude<UserRoleName, 'service'>;
  /** Set when a service token acts for this user (X-Act-As-Discord): the user's own permissions apply. */
  via?: { serviceTokenId: string; serviceUserId: string; discordUserId: string };
}

export interface ServicePrincipal {
  kind: 'service';
  userId: string;
  tokenId: string;
  scopes: readonly string[];
}

export const SERVICE_SCOPES = [
  'act-as-student',
  'join-students',
  'read-cohorts',
  'write-events',
  'grading',
  'provisioning',
] as const;
export type ServiceScope = (typeof SERVICE_SCOPES)[number];

export function isAdmin(principal: Principal): boolean {
  return principal.kind === 'user' && principal.role === 'admin';
}
