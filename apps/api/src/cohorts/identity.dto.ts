import { SERVICE_SCOPES } from '@kubecohort/auth';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { IsDiscordId, IsPageLimit } from './dto-helpers.js';

const PASSWORD_MIN = 8;
const PASSWORD_MAX = 1024;

export class JoinDto {
  @ApiProperty({ example: 'K7QM2XPA' })
  @IsString()
  @MinLength(4)
  @MaxLength(32)
  inviteCode!: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  @IsString()
  @Matches(/\S/, { message: 'displayName must not be blank' })
  @MaxLength(80)
  displayName!: string;

  @ApiProperty({ example: 'ada@example.org' })
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty({
    minLength: PASSWORD_MIN,
    description: 'New account: the password to set. Existing account: its current password.',
  })
  @IsString()
  @MinLength(PASSWORD_MIN)
  @MaxLength(PASSWORD_MAX)
  password!: string;
}

export class JoinResultDto {
  @ApiProperty() accessToken!: string;
  @ApiProperty() refreshToken!: string;
  @ApiProperty({ description: 'Access token lifetime in seconds.' }) expiresIn!: number;
  @ApiProperty({ format: 'uuid' }) cohortId!: string;
}

export class DiscordJoinDto {
  @ApiProperty({ example: 'K7QM2XPA' })
  @IsString()
  @MinLength(4)
  @MaxLength(32)
  inviteCode!: string;

  @ApiProperty({ example: '80351110224678912' })
  @IsDiscordId()
  discordUserId!: string;

  @ApiProperty({ example: 'ada_l' })
  @IsString()
  @Matches(/\S/, { message: 'discordUsername must not be blank' })
  @MaxLength(64)
  discordUsername!: string;
}

export class DiscordJoinResultDto {
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty({ format: 'uuid' }) cohortId!: string;
  @ApiProperty({ format: 'uuid' }) enrollmentId!: string;
  @ApiProperty({ description: 'True when a new account was created for this Discord user.' })
  created!: boolean;
}

export class DiscordLinkDto {
  @ApiProperty({ description: 'The one-time code from POST /me/discord-link.' })
  @IsString()
  @MinLength(4)
  @MaxLength(32)
  code!: string;

  @ApiProperty()
  @IsDiscordId()
  discordUserId!: string;

  @ApiProperty()
  @IsString()
  @Matches(/\S/, { message: 'discordUsername must not be blank' })
  @MaxLength(64)
  discordUsername!: string;
}

export class LinkedUserDto {
  @ApiProperty({ format: 'uuid' }) userId!: string;
}

export class OneTimeCodeDto {
  @ApiProperty({ description: 'Shown once; only its hash is stored.' }) code!: string;
  @ApiProperty({ format: 'date-time' }) expiresAt!: string;
}

class MeDiscordDto {
  @ApiProperty() userId!: string;
  @ApiProperty() username!: string;
}

class MeEnrollmentDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) cohortId!: string;
  @ApiProperty() cohortName!: string;
  @ApiProperty({ enum: ['active', 'unenrolled', 'completed'] }) status!: string;
  @ApiProperty() currentStep!: number;
}

export class MeDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: String, nullable: true }) email!: string | null;
  @ApiProperty() displayName!: string;
  @ApiProperty({ enum: ['admin', 'instructor', 'student'] }) role!: string;
  @ApiProperty({ type: MeDiscordDto, nullable: true }) discord!: MeDiscordDto | null;
  @ApiProperty({ type: MeEnrollmentDto, nullable: true }) enrollment!: MeEnrollmentDto | null;
}

export class ResetPasswordDto {
  @ApiProperty()
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ description: 'The one-time code an instructor handed out.' })
  @IsString()
  @MinLength(4)
  @MaxLength(32)
  code!: string;

  @ApiProperty({ minLength: PASSWORD_MIN })
  @IsString()
  @MinLength(PASSWORD_MIN)
  @MaxLength(PASSWORD_MAX)
  newPassword!: string;
}

export class CreateServiceTokenDto {
  @ApiProperty({ example: 'discord-bot' })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/, {
    message: 'name must be 1-64 letters, digits, spaces, dots, dashes or underscores',
  })
  name!: string;

  @ApiProperty({ enum: SERVICE_SCOPES, isArray: true })
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @ArrayMaxSize(SERVICE_SCOPES.length)
  @IsIn(SERVICE_SCOPES, {
    each: true,
    message: `each value in scopes must be one of: ${SERVICE_SCOPES.join(', ')}`,
  })
  scopes!: string[];
}

export class CreatedServiceTokenDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'Shown once: store it now, it cannot be read again.' }) token!: string;
  @ApiProperty({ enum: SERVICE_SCOPES, isArray: true }) scopes!: string[];
}

export class ServiceTokenDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: SERVICE_SCOPES, isArray: true }) scopes!: string[];
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastUsedAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expiresAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revokedAt!: string | null;
}

export class ServiceTokenPageDto {
  @ApiProperty({ type: [ServiceTokenDto] }) items!: ServiceTokenDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class CreateUserDto {
  @ApiProperty()
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty()
  @IsString()
  @Matches(/\S/, { message: 'displayName must not be blank' })
  @MaxLength(80)
  displayName!: string;

  @ApiProperty({ enum: ['instructor', 'admin'] })
  @IsIn(['instructor', 'admin'])
  role!: 'instructor' | 'admin';

  @ApiProperty({ minLength: PASSWORD_MIN })
  @IsString()
  @MinLength(PASSWORD_MIN)
  @MaxLength(PASSWORD_MAX)
  password!: string;
}

export class UserDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: String, nullable: true }) email!: string | null;
  @ApiProperty() displayName!: string;
  @ApiProperty({ enum: ['admin', 'instructor', 'student'] }) role!: string;
  @ApiProperty({ type: String, nullable: true }) discordUsername!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) disabledAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) erasedAt!: string | null;
}

export class UserPageDto {
  @ApiProperty({ type: [UserDto] }) items!: UserDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class ListUsersQuery {
  @ApiPropertyOptional({ enum: ['admin', 'instructor', 'student'] })
  @IsOptional()
  @IsIn(['admin', 'instructor', 'student'])
  role?: 'admin' | 'instructor' | 'student';

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 50 })
  @IsPageLimit()
  limit?: number;
}
