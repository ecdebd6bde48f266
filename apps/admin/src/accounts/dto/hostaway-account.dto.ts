import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { PatchAccountDto } from './patch-account.dto';
import { SyncCronProperty } from './sync-cron';

export class UpsertHostawayAccountDto {
  @ApiProperty({ description: 'Hostaway account id (the OAuth client_id)', example: 10001 })
  @IsInt()
  @Min(1)
  account_id!: number;

  @ApiProperty({ description: 'OAuth client secret (stored encrypted, never returned)', writeOnly: true })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  client_secret!: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  customer_id?: string;

  @ApiPropertyOptional({
    description: 'HTTP Basic login Hostaway sends with unified webhooks for this account',
  })
  @ValidateIf(
    (dto: UpsertHostawayAccountDto) => dto.webhook_password !== undefined || dto.webhook_login !== undefined,
  )
  @IsString()
  @Matches(/^[^:\s]{3,128}$/, { message: 'webhook_login must be 3–128 characters without spaces or colons' })
  webhook_login?: string;

  @ApiPropertyOptional({
    description:
      'HTTP Basic password for webhooks, registered upstream with the login (stored encrypted and as a scrypt hash, never returned)',
    writeOnly: true,
  })
  @ValidateIf(
    (dto: UpsertHostawayAccountDto) => dto.webhook_login !== undefined || dto.webhook_password !== undefined,
  )
  @IsString()
  @MinLength(12)
  @MaxLength(256)
  webhook_password?: string;

  @SyncCronProperty()
  sync_cron?: string | null;
}

export class PatchHostawayAccountDto extends PatchAccountDto {
  @ApiPropertyOptional({ writeOnly: true })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  client_secret?: string;

  @ApiPropertyOptional()
  @ValidateIf(
    (dto: PatchHostawayAccountDto) => dto.webhook_password !== undefined || dto.webhook_login !== undefined,
  )
  @IsString()
  @Matches(/^[^:\s]{3,128}$/, { message: 'webhook_login must be 3–128 characters without spaces or colons' })
  webhook_login?: string;

  @ApiPropertyOptional({ writeOnly: true })
  @ValidateIf(
    (dto: PatchHostawayAccountDto) => dto.webhook_login !== undefined || dto.webhook_password !== undefined,
  )
  @IsString()
  @MinLength(12)
  @MaxLength(256)
  webhook_password?: string;
}

export class HostawaySyncQuery {
  @ApiPropertyOptional({
    enum: ['full', 'incremental'],
    description: 'default: full on the first sync, else incremental',
  })
  @IsOptional()
  @IsIn(['full', 'incremental'])
  mode?: 'full' | 'incremental';
}
