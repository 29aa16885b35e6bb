import { SUBMISSION_STATUSES, type SubmissionStatusName } from '@kubecohort/contracts';
import { MAX_REVIEW_COMMENT_LENGTH } from '@kubecohort/grading';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { IsPageLimit } from '../cohorts/dto-helpers.js';

const TASK_ID = /^[a-z0-9][a-z0-9-]{0,119}$/;
const TASK_ID_MESSAGE = '$property must be a task id (lower-case letters, digits and dashes)';

// ───────────────────────────── requests ─────────────────────────────

export class CreateSubmissionDto {
  @ApiProperty({
    description: "A task of your cohort's curriculum.",
    example: 'foundation-networking-fundamentals',
  })
  @IsString()
  @Matches(TASK_ID, { message: TASK_ID_MESSAGE })
  taskId!: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description:
      'Quiz tasks: `{"answers": {"<item id>": <option index> | "<written answer>"}}`. Review tasks: `{"text": "..."}` ' +
      'and/or `{"url": "https://..."}`. Omitted for grader tasks (the grader checks your environment) and self-check tasks.',
    example: { answers: { 'cidr-hosts': 1, 'dns-record': 2 } },
  })
  @IsOptional()
  @IsObject()
  answer?: Record<string, unknown>;
}

export class ListSubmissionsQuery {
  @ApiPropertyOptional({ description: 'Submissions per page (default 20).', minimum: 1, maximum: 100 })
  @IsPageLimit()
  limit?: number;

  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page (of the same query).' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;

  @ApiPropertyOptional({ description: 'Only this task.', example: 'lab-3-network-policy' })
  @IsOptional()
  @IsString()
  @Matches(TASK_ID, { message: TASK_ID_MESSAGE })
  taskId?: string;

  @ApiPropertyOptional({ enum: SUBMISSION_STATUSES, description: 'Only submissions in this status.' })
  @IsOptional()
  @IsIn(SUBMISSION_STATUSES)
  status?: SubmissionStatusName;
}

export class ListCohortSubmissionsQuery extends ListSubmissionsQuery {
  @ApiPropertyOptional({ format: 'uuid', description: "Only this student's submissions." })
  @IsOptional()
  @IsUUID()
  userId?: string;
}

export class RubricScoreDto {
  @ApiProperty({
    description: "A rubric item's id (a quiz's written item for quizzes).",
    example: 'evidence',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  id!: string;

  @ApiProperty({ description: "From 0 to the item's points.", example: 5 })
  @IsInt()
  @Min(0)
  points!: number;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;
}

export class ReviewSubmissionDto {
  @ApiProperty({
    description:
      "Review tasks: the score, up to the task's maxPoints. Quizzes: the points of the written items (the multiple-choice " +
      'points are added). Must equal the sum of the rubric points.',
    example: 17,
  })
  @IsInt()
  @Min(0)
  score!: number;

  @ApiPropertyOptional({
    maxLength: MAX_REVIEW_COMMENT_LENGTH,
    description: 'Feedback for the student (markdown).',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_REVIEW_COMMENT_LENGTH)
  comment?: string;

  @ApiProperty({
    type: [RubricScoreDto],
    description: "Every item of the task's rubric (a quiz: its written items), each scored once.",
  })
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => RubricScoreDto)
  rubric!: RubricScoreDto[];
}

// ───────────────────────────── responses ─────────────────────────────

export class SubmissionAcceptedDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['queued'] }) status!: 'queued';
}

export class SubmissionCheckDto {
  @ApiProperty({ example: 'namespace-exists' }) id!: string;
  @ApiProperty() title!: string;
  @ApiProperty() passed!: boolean;
  @ApiProperty({
    description: 'Not run (a check it depends on failed), or a written quiz item awaiting review.',
  })
  skipped!: boolean;
  @ApiProperty() points!: number;
  @ApiProperty() maxPoints!: number;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Why it failed, one line of at most 200 characters.',
  })
  message!: string | null;
  @ApiProperty({ type: String, nullable: true }) hint!: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'What the check saw, e.g. `{pods, ports, expected, actual}` for a connectivity matrix.',
  })
  evidence!: unknown;
}

export class SubmissionReviewDto {
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) reviewerId!: string | null;
  @ApiProperty({ type: String, nullable: true }) comment!: string | null;
  @ApiProperty({ type: [RubricScoreDto] }) rubric!: RubricScoreDto[];
}

export class ReviewItemDto {
  @ApiProperty({ example: 'evidence' }) id!: string;
  @ApiProperty({ example: 'The write-up shows the policy blocking the traffic' }) criterion!: string;
  @ApiProperty({ example: 5 }) points!: number;
}

export class SubmissionDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) cohortId!: string;
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty() taskId!: string;
  @ApiProperty({ enum: SUBMISSION_STATUSES }) status!: SubmissionStatusName;
  @ApiProperty({ type: Number, nullable: true }) score!: number | null;
  @ApiProperty({ type: Number, nullable: true }) maxScore!: number | null;
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true }) answer!: unknown;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Why the grading could not be carried out (status error); never a failed check.',
  })
  error!: string | null;
  @ApiProperty({ type: [SubmissionCheckDto] }) checks!: SubmissionCheckDto[];
  @ApiProperty({ type: SubmissionReviewDto, nullable: true }) review!: SubmissionReviewDto | null;
  @ApiProperty({
    type: [ReviewItemDto],
    nullable: true,
    description:
      'What a review scores (review tasks: the rubric; quizzes: their written items); null for tasks nobody reviews. POST /submissions/:id/review scores each once.',
  })
  reviewItems!: ReviewItemDto[] | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) startedAt!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) finishedAt!: string | null;
}

export class SubmissionSummaryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) cohortId!: string;
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty() taskId!: string;
  @ApiProperty({ enum: SUBMISSION_STATUSES }) status!: SubmissionStatusName;
  @ApiProperty({ type: Number, nullable: true }) score!: number | null;
  @ApiProperty({ type: Number, nullable: true }) maxScore!: number | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) finishedAt!: string | null;
}

export class SubmissionPageDto {
  @ApiProperty({ type: [SubmissionSummaryDto] }) items!: SubmissionSummaryDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}
