import { AuditTrail, CohortAccess, type Principal, type UserPrincipal } from '@kubecohort/auth';
import { Clock } from '@kubecohort/config';
import { DomainError, type FieldProblem, type Page } from '@kubecohort/contracts';
import { type CohortStatus, type Prisma } from '@kubecohort/database';
import { Transactions } from '@kubecohort/realtime';
import { Injectable } from '@nestjs/common';
import type { RequestMeta } from './audit-context.js';
import { CohortRepository, toPublicView, toStaffView } from './cohort.repository.js';
import type { CohortStaffView, CohortSummary, CohortView } from './cohort.views.js';
import { pageSize } from './page.js';
import { canonicalTimeZone } from './time-zone.js';

/** Steps of the plan when the curriculum version lists none (it normally lists its seven). */
export const DEFAULT_PLAN_STEPS = 7;

export interface CreateCohortInput {
  name: string;
  timeZone?: string;
  startsAt?: Date | null;
  endsAt?: Date | null;
  cpuHoursBudget?: number | null;
  memoryGibHoursBudget?: number | null;
}

/** `undefined` leaves a field as it is; `null` clears it. */
export interface StepPatch {
  step: number;
  deadline?: Date | null;
  unlocksAt?: Date | null;
  locked?: boolean;
}

export interface UpdateCohortInput {
  name?: string;
  status?: CohortStatus;
  timeZone?: string;
  startsAt?: Date | null;
  endsAt?: Date | null;
  steps?: StepPatch[];
  discord?: {
    guildId?: string | null;
    forumChannelId?: string | null;
    instructorChannelId?: string | null;
    announceChannelId?: string | null;
  };
  cpuHoursBudget?: number | null;
  memoryGibHoursBudget?: number | null;
}

function zoneOrThrow(value: string): string {
  const zone = canonicalTimeZone(value);
  if (!zone)
    throw DomainError.invalid('unknown time zone', [
      { field: 'timeZone', problem: 'must be an IANA time zone such as Europe/Berlin' },
    ]);
  return zone;
}

function assertWindow(startsAt: Date | null, endsAt: Date | null): void {
  if (startsAt && endsAt && endsAt <= startsAt) {
    throw DomainError.invalid('the cohort must end after it starts', [
      { field: 'endsAt', problem: 'must be after startsAt' },
    ]);
  }
}

const sameTime = (a: Date | null, b: Date | null) => (a?.getTime() ?? null) === (b?.getTime() ?? null);

/** Creating, reading, editing and (soft) deleting cohorts, with events and audit. */
@Injectable()
export class CohortAdmin {
  constructor(
    private readonly cohorts: CohortRepository,
    private readonly access: CohortAccess,
    private readonly transactions: Transactions,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  /** Creates a draft cohort on the latest curriculum, its plan steps (step 1 open), and assigns the creating instructor. */
  async create(
    creator: UserPrincipal,
    input: CreateCohortInput,
    meta: RequestMeta = {},
  ): Promise<CohortStaffView> {
    const timeZone = zoneOrThrow(input.timeZone ?? 'UTC');
    assertWindow(input.startsAt ?? null, input.endsAt ?? null);
    const curriculum = await this.cohorts.latestCurriculum();
    if (!curriculum) {
      throw new DomainError(
        'unavailable',
        'curriculum_missing',
        'no curriculum version is published yet; seed the curriculum first',
      );
    }
    const stepNumbers =
      curriculum.steps.length > 0
        ? curriculum.steps.map((step) => step.number)
        : Array.from({ length: DEFAULT_PLAN_STEPS }, (_, i) => i + 1);
    const first = Math.min(...stepNumbers);
    const id = await this.transactions.run(async (tx) => {
      const cohort = await tx.cohort.create({
        data: {
          name: input.name.trim(),
          timeZone,
          startsAt: input.startsAt ?? null,
          endsAt: input.endsAt ?? null,
          cpuHoursBudget: input.cpuHoursBudget ?? null,
          memoryGibHoursBudget: input.memoryGibHoursBudget ?? null,
          curriculumVersionId: curriculum.id,
          steps: { create: stepNumbers.map((stepNumber) => ({ stepNumber, locked: stepNumber !== first })) },
          instructors: creator.role === 'instructor' ? { create: { userId: creator.userId } } : undefined,
        },
        select: { id: true },
      });
      await this.audit.record(
        creator,
        {
          action: 'cohort.create',
          targetType: 'cohort',
          targetId: cohort.id,
          cohortId: cohort.id,
          metadata: { curriculumVersion: curriculum.version },
          ...meta,
        },
        tx,
      );
      return cohort.id;
    });
    const row = await this.cohorts.findStaffed(creator, id);
    return toStaffView(row!);
  }

  list(
    principal: Principal,
    query: { status?: CohortStatus; guildId?: string; cursor?: string; limit?: number },
  ): Promise<Page<CohortSummary>> {
    return this.cohorts.list(principal, query, pageSize(query.limit));
  }

  /** Staff (and services) get the full view; students the public subset. */
  async get(principal: Principal, id: string): Promise<CohortView> {
    const row = await this.cohorts.findVisible(principal, id);
    if (!row) throw DomainError.notFound('cohort');
    const staff = !(principal.kind === 'user' && principal.role === 'student');
    return staff ? { view: 'staff', ...toStaffView(row) } : { view: 'student', ...toPublicView(row) };
  }

  async update(
    staff: UserPrincipal,
    id: string,
    patch: UpdateCohortInput,
    meta: RequestMeta = {},
  ): Promise<CohortStaffView> {
    const timeZone = patch.timeZone === undefined ? undefined : zoneOrThrow(patch.timeZone);
    const stepsSeen = new Set<number>();
    const stepProblems: FieldProblem[] = [];
    (patch.steps ?? []).forEach((step, index) => {
      if (stepsSeen.has(step.step))
        stepProblems.push({ field: `steps.${index}.step`, problem: 'appears more than once' });
      stepsSeen.add(step.step);
    });
    if (stepProblems.length > 0) throw DomainError.invalid('invalid steps', stepProblems);

    await this.transactions.run(async (tx, emit) => {
      const current = await this.cohorts.lockStaffed(staff, id, tx);
      if (!current) throw DomainError.notFound('cohort');
      const data: Prisma.CohortUpdateInput = {};
      const fields: string[] = [];
      const change = <K extends keyof Prisma.CohortUpdateInput>(
        field: string,
        key: K,
        next: Prisma.CohortUpdateInput[K],
        same: boolean,
      ) => {
        if (same) return;
        data[key] = next;
        if (!fields.includes(field)) fields.push(field);
      };
      if (patch.name !== undefined)
        change('name', 'name', patch.name.trim(), patch.name.trim() === current.name);
      if (patch.status !== undefined)
        change('status', 'status', patch.status, patch.status === current.status);
      if (timeZone !== undefined) change('timeZone', 'timeZone', timeZone, timeZone === current.timeZone);
      const startsAt = patch.startsAt === undefined ? current.startsAt : patch.startsAt;
      const endsAt = patch.endsAt === undefined ? current.endsAt : patch.endsAt;
      assertWindow(startsAt, endsAt);
      change('startsAt', 'startsAt', startsAt, sameTime(startsAt, current.startsAt));
      change('endsAt', 'endsAt', endsAt, sameTime(endsAt, current.endsAt));
      if (patch.cpuHoursBudget !== undefined) {
        change(
          'cpuHoursBudget',
          'cpuHoursBudget',
          patch.cpuHoursBudget,
          patch.cpuHoursBudget === current.cpuHoursBudget,
        );
      }
      if (patch.memoryGibHoursBudget !== undefined) {
        change(
          'memoryGibHoursBudget',
          'memoryGibHoursBudget',
          patch.memoryGibHoursBudget,
          patch.memoryGibHoursBudget === current.memoryGibHoursBudget,
        );
      }
      const discord = patch.discord ?? {};
      if (discord.guildId !== undefined)
        change('discord', 'discordGuildId', discord.guildId, discord.guildId === current.discordGuildId);
      if (discord.forumChannelId !== undefined) {
        change(
          'discord',
          'discordForumChannelId',
          discord.forumChannelId,
          discord.forumChannelId === current.discordForumChannelId,
        );
      }
      if (discord.instructorChannelId !== undefined) {
        change(
          'discord',
          'discordInstructorChannelId',
          discord.instructorChannelId,
          discord.instructorChannelId === current.discordInstructorChannelId,
        );
      }
      if (discord.announceChannelId !== undefined) {
        change(
          'discord',
          'discordAnnounceChannelId',
          discord.announceChannelId,
          discord.announceChannelId === current.discordAnnounceChannelId,
        );
      }

      const changedSteps: { step: number; locked: boolean; deadline: Date | null; unlocksAt: Date | null }[] =
        [];
      const problems: FieldProblem[] = [];
      (patch.steps ?? []).forEach((step, index) => {
        const row = current.steps.find((candidate) => candidate.stepNumber === step.step);
        if (!row) {
          problems.push({
            field: `steps.${index}.step`,
            problem: `must be one of the plan's steps (${current.steps.map((s) => s.stepNumber).join(', ')})`,
          });
          return;
        }
        const next = {
          step: step.step,
          locked: step.locked ?? row.locked,
          deadline: step.deadline === undefined ? row.deadline : step.deadline,
          unlocksAt: step.unlocksAt === undefined ? row.unlocksAt : step.unlocksAt,
        };
        if (
          next.locked !== row.locked ||
          !sameTime(next.deadline, row.deadline) ||
          !sameTime(next.unlocksAt, row.unlocksAt)
        ) {
          changedSteps.push(next);
        }
      });
      if (problems.length > 0) throw DomainError.invalid('invalid steps', problems);

      if (Object.keys(data).length > 0) await tx.cohort.update({ where: { id }, data });
      for (const step of changedSteps) {
        await tx.cohortStep.update({
          where: { cohortId_stepNumber: { cohortId: id, stepNumber: step.step } },
          data: { locked: step.locked, deadline: step.deadline, unlocksAt: step.unlocksAt },
        });
      }
      if (changedSteps.length > 0) {
        fields.push('steps');
        // Touch the cohort so updatedAt reflects plan edits too.
        if (Object.keys(data).length === 0)
          await tx.cohort.update({ where: { id }, data: { updatedAt: this.clock.now() } });
      }
      if (fields.length === 0) return;
      await emit(id, 'cohort.updated', { fields });
      for (const step of changedSteps) {
        await emit(id, 'plan.updated', {
          step: step.step,
          locked: step.locked,
          deadline: step.deadline?.toISOString() ?? null,
        });
      }
      await this.audit.record(
        staff,
        {
          action: 'cohort.update',
          targetType: 'cohort',
          targetId: id,
          cohortId: id,
          metadata: { fields, steps: changedSteps.map((step) => step.step) },
          ...meta,
        },
        tx,
      );
    });
    const row = await this.cohorts.findStaffed(staff, id);
    if (!row) throw DomainError.notFound('cohort');
    return toStaffView(row);
  }

  /**
   * Soft delete (admins and the cohort's instructors). Its students are unenrolled so they are free
   * to join another cohort, and its invites stop working; rows stay for the record.
   */
  async remove(staff: UserPrincipal, id: string, meta: RequestMeta = {}): Promise<void> {
    await this.access.assertStaff(staff, id);
    const now = this.clock.now();
    await this.transactions.run(async (tx) => {
      const deleted = await tx.cohort.updateMany({
        where: { id, deletedAt: null },
        data: { deletedAt: now },
      });
      if (deleted.count === 0) throw DomainError.notFound('cohort');
      const released = await tx.enrollment.updateMany({
        where: { cohortId: id, status: 'active' },
        data: { status: 'unenrolled', activeUserId: null, unenrolledAt: now },
      });
      await tx.inviteCode.updateMany({ where: { cohortId: id, revokedAt: null }, data: { revokedAt: now } });
      await this.audit.record(
        staff,
        {
          action: 'cohort.delete',
          targetType: 'cohort',
          targetId: id,
          cohortId: id,
          metadata: { unenrolled: released.count },
          ...meta,
        },
        tx,
      );
    });
  }
}
