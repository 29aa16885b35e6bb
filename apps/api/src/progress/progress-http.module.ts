import { Module } from '@nestjs/common';

/** HTTP edge of curriculum plans and progress: plan, matrix, funnel, stuck, export, overrides. */
@Module({})
export class ProgressHttpModule {}
