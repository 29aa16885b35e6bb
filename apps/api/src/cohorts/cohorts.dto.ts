import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsIanaTimeZone, IsOptionalDiscordId, IsOptionalInstant, IsPageLimit } from './dto-helpers.js';

const COHORT_STATUSES = ['draft', 'active', 'completed', 'archived'] as const;
const ENROLLMENT_STATUSES = ['active', 'unenrolled', 'completed'] as const;

/** Optional, nullable (= unlimited), non-negative. */
function IsBudget(): PropertyDecorator {
  return applyDecorators(
    IsOptional(),
    IsNumber({ allowNaN: false, allowInfinity: false }),
    Min(0),
    Max(1_000_000),
  );
}

export class CreateCohortDto {
  @ApiProperty({ example: 'Spring 2026 — evenings' })
  @IsString()
  @Matches(/\S/, { message: 'name must not be blank' })
  @MaxLength(120)
  name!: string;

  @ApiPropertyOptional({
    default: 'UTC',
    example: 'Europe/Berlin',
    description: 'IANA time zone of deadlines.',
  })
  @IsOptional()
  @IsIanaTimeZone()
  timeZone?: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  @IsOptionalInstant()
  startsAt?: string | null;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Must be after startsAt.',
  })
  @IsOptionalInstant()
  endsAt?: string | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    description: 'Environment CPU-hours budget; null = unlimited.',
  })
  @IsBudget()
  cpuHoursBudget?: number | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    description: 'Environment memory GiB-hours budget; null = unlimited.',
  })
  @IsBudget()
  memoryGibHoursBudget?: number | null;
}

export class StepPatchDto {
  @ApiProperty({ minimum: 1, maximum: 20 })
  @IsInt()
  @Min(1)
  @Max(20)
  step!: number;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'null clears the deadline.',
  })
  @IsOptionalInstant()
  deadline?: string | null;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the step opens by itself; null clears it.',
  })
  @IsOptionalInstant()
  unlocksAt?: string | null;

  @ApiPropertyOptional({ description: 'Open (false) or close (true) the step now.' })
  @IsOptional()
  @IsBoolean()
  locked?: boolean;
}

export class DiscordConfigDto {
  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptionalDiscordId()
  guildId?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptionalDiscordId()
  forumChannelId?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptionalDiscordId()
  instructorChannelId?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptionalDiscordId()
  announceChannelId?: string | null;
}

export class UpdateCohortDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Matches(/\S/, { message: 'name must not be blank' })
  @MaxLength(120)
  name?: string;

  @ApiPropertyOptional({ enum: COHORT_STATUSES })
  @IsOptional()
  @IsIn(COHORT_STATUSES)
  status?: (typeof COHORT_STATUSES)[number];

  @ApiPropertyOptional({ example: 'Europe/Berlin' })
  @IsOptional()
  @IsIanaTimeZone()
  timeZone?: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  @IsOptionalInstant()
  startsAt?: string | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  @IsOptionalInstant()
  endsAt?: string | null;

  @ApiPropertyOptional({ type: [StepPatchDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => StepPatchDto)
  steps?: StepPatchDto[];

  @ApiPropertyOptional({ type: DiscordConfigDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => DiscordConfigDto)
  discord?: DiscordConfigDto;

  @ApiPropertyOptional({ type: Number, nullable: true })
  @IsBudget()
  cpuHoursBudget?: number | null;

  @ApiPropertyOptional({ type: Number, nullable: true })
  @IsBudget()
  memoryGibHoursBudget?: number | null;
}

export class ListCohortsQuery {
  @ApiPropertyOptional({ enum: COHORT_STATUSES })
  @IsOptional()
  @IsIn(COHORT_STATUSES)
  status?: (typeof COHORT_STATUSES)[number];

  @ApiPropertyOptional({ description: 'Only the cohort mapped to this Discord guild (for the bot).' })
  @IsOptionalDiscordId()
  guildId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 50 })
  @IsPageLimit()
  limit?: number;
}

export class PageQuery {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 50 })
  @IsPageLimit()
  limit?: number;
}

export class ListStudentsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ENROLLMENT_STATUSES, description: 'All statuses when omitted.' })
  @IsOptional()
  @IsIn(ENROLLMENT_STATUSES)
  status?: (typeof ENROLLMENT_STATUSES)[number];
}

export class CreateInviteDto {
  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Never expires when omitted.',
  })
  @IsOptionalInstant()
  expiresAt?: string | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 1,
    maximum: 10000,
    description: 'Unlimited when omitted.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  maxUses?: number | null;
}

// ── responses (OpenAPI) ──

export class CohortStepDto {
  @ApiProperty() step!: number;
  @ApiProperty() locked!: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) unlocksAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) deadline!: string | null;
}

class CurriculumRefDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() version!: number;
  @ApiProperty() title!: string;
}

class InstructorRefDto {
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty() displayName!: string;
}

class CohortDiscordDto {
  @ApiProperty({ type: String, nullable: true }) guildId!: string | null;
  @ApiProperty({ type: String, nullable: true }) forumChannelId!: string | null;
  @ApiProperty({ type: String, nullable: true }) instructorChannelId!: string | null;
  @ApiProperty({ type: String, nullable: true }) announceChannelId!: string | null;
}

export class CohortSummaryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: COHORT_STATUSES }) status!: string;
  @ApiProperty() timeZone!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) startsAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) endsAt!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class CohortPageDto {
  @ApiProperty({ type: [CohortSummaryDto] }) items!: CohortSummaryDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class CohortDto {
  @ApiProperty({
    enum: ['staff', 'student'],
    description: 'Students see a public subset (no discord, budgets or counts).',
  })
  view!: string;
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: COHORT_STATUSES }) status!: string;
  @ApiProperty() timeZone!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) startsAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) endsAt!: string | null;
  @ApiProperty({ type: CurriculumRefDto }) curriculumVersion!: CurriculumRefDto;
  @ApiProperty({ type: [CohortStepDto] }) steps!: CohortStepDto[];
  @ApiProperty({ type: [InstructorRefDto] }) instructors!: InstructorRefDto[];
  @ApiPropertyOptional({ type: CohortDiscordDto }) discord?: CohortDiscordDto;
  @ApiPropertyOptional({ type: Number, nullable: true }) cpuHoursBudget?: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) memoryGibHoursBudget?: number | null;
  @ApiPropertyOptional() activeStudents?: number;
  @ApiPropertyOptional({ format: 'date-time' }) createdAt?: string;
  @ApiPropertyOptional({ format: 'date-time' }) updatedAt?: string;
}

export class InviteDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() code!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expiresAt!: string | null;
  @ApiProperty({ type: Number, nullable: true }) maxUses!: number | null;
  @ApiProperty() uses!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revokedAt!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class InvitePageDto {
  @ApiProperty({ type: [InviteDto] }) items!: InviteDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class StudentRowDto {
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty({ type: String, nullable: true }) email!: string | null;
  @ApiProperty({ type: String, nullable: true }) discordUsername!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'From the roster: the Discord username expected to link.',
  })
  expectedDiscordUsername!: string | null;
  @ApiProperty({ enum: ENROLLMENT_STATUSES }) status!: string;
  @ApiProperty({ format: 'date-time' }) enrolledAt!: string;
  @ApiProperty() currentStep!: number;
}

export class StudentPageDto {
  @ApiProperty({ type: [StudentRowDto] }) items!: StudentRowDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

class RosterLineErrorDto {
  @ApiProperty({ description: '1-based file line (the header is line 1).' }) line!: number;
  @ApiProperty() message!: string;
}

export class RosterImportResultDto {
  @ApiProperty({ description: 'New enrollments in this cohort (new or existing accounts).' })
  created!: number;
  @ApiProperty({
    description: 'Existing enrollments whose name or Discord username changed, or re-enrolled students.',
  })
  updated!: number;
  @ApiProperty() unchanged!: number;
  @ApiProperty({ type: [RosterLineErrorDto] }) errors!: RosterLineErrorDto[];
}

export class ErasedDto {
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty({ format: 'date-time' }) erasedAt!: string;
}
