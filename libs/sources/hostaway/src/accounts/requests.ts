import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';

/** Whether a body gives either webhook field (then both are checked). */
const webhookGiven = (body: { webhook_login?: string; webhook_password?: string }) =>
  body.webhook_password !== undefined || body.webhook_login !== undefined;

/** Hostaway's fields of `POST /api/v1/hostaway/accounts` (admin adds `customer_id` and `sync_cron`). */
export class HostawayAccountFields {
  @ApiProperty({ description: 'Hostaway account id (the OAuth client_id)', example: 10001 })
  @IsInt()
  @Min(1)
  account_id!: number;

  @ApiProperty({ description: 'OAuth client secret (stored encrypted, never returned)', writeOnly: true })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  client_secret!: string;

  @ApiPropertyOptional({
    description: 'HTTP Basic login Hostaway sends with unified webhooks for this account',
  })
  @ValidateIf(webhookGiven)
  @IsString()
  @Matches(/^[^:\s]{3,128}$/, { message: 'webhook_login must be 3–128 characters without spaces or colons' })
  webhook_login?: string;

  @ApiPropertyOptional({
    description:
      'HTTP Basic password for webhooks, registered upstream with the login (stored encrypted and as a scrypt hash, never returned)',
    writeOnly: true,
  })
  @ValidateIf(webhookGiven)
  @IsString()
  @MinLength(12)
  @MaxLength(256)
  webhook_password?: string;
}

/** Hostaway's fields of `PATCH /api/v1/hostaway/accounts/{id}` (admin adds the shared ones). */
export class HostawayAccountPatchFields {
  @ApiPropertyOptional({ writeOnly: true })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  client_secret?: string;

  @ApiPropertyOptional()
  @ValidateIf(webhookGiven)
  @IsString()
  @Matches(/^[^:\s]{3,128}$/, { message: 'webhook_login must be 3–128 characters without spaces or colons' })
  webhook_login?: string;

  @ApiPropertyOptional({ writeOnly: true })
  @ValidateIf(webhookGiven)
  @IsString()
  @MinLength(12)
  @MaxLength(256)
  webhook_password?: string;
}

/** `?mode=` of `POST /api/v1/hostaway/accounts/{id}/sync`. */
export class HostawaySyncQuery {
  @ApiPropertyOptional({
    enum: ['full', 'incremental'],
    description: 'default: full on the first sync, else incremental',
  })
  @IsOptional()
  @IsIn(['full', 'incremental'])
  mode?: 'full' | 'incremental';
}
