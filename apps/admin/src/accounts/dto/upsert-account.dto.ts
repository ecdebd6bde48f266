import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { SyncCronProperty } from './sync-cron';

/** The POST fields every source's accounts share; a source's fields come first (`SourceAccounts.requests.upsert`). */
export class UpsertAccountDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  customer_id?: string;

  @SyncCronProperty()
  sync_cron?: string | null;
}
