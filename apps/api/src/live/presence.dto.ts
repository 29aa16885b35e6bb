import { ApiProperty } from '@nestjs/swagger';

export class PresenceWatcherDto {
  @ApiProperty({ format: 'uuid' })
  userId!: string;

  @ApiProperty()
  displayName!: string;

  @ApiProperty({ enum: ['admin', 'instructor'] })
  role!: 'admin' | 'instructor';

  @ApiProperty({ description: 'open live connections of this person on the cohort' })
  connections!: number;

  @ApiProperty({ format: 'date-time', description: 'when their earliest open connection started watching' })
  since!: string;
}

export class PresenceDto {
  @ApiProperty({ format: 'uuid' })
  cohortId!: string;

  @ApiProperty({
    description: 'increases with every change; the `presence` socket event carries the same snapshot',
  })
  version!: number;

  @ApiProperty({ type: [PresenceWatcherDto] })
  watching!: PresenceWatcherDto[];
}
