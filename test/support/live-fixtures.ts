import type { PrismaService } from '@kubecohort/database';
import { randomBytes, randomInt } from 'node:crypto';
import type { ApiHarness, TestUser } from './api-harness.js';

/** A minimal curriculum version row, so cohorts can exist without the full curriculum seed. */
export async function createBareCurriculumVersion(prisma: PrismaService): Promise<string> {
  const version = await prisma.curriculumVersion.create({
    data: {
      version: 1_000_000 + randomInt(1_000_000_000),
      title: 'live test curriculum',
      checksum: randomBytes(32).toString('hex'),
      source: '# live test',
    },
  });
  return version.id;
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
