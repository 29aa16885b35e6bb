import { Module } from '@nestjs/common';

/** HTTP edge of identity and cohorts: me, join, cohorts, invites, roster, instructors, tokens. */
@Module({})
export class CohortsHttpModule {}
