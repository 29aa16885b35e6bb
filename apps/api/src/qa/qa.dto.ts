import {
  ANSWER_BODY_MAX,
  MAX_SIMILAR,
  MAX_TAGS,
  QUESTION_BODY_MAX,
  QUESTION_TITLE_MAX,
  TAG_PATTERN,
  TASK_ID_PATTERN,
} from '@kubecohort/qa';
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { IsOptionalDiscordId, IsPageLimit } from '../cohorts/dto-helpers.js';

const trim = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

/** Required text, trimmed, between min and max characters. */
function Text(min: number, max: number): PropertyDecorator {
  return applyDecorators(trim(), IsString(), MinLength(min), MaxLength(max));
}

function Tags(): PropertyDecorator {
  return applyDecorators(
    IsOptional(),
    Transform(({ value }: { value: unknown }) =>
      Array.isArray(value)
        ? value.map((tag: unknown) => (typeof tag === 'string' ? tag.trim().toLowerCase() : tag))
        : value,
    ),
    IsArray(),
    ArrayMaxSize(MAX_TAGS),
    IsString({ each: true }),
    Matches(TAG_PATTERN, {
      each: true,
      message: 'each tag must be 1-32 lower-case letters, digits, or + # . -',
    }),
  );
}

function OptionalTaskId(): PropertyDecorator {
  return applyDecorators(
    IsOptional(),
    IsString(),
    Matches(TASK_ID_PATTERN, {
      message: '$property must be a task id (lower-case letters, digits and dashes)',
    }),
  );
}

// ───────────────────────────── requests ─────────────────────────────

export class AskQuestionDto {
  @ApiProperty({
    minLength: 3,
    maxLength: QUESTION_TITLE_MAX,
    example: 'Why does my NetworkPolicy block DNS?',
  })
  @Text(3, QUESTION_TITLE_MAX)
  title!: string;

  @ApiProperty({ minLength: 1, maxLength: QUESTION_BODY_MAX, description: 'Markdown.' })
  @Text(1, QUESTION_BODY_MAX)
  body!: string;

  @ApiPropertyOptional({
    description:
      "A task of the cohort's curriculum. The question gets the task's step and the asker's last grading of it.",
    example: 'lab-3-network-policy',
  })
  @OptionalTaskId()
  taskId?: string;

  @ApiPropertyOptional({
    description: 'A step of the plan, for a question about a step rather than one task (taskId wins).',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(99)
  step?: number;

  @ApiPropertyOptional({
    type: [String],
    maxItems: MAX_TAGS,
    example: ['dns', 'calico'],
    description: 'Lower-cased; unknown tags are created.',
  })
  @Tags()
  tags?: string[];

  @ApiPropertyOptional({ description: 'The Discord thread this question mirrors (the bot only; unique).' })
  @IsOptionalDiscordId()
  discordThreadId?: string;
}

export class UpdateQuestionDto {
  @ApiPropertyOptional({ minLength: 3, maxLength: QUESTION_TITLE_MAX })
  @IsOptional()
  @Text(3, QUESTION_TITLE_MAX)
  title?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: QUESTION_BODY_MAX })
  @IsOptional()
  @Text(1, QUESTION_BODY_MAX)
  body?: string;

  @ApiPropertyOptional({ type: [String], maxItems: MAX_TAGS, description: 'Replaces the tags.' })
  @Tags()
  tags?: string[];
}

export class ListQuestionsQuery {
  @ApiPropertyOptional({
    description:
      'Full-text search over titles and bodies (web-search syntax: "phrase", -word, or). Best match first: title words above body words.',
  })
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.trim() || undefined : value,
  )
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({
    enum: ['true', 'false'],
    description: 'true: only questions without an answer that are not solved.',
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  unanswered?: boolean;

  @ApiPropertyOptional({ example: 'lab-3-network-policy' })
  @OptionalTaskId()
  taskId?: string;

  @ApiPropertyOptional({ example: 'dns' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.trim().toLowerCase() : value,
  )
  @IsString()
  @Matches(TAG_PATTERN, { message: '$property must be a tag' })
  tag?: string;

  @ApiPropertyOptional({ description: 'The question mirroring this Discord thread (for the bot).' })
  @IsOptionalDiscordId()
  discordThreadId?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, description: 'Default 20.' })
  @IsPageLimit()
  limit?: number;

  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page (of the same query).' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}

export class SimilarQuestionsQuery {
  @ApiProperty({ description: 'The title being typed.', example: 'pods cannot resolve DNS names' })
  @Text(1, QUESTION_TITLE_MAX)
  title!: string;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_SIMILAR, description: 'Default 3.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_SIMILAR)
  limit?: number;
}

export class CreateAnswerDto {
  @ApiProperty({ minLength: 1, maxLength: ANSWER_BODY_MAX, description: 'Markdown.' })
  @Text(1, ANSWER_BODY_MAX)
  body!: string;

  @ApiPropertyOptional({ description: 'The Discord message this answer mirrors (the bot only; unique).' })
  @IsOptionalDiscordId()
  discordMessageId?: string;
}

export class UpdateAnswerDto {
  @ApiProperty({ minLength: 1, maxLength: ANSWER_BODY_MAX })
  @Text(1, ANSWER_BODY_MAX)
  body!: string;
}

export class VoteDto {
  @ApiProperty({
    enum: [1, -1, 0],
    description: '1 up, -1 down, 0 withdraws your vote. One vote per person; voting again replaces it.',
  })
  @IsIn([1, -1, 0], { message: '$property must be 1, -1 or 0' })
  value!: 1 | -1 | 0;
}

export class AcceptAnswerDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: '$property must be a UUID' })
  answerId!: string;
}

// ───────────────────────────── responses (OpenAPI) ─────────────────────────────

export class UserRefDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() displayName!: string;
}

export class FailedCheckDto {
  @ApiProperty() id!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ type: String, nullable: true }) message!: string | null;
}

export class GradingSummaryDto {
  @ApiProperty({ format: 'uuid' }) submissionId!: string;
  @ApiProperty({ enum: ['passed', 'failed', 'pending_review', 'error'] }) status!: string;
  @ApiProperty({ type: Number, nullable: true }) score!: number | null;
  @ApiProperty({ type: Number, nullable: true }) maxScore!: number | null;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ type: [FailedCheckDto] }) failedChecks!: FailedCheckDto[];
}

export class ContextTaskDto {
  @ApiProperty() id!: string;
  @ApiProperty() title!: string;
  @ApiProperty() step!: number;
}

export class AskerContextDto {
  @ApiProperty({
    type: Number,
    nullable: true,
    description: "The asker's current step when they asked (null for staff).",
  })
  step!: number | null;
  @ApiProperty({ type: ContextTaskDto, nullable: true }) task!: ContextTaskDto | null;
  @ApiProperty({
    type: GradingSummaryDto,
    nullable: true,
    description: "The asker's latest finished grading of the task when they asked.",
  })
  lastGrading!: GradingSummaryDto | null;
}

export class QuestionDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) cohortId!: string;
  @ApiProperty({ type: UserRefDto }) author!: UserRefDto;
  @ApiProperty() title!: string;
  @ApiProperty() body!: string;
  @ApiProperty({ type: String, nullable: true }) taskId!: string | null;
  @ApiProperty({ type: Number, nullable: true }) step!: number | null;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ enum: ['open', 'answered', 'solved'] }) status!: string;
  @ApiProperty() answerCount!: number;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) acceptedAnswerId!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) solvedAt!: string | null;
  @ApiProperty({ type: String, nullable: true, enum: ['accepted', 'grading'] }) solvedBy!: string | null;
  @ApiProperty() locked!: boolean;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) lockedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) discordThreadId!: string | null;
  @ApiProperty({ type: AskerContextDto, nullable: true }) context!: AskerContextDto | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class SimilarQuestionDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ enum: ['open', 'answered', 'solved'] }) status!: string;
  @ApiProperty({ type: String, nullable: true }) taskId!: string | null;
  @ApiProperty() answerCount!: number;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) acceptedAnswerId!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class AskedQuestionDto extends QuestionDto {
  @ApiProperty({
    type: [SimilarQuestionDto],
    description: 'Up to three earlier questions sharing words with the title.',
  })
  similar!: SimilarQuestionDto[];
}

export class EndorsementDto {
  @ApiProperty({ type: UserRefDto }) by!: UserRefDto;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

export class AnswerDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) questionId!: string;
  @ApiProperty({ type: UserRefDto }) author!: UserRefDto;
  @ApiProperty() body!: string;
  @ApiProperty({ description: 'Sum of votes.' }) score!: number;
  @ApiProperty({ enum: [1, 0, -1], description: "The caller's vote (0: none)." }) myVote!: number;
  @ApiProperty() accepted!: boolean;
  @ApiProperty({ type: EndorsementDto, nullable: true }) endorsement!: EndorsementDto | null;
  @ApiProperty({ type: String, nullable: true }) discordMessageId!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class QuestionDetailDto extends QuestionDto {
  @ApiProperty({
    type: [AnswerDto],
    description: 'Accepted first, then endorsed, then by score, then oldest first.',
  })
  answers!: AnswerDto[];
}

export class QuestionPageDto {
  @ApiProperty({ type: [QuestionDto] }) items!: QuestionDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class VoteResultDto {
  @ApiProperty({ format: 'uuid' }) answerId!: string;
  @ApiProperty({ enum: [1, 0, -1], description: "The caller's vote now (0: none)." }) value!: number;
  @ApiProperty({ description: "The answer's score now." }) score!: number;
}

export class FaqAnswerDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() body!: string;
  @ApiProperty({ type: UserRefDto }) author!: UserRefDto;
  @ApiProperty() score!: number;
  @ApiProperty() endorsed!: boolean;
}

export class FaqEntryDto {
  @ApiProperty({ format: 'uuid' }) questionId!: string;
  @ApiProperty() title!: string;
  @ApiProperty() body!: string;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) solvedAt!: string | null;
  @ApiProperty({ type: FaqAnswerDto }) answer!: FaqAnswerDto;
}

export class FaqGroupDto {
  @ApiProperty({ type: Number, nullable: true }) step!: number | null;
  @ApiProperty({ type: String, nullable: true }) stepTitle!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: "null: the step's (or, with step null, the cohort's) general questions.",
  })
  taskId!: string | null;
  @ApiProperty({ type: String, nullable: true }) taskTitle!: string | null;
  @ApiProperty({ type: [FaqEntryDto] }) entries!: FaqEntryDto[];
}

export class FaqDto {
  @ApiProperty({ format: 'uuid' }) cohortId!: string;
  @ApiProperty({
    type: [FaqGroupDto],
    description: 'In plan order: step, its general questions, then its tasks; general last.',
  })
  groups!: FaqGroupDto[];
}
