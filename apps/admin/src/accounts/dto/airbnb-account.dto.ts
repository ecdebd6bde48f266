import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
} from 'class-validator';
import { PatchAccountDto } from './patch-account.dto';
import { SyncCronProperty } from './sync-cron';

export class UpsertAirbnbAccountDto {
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

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  customer_id?: string;

  @SyncCronProperty()
  sync_cron?: string | null;
}

export class PatchAirbnbAccountDto extends PatchAccountDto {
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

export class SyncRequestDto {
  @ApiPropertyOptional({
    enum: ['backfill', 'incremental'],
    description: 'default: backfill on the first sync, else incremental',
  })
  @IsOptional()
  @IsIn(['backfill', 'incremental'])
  mode?: 'backfill' | 'incremental';
}

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
