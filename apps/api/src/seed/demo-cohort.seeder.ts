import { PasswordHasher } from '@kubecohort/auth';
import { type Prisma, PrismaService, type TaskStatus } from '@kubecohort/database';
import { Injectable } from '@nestjs/common';

export const DEMO_INSTRUCTOR_EMAIL = 'instructor@demo.kubecohort.dev';
export const DEMO_STUDENT_EMAIL = 'student01@demo.kubecohort.dev';
const DEMO_COHORT_NAME = 'Demo cohort: Kubernetes networking';

const FIRST = [
  'Ada',
  'Linus',
  'Grace',
  'Ken',
  'Radia',
  'Vint',
  'Barbara',
  'Dennis',
  'Frances',
  'Whitfield',
  'Margaret',
  'Bjarne',
];
const LAST = ['Lovelace', 'Torvalds', 'Hopper', 'Thompson', 'Perlman', 'Cerf', 'Liskov', 'Ritchie'];

const ENV_STATES = [
  { state: 'ready', step: null, percent: 100 },
  { state: 'ready', step: null, percent: 100 },
  { state: 'sleeping', step: null, percent: 100 },
  { state: 'provisioning', step: 'vcluster', percent: 45 },
  { state: 'ready', step: null, percent: 100 },
  { state: 'failed', step: 'readiness', percent: 80 },
] as const;

const QUESTIONS = [
  {
    task: 'lab-1-basic-connectivity',
    title: 'Pod in lab1-b cannot resolve the service name from lab1-a',
    body: 'nslookup of the short name fails but the FQDN works. Is that expected across namespaces?',
  },
  {
    task: 'lab-3-network-policy',
    title: 'Default deny blocks DNS too?',
    body: 'After applying default deny egress my pods cannot resolve anything. Which port do I open for kube-dns?',
  },
  {
    task: 'lab-2-service-discovery',
    title: 'Service has no endpoints',
    body: 'kubectl get endpoints shows <none> for my ClusterIP service. The pods are Running.',
  },
  {
    task: null,
    title: 'What is the difference between a veth pair and a bridge?',
    body: 'In phase 1 we used both; when would I use one without the other?',
  },
] as const;

/** Deterministic pseudo-random numbers, so the demo looks the same on every machine. */
function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

export interface DemoResult {
  created: boolean;
  cohortId: string;
  students: number;
  instructorEmail: string;
  studentEmail: string;
  password: string;
}

/**
 * A demo instructor and cohort with a few dozen simulated students at varied points of the plan,
 * so every screen has something to show. Idempotent: an existing demo cohort is left as it is.
 */
@Injectable()
export class DemoCohortSeeder {
  constructor(
    private readonly prisma: PrismaService,
    private readonly hasher: PasswordHasher,
  ) {}

  async seed(versionId: string, password: string, studentCount = 36): Promise<DemoResult> {
    const result = (created: boolean, cohortId: string): DemoResult => ({
      created,
      cohortId,
      students: studentCount,
      instructorEmail: DEMO_INSTRUCTOR_EMAIL,
      studentEmail: DEMO_STUDENT_EMAIL,
      password,
    });
    const existing = await this.prisma.cohort.findFirst({
      where: { name: DEMO_COHORT_NAME, instructors: { some: { user: { email: DEMO_INSTRUCTOR_EMAIL } } } },
      select: { id: true },
    });
    if (existing) return result(false, existing.id);

    const passwordHash = await this.hasher.hash(password);
    const tasks = await this.prisma.curriculumTask.findMany({
      where: { versionId },
      orderBy: { position: 'asc' },
      select: { slug: true, maxPoints: true, completion: true, step: { select: { number: true } } },
    });
    const random = rng(42);
    const now = Date.now();
    const day = 86_400_000;

    const cohortId = await this.prisma.$transaction(
      async (tx) => {
        const instructor = await tx.user.upsert({
          where: { email: DEMO_INSTRUCTOR_EMAIL },
          create: {
            email: DEMO_INSTRUCTOR_EMAIL,
            displayName: 'Demo Instructor',
            role: 'instructor',
            passwordHash,
          },
          update: {},
        });
        const cohort = await tx.cohort.create({
          data: {
            name: DEMO_COHORT_NAME,
            status: 'active',
            timeZone: 'Europe/Berlin',
            startsAt: new Date(now - 21 * day),
            endsAt: new Date(now + 35 * day),
            curriculumVersionId: versionId,
            // Room for all 36 at the default footprint (5 CPU, 9 GiB) awake 8 h a day until the
            // end, with some margin: the forecast shows the budget without blocking the demo.
            cpuHoursBudget: 60_000,
            memoryGibHoursBudget: 120_000,
            instructors: { create: { userId: instructor.id } },
            steps: {
              create: [1, 2, 3, 4, 5, 6, 7].map((step) => ({
                stepNumber: step,
                locked: step > 5,
                deadline: new Date(now + (step * 8 - 20) * day),
              })),
            },
            invites: { create: { code: 'DEMO2026', maxUses: 200, createdById: instructor.id } },
          },
        });

        for (let index = 1; index <= studentCount; index += 1) {
          const name = `${FIRST[index % FIRST.length]} ${LAST[index % LAST.length]} ${index}`;
          const email = `student${String(index).padStart(2, '0')}@demo.kubecohort.dev`;
          const student = await tx.user.upsert({
            where: { email },
            create: { email, displayName: name, role: 'student', passwordHash },
            update: {},
          });
          // Spread students over the plan: a few far ahead, most in the middle, some stalled.
          const reached = Math.min(tasks.length, Math.floor(tasks.length * Math.pow(random(), 0.9) * 0.9));
          const currentStep = tasks[Math.max(0, reached - 1)]?.step.number ?? 1;
          const enrollment = await tx.enrollment.create({
            data: {
              cohortId: cohort.id,
              userId: student.id,
              activeUserId: student.id,
              enrolledAt: new Date(now - 21 * day),
              currentStep,
              stepStartedAt: new Date(now - Math.floor(random() * 6 * day)),
            },
          });
          if (index % 3 === 0) {
            await tx.discordLink.create({
              data: {
                userId: student.id,
                discordUserId: String(100000000000000000n + BigInt(index)),
                discordUsername: `student${index}`,
              },
            });
          }
          const rows: Prisma.TaskProgressCreateManyInput[] = [];
          for (let position = 0; position <= reached && position < tasks.length; position += 1) {
            const task = tasks[position]!;
            const last = position === reached;
            const roll = random();
            let status: TaskStatus = 'passed';
            if (last)
              status =
                roll < 0.45
                  ? 'in_progress'
                  : roll < 0.8
                    ? 'failed'
                    : task.completion === 'review'
                      ? 'pending_review'
                      : 'in_progress';
            const attempts =
              status === 'in_progress' ? 0 : 1 + Math.floor(random() * (status === 'failed' ? 4 : 2));
            const points =
              status === 'passed'
                ? Math.round(task.maxPoints * (0.7 + random() * 0.3))
                : status === 'failed'
                  ? Math.round(task.maxPoints * random() * 0.5)
                  : 0;
            const startedAt = new Date(now - (reached - position + 1) * day * (0.5 + random()));
            rows.push({
              cohortId: cohort.id,
              enrollmentId: enrollment.id,
              userId: student.id,
              taskSlug: task.slug,
              status,
              attempts,
              points,
              maxPoints: task.maxPoints,
              failStreak: status === 'failed' ? attempts : 0,
              failStreakCheck: status === 'failed' ? 'connectivity' : null,
              startedAt,
              completedAt: status === 'passed' ? new Date(startedAt.getTime() + random() * day) : null,
            });
          }
          if (rows.length > 0) await tx.taskProgress.createMany({ data: rows });
          const envState = ENV_STATES[index % ENV_STATES.length]!;
          await tx.environment.create({
            data: {
              cohortId: cohort.id,
              userId: student.id,
              activeUserId: student.id,
              state: envState.state,
              progressStep: envState.step,
              progressPercent: envState.percent,
              namespace: `kc-demo-${String(index).padStart(2, '0')}`,
              vclusterName: 'vc',
              cpuMillis: 1000,
              memoryMib: 2048,
              lastActivityAt: new Date(now - Math.floor(random() * 3 * day)),
            },
          });
          const question = QUESTIONS[index - 1];
          if (question) {
            await tx.question.create({
              data: {
                cohortId: cohort.id,
                authorId: student.id,
                taskSlug: question.task,
                title: question.title,
                body: question.body,
              },
            });
          }
        }
        return cohort.id;
      },
      { timeout: 120_000 },
    );
    return result(true, cohortId);
  }
}
