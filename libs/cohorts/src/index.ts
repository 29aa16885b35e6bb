export type { RequestMeta } from './audit-context.js';
export {
  CohortAdmin,
  DEFAULT_PLAN_STEPS,
  type CreateCohortInput,
  type StepPatch,
  type UpdateCohortInput,
} from './cohort-admin.use-case.js';
export {
  CohortRepository,
  toPublicView,
  toStaffView,
  toSummary,
  type CohortDetailRow,
} from './cohort.repository.js';
export { CohortStudents, erasedDisplayName } from './cohort-students.use-case.js';
export type {
  CohortDiscordView,
  CohortPublicView,
  CohortStaffView,
  CohortStepView,
  CohortSummary,
  CohortView,
  InviteView,
  MeView,
  RosterImportResult,
  ServiceTokenView,
  StudentRow,
  UserView,
} from './cohort.views.js';
export { CohortsModule } from './cohorts.module.js';
export { parseCsv, type CsvRecord } from './csv.parser.js';
export {
  DiscordDirectory,
  type DiscordMemberQuery,
  type DiscordMemberView,
} from './discord-directory.use-case.js';
export { DiscordJoin, type DiscordJoinInput, type DiscordJoinResult } from './discord-join.use-case.js';
export {
  DISCORD_LINK_CODE_TTL_SECONDS,
  DiscordLinking,
  type DiscordLinkInput,
} from './discord-link.use-case.js';
export { EnrollmentRepository, toStudentRow, type EnrollmentWithUser } from './enrollment.repository.js';
export { EnrollmentWriter, type EnrollOutcome } from './enrollment.writer.js';
export { GetMe } from './get-me.use-case.js';
export {
  DISCORD_ID_PATTERN,
  isValidEmail,
  normalizeCode,
  normalizeDiscordUsername,
  normalizeEmail,
} from './identity.normalizers.js';
export { InstructorAssignment } from './instructor-assignment.use-case.js';
export { INVITE_CODE_LENGTH, InviteAdmin } from './invite-admin.use-case.js';
export {
  assertInviteValid,
  InviteRepository,
  toInviteView,
  type InviteWithCohort,
} from './invite.repository.js';
export { JoinWithInvite, type JoinInput, type JoinResult } from './join-with-invite.use-case.js';
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, pageSize, readIdCursor, readTimeCursor } from './page.js';
export { PASSWORD_RESET_TTL_SECONDS, PasswordResets } from './password-reset.use-case.js';
export { RosterImport } from './roster-import.use-case.js';
export {
  parseRoster,
  ROSTER_MAX_ROWS,
  type ParsedRoster,
  type RosterLineError,
  type RosterRow,
} from './roster.parser.js';
export { ServiceTokenAdmin } from './service-token-admin.use-case.js';
export { canonicalTimeZone, isIanaTimeZone } from './time-zone.js';
export { UserAdmin, type CreateStaffInput } from './user-admin.use-case.js';
