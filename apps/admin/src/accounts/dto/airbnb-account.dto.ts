import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { PageLimitQuery } from '../../http/page-limit.query';

export class UpsertAirbnbAccountDto {
  @ApiProperty({ description: 'Browser cookie string of the host session (auth cookies are kept, others dropped)', writeOnly: true })
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

  @ApiPropertyOptional({ description: 'Airbnb user id; derived from the cookie when absent, and must match it when given' })
  @IsOptional()
  @IsString()
  @Matches(/^[0-9]{1,32}$/, { message: 'account_id must be digits only' })
  account_id?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  customer_id?: string;
}

export class PatchAirbnbAccountDto {
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

  @ApiPropertyOptional({ format: 'uuid', nullable: true })
  @IsOptional()
  @IsUUID()
  customer_id?: string | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  is_active?: boolean;

  @ApiPropertyOptional({ enum: ['active', 'paused'] })
  @IsOptional()
  @IsIn(['active', 'paused'])
  status?: 'active' | 'paused';
}

const toBoolean = ({ value }: { value: unknown }) => (value === 'true' || value === true ? true : value === 'false' || value === false ? false : value);

export class ListAccountsQuery extends PageLimitQuery {
  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  active_only?: boolean;

  @ApiPropertyOptional({ description: 'next_cursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export class DeleteAccountQuery {
  @ApiPropertyOptional({ default: false, description: 'remove the account and all of its data' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  hard?: boolean;
}

export class SyncRequestDto {
  @ApiPropertyOptional({ enum: ['backfill', 'incremental'], description: 'default: backfill on the first sync, else incremental' })
  @IsOptional()
  @IsIn(['backfill', 'incremental'])
  mode?: 'backfill' | 'incremental';
}
