import type { PrismaService } from '@kubecohort/database';
import { CurriculumSeeder } from '@kubecohort/curriculum';
import { randomBytes } from 'node:crypto';
import type { ApiHarness, TestUser } from './api-harness.js';

/**
 * The real curriculum version (the seeder is idempotent). A bare, higher-numbered version would
 * become "the latest" that other suites' new cohorts are pinned to, leaving them without tasks.
 */
export async function seededCurriculumVersion(prisma: PrismaService): Promise<string> {
  return (await new CurriculumSeeder(prisma).seed()).versionId;
}

export interface LiveCohort {
  id: string;
  instructor: TestUser;
  students: TestUser[];
}

/** A fresh cohort with one instructor and `students` actively enrolled students. */
export async function createLiveCohort(
  api: ApiHarness,
  curriculumVersionId: string,
  students = 2,
): Promise<LiveCohort> {
  const cohort = await api.prisma.cohort.create({
    data: { name: `live ${randomBytes(3).toString('hex')}`, status: 'active', curriculumVersionId },
  });
  const instructor = await api.createUser('instructor');
  await api.prisma.cohortInstructor.create({ data: { cohortId: cohort.id, userId: instructor.id } });
  const enrolled: TestUser[] = [];
  for (let index = 0; index < students; index++) {
    const student = await api.createUser('student');
    await api.prisma.enrollment.create({
      data: { cohortId: cohort.id, userId: student.id, status: 'active', activeUserId: student.id },
    });
    enrolled.push(student);
  }
  return { id: cohort.id, instructor, students: enrolled };
}
