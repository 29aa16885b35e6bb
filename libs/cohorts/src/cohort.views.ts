import type { CohortStatus, EnrollmentStatus, UserRole } from '@kubecohort/database';

export interface CohortStepView {
  step: number;
  locked: boolean;
  unlocksAt: string | null;
  deadline: string | null;
}

/** What members who are students see of their cohort. */
export interface CohortPublicView {
  id: string;
  name: string;
  status: CohortStatus;
  timeZone: string;
  startsAt: string | null;
  endsAt: string | null;
  curriculumVersion: { id: string; version: number; title: string };
  steps: CohortStepView[];
  instructors: { userId: string; displayName: string }[];
}

export interface CohortDiscordView {
  guildId: string | null;
  forumChannelId: string | null;
  instructorChannelId: string | null;
  announceChannelId: string | null;
}

/** What staff (and services with read-cohorts) see. */
export interface CohortStaffView extends CohortPublicView {
  discord: CohortDiscordView;
  cpuHoursBudget: number | null;
  memoryGibHoursBudget: number | null;
  activeStudents: number;
  createdAt: string;
  updatedAt: string;
}

export type CohortView = (CohortPublicView & { view: 'student' }) | (CohortStaffView & { view: 'staff' });

export interface CohortSummary {
  id: string;
  name: string;
  status: CohortStatus;
  timeZone: string;
  startsAt: string | null;
  endsAt: string | null;
  createdAt: string;
}

export interface InviteView {
  id: string;
  code: string;
  expiresAt: string | null;
  maxUses: number | null;
  uses: number;
  revokedAt: string | null;
  createdAt: string;
}

export interface StudentRow {
  userId: string;
  displayName: string;
  email: string | null;
  discordUsername: string | null;
  /** The Discord username the roster expects this student to link (null when none). */
  expectedDiscordUsername: string | null;
  status: EnrollmentStatus;
  enrolledAt: string;
  currentStep: number;
}

export interface MeView {
  id: string;
  email: string | null;
  displayName: string;
  role: Exclude<UserRole, 'service'>;
  discord: { userId: string; username: string } | null;
  enrollment: {
    id: string;
    cohortId: string;
    cohortName: string;
    status: EnrollmentStatus;
    currentStep: number;
  } | null;
}

export interface UserView {
  id: string;
  email: string | null;
  displayName: string;
  role: UserRole;
  discordUsername: string | null;
  createdAt: string;
  disabledAt: string | null;
  erasedAt: string | null;
}

export interface ServiceTokenView {
  id: string;
  name: string;
  scopes: string[];
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

export interface RosterImportResult {
  created: number;
  updated: number;
  unchanged: number;
  errors: { line: number; message: string }[];
}

export const iso = (value: Date | null | undefined): string | null => (value ? value.toISOString() : null);
