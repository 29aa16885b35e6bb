import { ENVIRONMENT_STATES, type EnvironmentStateName } from '@kubecohort/contracts';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { IsInstantOrNull, IsPageLimit } from '../cohorts/dto-helpers.js';

export class RegisterHostClusterDto {
  @ApiProperty({ example: 'eu-west-1a', description: 'Unique; lower-case letters, digits and dashes.' })
  @IsString()
  @Matches(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, {
    message: 'name must be lower-case letters, digits and dashes (at most 63)',
  })
  name!: string;

  @ApiProperty({ example: 'eu-west' })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  region!: string;

  @ApiProperty({
    description:
      'Kubeconfig (YAML) of a service account on the host cluster (see deploy/host-cluster). Only inline credentials are accepted; stored encrypted, never returned.',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(65536)
  kubeconfig!: string;

  @ApiProperty({ minimum: 1, example: 40 })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100_000)
  capacityEnvironments!: number;

  @ApiProperty({ minimum: 100, example: 200_000 })
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(100_000_000)
  capacityCpuMillis!: number;

  @ApiProperty({ minimum: 128, example: 400_000 })
  @Type(() => Number)
  @IsInt()
  @Min(128)
  @Max(1_000_000_000)
  capacityMemoryMib!: number;
}

class CapacityDto {
  @ApiProperty() environments!: number;
  @ApiProperty() cpuMillis!: number;
  @ApiProperty() memoryMib!: number;
}

export class HostClusterDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() region!: string;
  @ApiProperty() apiServerUrl!: string;
  @ApiProperty({ enum: ['active', 'draining', 'unreachable'] }) status!: string;
  @ApiProperty({ type: CapacityDto }) capacity!: CapacityDto;
  @ApiProperty({ type: CapacityDto, description: 'Held by environments not yet deleted.' })
  allocated!: CapacityDto;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastCheckedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) lastCheckError!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class HostClusterPageDto {
  @ApiProperty({ type: [HostClusterDto] }) items!: HostClusterDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class EnvironmentDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) cohortId!: string | null;
  @ApiProperty({ enum: ENVIRONMENT_STATES }) state!: EnvironmentStateName;
  @ApiProperty({ type: String, nullable: true, description: 'Why it failed or was deleted.' })
  stateReason!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'release-ready',
    description:
      'Current step: namespace, network-policies, vcluster-release, release-ready, statefulset-ready, kubeconfig-secret, vcluster-address, vcluster-api, workbench, ready (teardown: vcluster-release, namespaces, namespaces-gone, deleted).',
  })
  progressStep!: string | null;
  @ApiProperty({ minimum: 0, maximum: 100 }) progressPercent!: number;
  @ApiProperty({ type: String, nullable: true, description: "The vcluster API server's address." })
  serverUrl!: string | null;
  @ApiProperty() kubeconfigAvailable!: boolean;
  @ApiProperty({ format: 'date-time' }) requestedAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) readyAt!: string | null;
  @ApiProperty({ format: 'date-time' }) stateChangedAt!: string;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description:
      'When it is exported and torn down (the cohort end applies too); null: no expiry of its own.',
  })
  expiresAt!: string | null;
}

export class SetEnvironmentExpiryDto {
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'In the future; null clears it (the cohort end still applies).',
  })
  @IsInstantOrNull()
  expiresAt!: string | null;
}

export class StaffEnvironmentDto extends EnvironmentDto {
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) userId!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) hostClusterId!: string | null;
  @ApiProperty({ type: String, nullable: true }) namespace!: string | null;
  @ApiProperty({ type: String, nullable: true }) workbenchNamespace!: string | null;
}

export class StaffEnvironmentPageDto {
  @ApiProperty({ type: [StaffEnvironmentDto] }) items!: StaffEnvironmentDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class EnvironmentPageQuery {
  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 50 })
  @IsPageLimit()
  limit?: number;
}

export class CohortEnvironmentsQuery extends EnvironmentPageQuery {
  @ApiPropertyOptional({ enum: ENVIRONMENT_STATES, description: 'Every state but deleted when omitted.' })
  @IsOptional()
  @IsIn(ENVIRONMENT_STATES)
  state?: EnvironmentStateName;
}

export class EnvironmentExportDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid', description: 'The environment it was exported from.' })
  environmentId!: string;
  @ApiProperty({ example: 'reset', description: 'Why it was made.' }) reason!: string;
  @ApiProperty({ description: 'Size of the YAML bundle.' }) sizeBytes!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time', description: 'Deleted (and no longer downloadable) after this.' })
  expiresAt!: string;
}

export class EnvironmentOperationDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) cohortId!: string;
  @ApiProperty({ example: 'provision-cohort' }) kind!: string;
  @ApiProperty({ enum: ['running', 'succeeded', 'stopped'] }) state!: string;
  @ApiProperty({ description: 'Students covered (active enrollments).' }) total!: number;
  @ApiProperty({ description: 'Students who already had a live environment.' }) skipped!: number;
  @ApiProperty({ description: 'Environments this operation created.' }) created!: number;
  @ApiProperty({ description: 'Of those, ready (or asleep since).' }) ready!: number;
  @ApiProperty() failed!: number;
  @ApiProperty({ minimum: 0, maximum: 100, description: '(skipped + ready + failed) / total.' })
  percent!: number;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Why it stopped early: budget_exceeded, no_capacity.',
  })
  stopReason!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finishedAt!: string | null;
}

class ResourceHoursDto {
  @ApiProperty() cpuHours!: number;
  @ApiProperty() memoryGibHours!: number;
}

class BudgetDto {
  @ApiProperty({ type: Number, nullable: true }) cpuHours!: number | null;
  @ApiProperty({ type: Number, nullable: true }) memoryGibHours!: number | null;
}

class FootprintDto {
  @ApiProperty() cpuMillis!: number;
  @ApiProperty() memoryMib!: number;
}

class ScheduleDto {
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) startsAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) endsAt!: string | null;
  @ApiProperty({ type: Number, nullable: true }) days!: number | null;
  @ApiProperty({ description: 'Hours per day an environment is expected to run (it sleeps when idle).' })
  awakeHoursPerDay!: number;
  @ApiProperty({ type: Number, nullable: true }) hoursPerEnvironment!: number | null;
}

export class CostForecastDto {
  @ApiProperty({ format: 'uuid' }) cohortId!: string;
  @ApiProperty({ description: 'Active enrollments.' }) students!: number;
  @ApiProperty({ type: FootprintDto, description: 'One environment: vcluster quota plus workbench.' })
  footprint!: FootprintDto;
  @ApiProperty({ type: ScheduleDto }) schedule!: ScheduleDto;
  @ApiProperty({
    type: ResourceHoursDto,
    nullable: true,
    description: 'students x footprint x schedule; null until the cohort has start and end dates.',
  })
  forecast!: ResourceHoursDto | null;
  @ApiProperty({ type: ResourceHoursDto, description: "What the cohort's environments ran so far." })
  spent!: ResourceHoursDto;
  @ApiProperty({ type: BudgetDto, description: 'null: unlimited.' }) budget!: BudgetDto;
  @ApiProperty({ type: Boolean, nullable: true }) withinBudget!: boolean | null;
}
