import { DomainError } from '@kubecohort/contracts';
import { PrismaService } from '@kubecohort/database';
import { Injectable } from '@nestjs/common';
import { AccessTokens } from './access-tokens.js';
import { PasswordHasher } from './password-hasher.js';
import type { UserPrincipal } from './principal.js';
import { RefreshRejectedError, RefreshTokens } from './refresh-tokens.js';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

const invalidLogin = () =>
  new DomainError('unauthorized', 'invalid_credentials', 'email or password is wrong');

/** Password login, refresh rotation and logout for humans. */
@Injectable()
export class AuthService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly hasher: PasswordHasher,
    private readonly accessTokens: AccessTokens,
    private readonly refreshTokens: RefreshTokens,
  ) {}

  async login(email: string, password: string): Promise<TokenPair> {
    const user = await this.prisma.user.findUnique({
      where: { email: email.trim().toLowerCase() },
      select: { id: true, role: true, passwordHash: true, disabledAt: true, erasedAt: true },
    });
    const ok = await this.hasher.verify(user?.passwordHash, password);
    if (!user || !ok || user.disabledAt || user.erasedAt || user.role === 'service') throw invalidLogin();
    return this.issue(user.id, user.role);
  }

  /** A fresh token pair for a user (after login, join or a password reset). */
  async issue(userId: string, role: UserPrincipal['role'], familyId?: string): Promise<TokenPair> {
    const [accessToken, refreshToken] = await Promise.all([
      this.accessTokens.sign(userId, role),
      this.refreshTokens.issue(userId, familyId),
    ]);
    return { accessToken, refreshToken, expiresIn: this.accessTokens.ttlSeconds };
  }

  async refresh(refreshToken: string): Promise<TokenPair> {
    try {
      const rotated = await this.refreshTokens.rotate(refreshToken);
      const user = await this.prisma.user.findUniqueOrThrow({
        where: { id: rotated.userId },
        select: { role: true },
      });
      if (user.role === 'service') throw new RefreshRejectedError('service accounts cannot refresh');
      return {
        accessToken: await this.accessTokens.sign(rotated.userId, user.role),
        refreshToken: rotated.refreshToken,
        expiresIn: this.accessTokens.ttlSeconds,
      };
    } catch (error) {
      if (error instanceof RefreshRejectedError)
        throw new DomainError('unauthorized', 'invalid_refresh_token', error.message);
      throw error;
    }
  }

  /** Revokes the login the refresh token belongs to, only if it is the caller's own. */
  async logout(userId: string, refreshToken: string | undefined): Promise<void> {
    if (refreshToken) await this.refreshTokens.revokeFamilyOf(refreshToken, userId);
  }
}
