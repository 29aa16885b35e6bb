import { OVERRIDE_STATUSES, type OverrideStatus } from '@kubecohort/progress';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';

export class CurriculumQueryDto {
  @ApiPropertyOptional({ description: 'A published version number; the latest when omitted.', example: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  version?: number;
}

export class MatrixQueryDto {
  @ApiPropertyOptional({ description: 'Students per page (default 100).', minimum: 1, maximum: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page.' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}

export class UpdateStepDto {
  @ApiPropertyOptional({
    description: 'false unlocks the step now; true locks it (until `unlocksAt`, if set).',
  })
  @IsOptional()
  @IsBoolean()
  locked?: boolean;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'The step unlocks by itself at this time (a past time counts as unlocked). null clears it.',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  unlocksAt?: string | null;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'The cohort deadline; null clears it.',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  deadline?: string | null;
}

export class ExtendDeadlineDto {
  @ApiProperty({ format: 'date-time', description: "This student's deadline for the step." })
  @IsISO8601({ strict: true })
  deadline!: string;

  @ApiProperty({ description: 'Why (kept in the audit log).', example: 'sick leave' })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  reason!: string;
}

export class OverrideProgressDto {
  @ApiPropertyOptional({ enum: OVERRIDE_STATUSES })
  @IsOptional()
  @IsIn(OVERRIDE_STATUSES)
  status?: OverrideStatus;

  @ApiPropertyOptional({ description: "From 0 to the task's maxPoints." })
  @IsOptional()
  @IsInt()
  @Min(0)
  points?: number;

  @ApiProperty({
    description: 'Why (kept in the audit log).',
    example: 'grader bug on check dns-resolves, verified by hand',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  reason!: string;
}

export class TaskProgressDto {
  @ApiProperty() taskId!: string;
  @ApiProperty() step!: number;
  @ApiProperty({ enum: ['locked', 'available', 'in_progress', 'pending_review', 'passed', 'failed'] })
  status!: string;
  @ApiProperty() attempts!: number;
  @ApiProperty({ description: "Best attempt's points, or the instructor's override." }) points!: number;
  @ApiProperty() maxPoints!: number;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) updatedAt!: string | null;
}

export class ProgressMatrixDto {
  @ApiProperty() cohortId!: string;
  @ApiProperty({ description: 'Curriculum version number the cohort is pinned to.' }) version!: number;
  @ApiProperty({
    description:
      "Event id of the cohort's event log the page reflects at least; apply live events with a greater id.",
  })
  revision!: string;
  @ApiProperty({ description: 'Epoch seconds.' }) generatedAt!: number;
  @ApiProperty({
    description: 'Columns: [{id, step, maxPoints}] in plan order.',
    type: 'array',
    items: { type: 'object' },
  })
  tasks!: unknown[];
  @ApiProperty({
    description: 'Rows: [{userId, displayName, currentStep}] in enrolment order.',
    type: 'array',
    items: { type: 'object' },
  })
  students!: unknown[];
  @ApiProperty({
    description:
      'One string per student, one status code per task: L locked, A available, I in_progress, R pending_review, P passed, F failed.',
    type: [String],
  })
  cells!: string[];
  @ApiProperty({
    description: 'attempts[student][task]',
    type: 'array',
    items: { type: 'array', items: { type: 'integer' } },
  })
  attempts!: number[][];
  @ApiProperty({
    description: 'points[student][task]',
    type: 'array',
    items: { type: 'array', items: { type: 'integer' } },
  })
  points!: number[][];
  @ApiProperty({
    description: 'updatedAt[student][task]: epoch seconds, null without a progress row.',
    type: 'array',
    items: { type: 'array', items: { type: 'integer', nullable: true } },
  })
  updatedAt!: (number | null)[][];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
