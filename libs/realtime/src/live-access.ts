import {
  AccessTokens,
  InvalidTokenError,
  ServiceTokens,
  staffedCohorts,
  visibleCohorts,
  type UserPrincipal,
} from '@kubecohort/auth';
import { PrismaService } from '@kubecohort/database';
import { Injectable } from '@nestjs/common';

/** The person behind a live socket, fixed at the handshake. */
export interface LivePrincipal {
  userId: string;
  role: UserPrincipal['role'];
  displayName: string;
}

/** The handshake fields a token may come in (Socket.IO's `handshake`). */
export interface LiveHandshake {
  auth?: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
}

/** A refused handshake; the message reaches the client as its `connect_error`. */
export class LiveAuthError extends Error {
  constructor(reason: string) {
    super(`unauthorized: ${reason}`);
    this.name = 'LiveAuthError';
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Who may open a live socket (a valid access token of an enabled account) and which cohorts they
 * may watch: staff of it (admins any, instructors the cohorts they teach) or a student actively
 * enrolled in it. Both checks are queries through the same WHERE builders as the REST routes.
 */
@Injectable()
export class LiveAccess {
  constructor(
    private readonly tokens: AccessTokens,
    private readonly prisma: PrismaService,
  ) {}

  static tokenOf(handshake: LiveHandshake): string | undefined {
    const fromAuth = handshake.auth?.token;
    if (typeof fromAuth === 'string' && fromAuth.trim()) return fromAuth.trim().replace(/^Bearer\s+/i, '');
    const header = handshake.headers.authorization;
    if (typeof header === 'string' && /^Bearer\s+\S/i.test(header))
      return header.replace(/^Bearer\s+/i, '').trim();
    return undefined;
  }

  async authenticate(handshake: LiveHandshake): Promise<LivePrincipal> {
    const token = LiveAccess.tokenOf(handshake);
    if (!token)
      throw new LiveAuthError('an access token is required (auth: {token} or Authorization: Bearer)');
    if (ServiceTokens.looksLikeServiceToken(token))
      throw new LiveAuthError('service tokens cannot open live feeds');
    let claims: { userId: string; role: UserPrincipal['role'] };
    try {
      claims = await this.tokens.verify(token);
    } catch (error) {
      if (error instanceof InvalidTokenError) throw new LiveAuthError(error.message);
      throw error;
    }
    const user = await this.prisma.user.findUnique({
      where: { id: claims.userId },
      select: { displayName: true, disabledAt: true, erasedAt: true },
    });
    if (!user || user.disabledAt || user.erasedAt) throw new LiveAuthError('account disabled');
    return { userId: claims.userId, role: claims.role, displayName: user.displayName };
  }

  /** `{staff}` when the principal may watch the cohort, null when not (or when it does not exist). */
  async authorize(principal: LivePrincipal, cohortId: string): Promise<{ staff: boolean } | null> {
    if (!UUID.test(cohortId)) return null;
    const user: UserPrincipal = { kind: 'user', userId: principal.userId, role: principal.role };
    const staff = principal.role !== 'student';
    const scope = staff ? staffedCohorts(user) : visibleCohorts(user);
    const found = await this.prisma.cohort.count({ where: { AND: [{ id: cohortId }, scope] } });
    return found === 0 ? null : { staff };
  }
}
