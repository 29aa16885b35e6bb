import 'reflect-metadata';
import { AdminBootstrap, PasswordHasher } from '@kubecohort/auth';
import { env, loadConfig, loadConfigOrExit } from '@kubecohort/config';
import { CurriculumSeeder } from '@kubecohort/curriculum';
import { DatabaseModule } from '@kubecohort/database';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { z } from 'zod';
import { DemoCohortSeeder } from './seed/demo-cohort.seeder.js';

/**
 * `node dist/apps/api/src/seed.js [--demo]`: loads the curriculum (idempotent; a changed curriculum
 * becomes a new version and running cohorts keep theirs), creates the first admin from
 * ADMIN_EMAIL/ADMIN_PASSWORD, and with --demo a demo instructor and cohort of simulated students.
 */
const schema = z.object({
  DATABASE_URL: env.postgresUrl(),
  ADMIN_EMAIL: z.email().optional(),
  ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  DEMO_PASSWORD: z.string().min(8).default('kubecohort-demo'),
});
const config = loadConfigOrExit('seed', () => loadConfig(schema));
const demo = process.argv.includes('--demo');

@Module({
  imports: [DatabaseModule.forRoot({ url: config.DATABASE_URL, poolMax: 4 })],
  providers: [CurriculumSeeder, AdminBootstrap, PasswordHasher, DemoCohortSeeder],
})
class SeedModule {}

const app = await NestFactory.createApplicationContext(SeedModule, { logger: ['error', 'warn'] });
try {
  const curriculum = await app.get(CurriculumSeeder).seed();
  console.log(
    `curriculum: version ${curriculum.version} ${curriculum.created ? 'loaded' : 'already present'}`,
  );
  if (config.ADMIN_EMAIL && config.ADMIN_PASSWORD) {
    const admin = await app.get(AdminBootstrap).ensureAdmin(config.ADMIN_EMAIL, config.ADMIN_PASSWORD);
    console.log(`admin ${config.ADMIN_EMAIL}: ${admin.created ? 'created' : 'already exists'}`);
  } else {
    console.log('admin: ADMIN_EMAIL/ADMIN_PASSWORD not set, none created');
  }
  if (demo) {
    const result = await app.get(DemoCohortSeeder).seed(curriculum.versionId, config.DEMO_PASSWORD);
    console.log(
      `demo cohort: ${result.created ? 'created' : 'already present'} (${result.students} students)`,
    );
  }
} finally {
  await app.close();
}
