import type { UserPrincipal } from '@kubecohort/auth';
import { DomainError } from '@kubecohort/contracts';
import { PrismaService } from '@kubecohort/database';
import { Injectable } from '@nestjs/common';
import type { MeView } from './cohort.views.js';

/** The caller's own account, Discord link and active enrollment (the dashboard's and bot's "who am I"). */
@Injectable()
export class GetMe {
  constructor(private readonly prisma: PrismaService) {}

  async execute(principal: UserPrincipal): Promise<MeView> {
    const user = await this.prisma.user.findUnique({
      where: { id: principal.userId },
      select: {
        id: true,
        email: true,
        displayName: true,
        role: true,
        disabledAt: true,
        erasedAt: true,
        discordLink: { select: { discordUserId: true, discordUsername: true } },
        activeEnrollment: {
          select: {
            id: true,
            cohortId: true,
            status: true,
            currentStep: true,
            cohort: { select: { name: true, deletedAt: true } },
          },
        },
      },
    });
    if (!user || user.role === 'service' || user.disabledAt || user.erasedAt) {
      throw new DomainError('unauthorized', 'account_unavailable', 'this account is no longer available');
    }
    const enrollment =
      user.activeEnrollment && !user.activeEnrollment.cohort.deletedAt ? user.activeEnrollment : null;
    return {
      id: user.id,
      email: user.email,
      displayName: user.displayName,
      role: user.role,
      discord: user.discordLink
        ? { userId: user.discordLink.discordUserId, username: user.discordLink.discordUsername }
        : null,
      enrollment: enrollment
        ? {
            id: enrollment.id,
            cohortId: enrollment.cohortId,
            cohortName: enrollment.cohort.name,
            status: enrollment.status,
            currentStep: enrollment.currentStep,
          }
        : null,
    };
  }
}
