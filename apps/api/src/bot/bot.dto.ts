import { EVENT_TYPES } from '@kubecohort/contracts';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { IsOptionalDiscordId, IsPageLimit } from '../cohorts/dto-helpers.js';

export const EVENTS_PAGE_DEFAULT = 100;
export const EVENTS_PAGE_MAX = 1000;

export class DiscordMembersQuery {
  @ApiPropertyOptional({ description: 'Only the member linked to this Discord user (also finds admins).' })
  @IsOptionalDiscordId()
  discordUserId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only this member (also finds admins).' })
  @IsOptional()
  @IsUUID('all', { message: '$property must be a UUID' })
  userId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 50 })
  @IsPageLimit()
  limit?: number;
}

class MemberEnrollmentDto {
  @ApiProperty({ enum: ['active', 'unenrolled', 'completed'] }) status!: string;
  @ApiProperty() currentStep!: number;
  @ApiProperty({ format: 'date-time' }) stepStartedAt!: string;
}

class MemberEnvironmentDto {
  @ApiProperty() state!: string;
  @ApiProperty() progressPercent!: number;
  @ApiProperty({ type: String, nullable: true }) stateReason!: string | null;
}

export class DiscordMemberDto {
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty({ enum: ['admin', 'instructor', 'student'], description: 'admin and instructor: staff.' })
  role!: string;
  @ApiProperty() discordUserId!: string;
  @ApiProperty() discordUsername!: string;
  @ApiProperty({ type: MemberEnrollmentDto, nullable: true }) enrollment!: MemberEnrollmentDto | null;
  @ApiProperty({ type: MemberEnvironmentDto, nullable: true }) environment!: MemberEnvironmentDto | null;
}

export class DiscordMemberPageDto {
  @ApiProperty({ type: [DiscordMemberDto] }) items!: DiscordMemberDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class EventsQuery {
  @ApiPropertyOptional({
    description: 'Events with a greater id (a decimal event id). Absent: none, only `head`.',
    example: '1200',
  })
  @IsOptional()
  @Matches(/^\d{1,19}$/, { message: '$property must be an event id (a decimal string)' })
  after?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: EVENTS_PAGE_MAX, default: EVENTS_PAGE_DEFAULT })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(EVENTS_PAGE_MAX)
  limit?: number;
}

class StoredEventDto {
  @ApiProperty({ description: 'Decimal string, increasing per cohort in commit order.' }) id!: string;
  @ApiProperty({ enum: EVENT_TYPES }) type!: string;
  @ApiProperty({ format: 'uuid' }) cohortId!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) payload!: unknown;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) subjectUserId!: string | null;
}

export class EventPageDto {
  @ApiProperty({ type: [StoredEventDto] }) items!: StoredEventDto[];
  @ApiProperty({
    description:
      'The last committed event id when the page was read. When `items` is shorter than `limit`, every event up to `head` was returned: resume from `head`.',
  })
  head!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'Set when events after `after` were pruned (retention): the first id still stored. Those in between are lost.',
  })
  gapBefore!: string | null;
}
