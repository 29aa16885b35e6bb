import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

export class LoginDto {
  @ApiProperty({ example: 'ada@example.org' })
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty()
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  password!: string;

  @ApiPropertyOptional({
    enum: ['body', 'cookie'],
    description:
      'Where to return the refresh token: the dashboard uses an httpOnly cookie, API clients the body.',
  })
  @IsOptional()
  @IsIn(['body', 'cookie'])
  refreshTokenIn?: 'body' | 'cookie';
}

export class RefreshDto {
  @ApiPropertyOptional({ description: 'Omit when the refresh token is in the httpOnly cookie.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  refreshToken?: string;
}

export class TokensDto {
  @ApiProperty() accessToken!: string;
  @ApiPropertyOptional({ description: 'Absent when it was set as an httpOnly cookie.' })
  refreshToken?: string;
  @ApiProperty({ description: 'Access token lifetime in seconds.' }) expiresIn!: number;
}
