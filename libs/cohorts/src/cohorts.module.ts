import { Module } from '@nestjs/common';
import { CohortAdmin } from './cohort-admin.use-case.js';
import { CohortRepository } from './cohort.repository.js';
import { CohortStudents } from './cohort-students.use-case.js';
import { DiscordDirectory } from './discord-directory.use-case.js';
import { DiscordJoin } from './discord-join.use-case.js';
import { DiscordLinking } from './discord-link.use-case.js';
import { EnrollmentRepository } from './enrollment.repository.js';
import { EnrollmentWriter } from './enrollment.writer.js';
import { GetMe } from './get-me.use-case.js';
import { InstructorAssignment } from './instructor-assignment.use-case.js';
import { InviteAdmin } from './invite-admin.use-case.js';
import { InviteRepository } from './invite.repository.js';
import { JoinWithInvite } from './join-with-invite.use-case.js';
import { PasswordResets } from './password-reset.use-case.js';
import { RosterImport } from './roster-import.use-case.js';
import { ServiceTokenAdmin } from './service-token-admin.use-case.js';
import { UserAdmin } from './user-admin.use-case.js';

const useCases = [
  CohortAdmin,
  CohortStudents,
  DiscordDirectory,
  DiscordJoin,
  DiscordLinking,
  GetMe,
  InstructorAssignment,
  InviteAdmin,
  JoinWithInvite,
  PasswordResets,
  RosterImport,
  ServiceTokenAdmin,
  UserAdmin,
];
const repositories = [CohortRepository, EnrollmentRepository, InviteRepository, EnrollmentWriter];

/**
 * Identity and cohort use cases. Needs the global DatabaseModule, AuthModule and RealtimeModule
 * (Prisma, auth services, transactions with events).
 */
@Module({
  providers: [...repositories, ...useCases],
  exports: [...repositories, ...useCases],
})
export class CohortsModule {}
