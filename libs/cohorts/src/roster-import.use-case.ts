import { AuditTrail, CohortAccess, type UserPrincipal } from '@kubecohort/auth';
import { Clock } from '@kubecohort/config';
import type { Prisma } from '@kubecohort/database';
import { type Emit, Transactions } from '@kubecohort/realtime';
import { Injectable } from '@nestjs/common';
import type { RequestMeta } from './audit-context.js';
import type { RosterImportResult } from './cohort.views.js';
import { isUniqueViolation } from './prisma-errors.js';
import { parseRoster, type RosterRow } from './roster.parser.js';

type Outcome = 'created' | 'updated' | 'unchanged';

/** A line the import refuses, with the reason shown to the instructor. */
class LineRejected extends Error {}

/**
 * Imports an instructor's roster CSV. Each line is applied in its own transaction, so one bad line
 * never stops the others:
 * - `created`: a new enrollment in this cohort (and a new student account without password when
 *   the email is unknown; they set a password at their first join with the cohort's invite);
 * - `updated`: an existing enrollment whose name or expected Discord username changed, or a
 *   student who had been unenrolled from this cohort and is enrolled again;
 * - `unchanged`: nothing to do. Importing the same file twice gives all `unchanged` the second time.
 * A Discord column that is present but empty clears the expected username; no Discord column leaves it.
 */
@Injectable()
export class RosterImport {
  constructor(
    private readonly access: CohortAccess,
    private readonly transactions: Transactions,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  async execute(
    staff: UserPrincipal,
    cohortId: string,
    csv: string,
    meta: RequestMeta = {},
  ): Promise<RosterImportResult> {
    await this.access.assertStaff(staff, cohortId);
    const parsed = parseRoster(csv);
    const result: RosterImportResult = { created: 0, updated: 0, unchanged: 0, errors: [...parsed.errors] };
    for (const row of parsed.rows) {
      try {
        const outcome = await this.transactions.run((tx, emit) => this.applyRow(tx, emit, cohortId, row));
        result[outcome] += 1;
      } catch (error) {
        if (error instanceof LineRejected) result.errors.push({ line: row.line, message: error.message });
        else if (isUniqueViolation(error))
          result.errors.push({
            line: row.line,
            message: 'changed by someone else at the same moment; import again',
          });
        else throw error;
      }
    }
    result.errors.sort((a, b) => a.line - b.line);
    await this.audit.record(staff, {
      action: 'roster.import',
      targetType: 'cohort',
      targetId: cohortId,
      cohortId,
      metadata: {
        created: result.created,
        updated: result.updated,
        unchanged: result.unchanged,
        errors: result.errors.length,
      },
      ...meta,
    });
    return result;
  }

  private async applyRow(
    tx: Prisma.TransactionClient,
    emit: Emit,
    cohortId: string,
    row: RosterRow,
  ): Promise<Outcome> {
    const now = this.clock.now();
    const user = await tx.user.findUnique({
      where: { email: row.email },
      select: { id: true, role: true, displayName: true, disabledAt: true },
    });
    if (user && user.role !== 'student') throw new LineRejected('email belongs to a staff account');
    if (user?.disabledAt) throw new LineRejected('this account is disabled');
    const expected = row.discord === undefined ? {} : { expectedDiscordUsername: row.discord };

    if (!user) {
      const created = await tx.user.create({
        data: { email: row.email, displayName: row.name, role: 'student' },
        select: { id: true },
      });
      await this.enroll(tx, emit, cohortId, created.id, row, now);
      return 'created';
    }

    const enrollment = await tx.enrollment.findUnique({
      where: { cohortId_userId: { cohortId, userId: user.id } },
    });
    const activeElsewhere = async () =>
      (await tx.enrollment.count({ where: { activeUserId: user.id, cohortId: { not: cohortId } } })) > 0;
    const renamed = user.displayName !== row.name;
    const rename = async () => {
      if (renamed) await tx.user.update({ where: { id: user.id }, data: { displayName: row.name } });
    };

    if (!enrollment) {
      if (await activeElsewhere()) throw new LineRejected('student is enrolled in another cohort');
      await rename();
      await this.enroll(tx, emit, cohortId, user.id, row, now);
      return 'created';
    }
    if (enrollment.status === 'unenrolled') {
      if (await activeElsewhere()) throw new LineRejected('student is enrolled in another cohort');
      await rename();
      await tx.enrollment.update({
        where: { id: enrollment.id },
        data: { status: 'active', activeUserId: user.id, unenrolledAt: null, ...expected },
      });
      await emit(
        cohortId,
        'enrollment.changed',
        { userId: user.id, status: 'active' },
        { subjectUserId: user.id },
      );
      return 'updated';
    }
    const discordChanged = row.discord !== undefined && row.discord !== enrollment.expectedDiscordUsername;
    if (!renamed && !discordChanged) return 'unchanged';
    await rename();
    if (discordChanged) await tx.enrollment.update({ where: { id: enrollment.id }, data: expected });
    return 'updated';
  }

  private async enroll(
    tx: Prisma.TransactionClient,
    emit: Emit,
    cohortId: string,
    userId: string,
    row: RosterRow,
    now: Date,
  ): Promise<void> {
    await tx.enrollment.create({
      data: {
        cohortId,
        userId,
        activeUserId: userId,
        status: 'active',
        expectedDiscordUsername: row.discord ?? null,
        enrolledAt: now,
        stepStartedAt: now,
      },
    });
    await emit(cohortId, 'enrollment.changed', { userId, status: 'active' }, { subjectUserId: userId });
  }
}
