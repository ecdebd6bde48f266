import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/** Airbnb's fields of `POST /api/v1/airbnb/accounts` (admin adds `customer_id` and `sync_cron`). */
export class AirbnbAccountFields {
  @ApiProperty({
    description: 'Browser cookie string of the host session (auth cookies are kept, others dropped)',
    writeOnly: true,
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(16_384)
  cookie!: string;

  @ApiProperty({ description: 'X-Client-Version of the web bundle the cookie was captured with' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  x_client_version!: string;

  @ApiProperty({ description: 'User-Agent of the browser the cookie belongs to' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  user_agent!: string;

  @ApiPropertyOptional({
    description: 'Airbnb user id; derived from the cookie when absent, and must match it when given',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[0-9]{1,32}$/, { message: 'account_id must be digits only' })
  account_id?: string;
}

/** Airbnb's fields of `PATCH /api/v1/airbnb/accounts/{id}` (admin adds the shared ones). */
export class AirbnbAccountPatchFields {
  @ApiPropertyOptional({ writeOnly: true })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(16_384)
  cookie?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  x_client_version?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  user_agent?: string;
}

/** The body of `POST /api/v1/airbnb/accounts/{id}/sync`. */
export class SyncRequestDto {
  @ApiPropertyOptional({
    enum: ['backfill', 'incremental'],
    description: 'default: backfill on the first sync, else incremental',
  })
  @IsOptional()
  @IsIn(['backfill', 'incremental'])
  mode?: 'backfill' | 'incremental';
}

/** `?validate=` of POST and PATCH: whether the credential check (preflight) runs. */
export class ValidateQuery {
  @ApiPropertyOptional({
    default: true,
    description: 'false: store the credentials without the credential check (preflight) against Airbnb',
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    value === 'true' || value === true ? true : value === 'false' || value === false ? false : value,
  )
  @IsBoolean()
  validate?: boolean;
}
