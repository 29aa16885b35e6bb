import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { IsPageLimit } from '../cohorts/dto-helpers.js';

export class AuditLogQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only entries about this cohort.' })
  @IsOptional()
  @IsUUID()
  cohortId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only entries by this user (or service account).' })
  @IsOptional()
  @IsUUID()
  actorId?: string;

  @ApiPropertyOptional({
    description: 'An exact action, or a family with a trailing `.*` (`cohort.*`).',
    example: 'submission.review',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  @Matches(/^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*(\.\*)?$/, {
    message: 'action must be an action such as cohort.update, or a family such as cohort.*',
  })
  action?: string;

  @ApiPropertyOptional({ example: 'submission' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @Matches(/^[a-z][a-z0-9_-]*$/, { message: 'targetType must be a lower-case name such as submission' })
  targetType?: string;

  @ApiPropertyOptional({ description: 'Only entries about this target (with targetType).' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  targetId?: string;

  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page (of the same query).' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 50 })
  @IsPageLimit()
  limit?: number;
}

class AuditActorDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty({ enum: ['admin', 'instructor', 'student', 'service'] }) role!: string;
}

class AuditActAsDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() displayName!: string;
}

export class AuditLogEntryDto {
  @ApiProperty({ description: 'Increasing id (decimal string).', example: '1042' }) id!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ type: AuditActorDto, nullable: true, description: 'null: the system itself.' })
  actor!: AuditActorDto | null;
  @ApiProperty({
    type: AuditActAsDto,
    nullable: true,
    description: 'A service token acting for a student: that student.',
  })
  actAs!: AuditActAsDto | null;
  @ApiProperty({ example: 'submission.review' }) action!: string;
  @ApiProperty({ example: 'submission' }) targetType!: string;
  @ApiProperty({ type: String, nullable: true }) targetId!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) cohortId!: string | null;
  @ApiProperty({
    type: Object,
    nullable: true,
    description: 'Ids, field names, reasons; never personal data or secrets.',
  })
  metadata!: Record<string, unknown> | null;
  @ApiProperty({ type: String, nullable: true }) requestId!: string | null;
  @ApiProperty({ type: String, nullable: true }) ip!: string | null;
}

export class AuditLogPageDto {
  @ApiProperty({ type: [AuditLogEntryDto] }) items!: AuditLogEntryDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
